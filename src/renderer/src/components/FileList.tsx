// The list of dropped files: thumbnail, name, size, triangles, dimensions and a health verdict.
// Each row is a button that shows the file (aria-current marks the one shown) beside its Remove
// button — no control inside another. Arrow keys move the selection (and the focus), Delete
// removes the selected file.
import type { KeyboardEvent, ReactElement } from 'react'

import { formatBytes, formatCount, formatSize } from '../../../shared/format'
import { estimateText } from '../../../shared/history'
import { reportNotes, sizeMm, type LoadedFile } from '../lib/files'
import { useSentEstimate } from '../hooks/useSentEstimates'

interface FileListProps {
  files: LoadedFile[]
  unitScale: number
  selectedKey: string | null
  onSelect: (key: string) => void
  onRemove: (key: string) => void
}

function verdict(
  file: LoadedFile,
  unitScale: number
): { text: string; tone: 'ok' | 'warning' | 'error' | 'busy' } {
  if (file.status === 'parsing') return { text: 'Reading…', tone: 'busy' }
  if (file.status === 'error') return { text: file.error?.message ?? 'Unreadable', tone: 'error' }
  const p = file.project
  if (p) {
    const plates = p.plates.length === 1 ? '1 plate' : `${p.plates.length} plates`
    return { text: p.kind === 'gcode3mf' ? `Sliced 3MF, ${plates}` : `3MF, ${plates}`, tone: 'ok' }
  }
  const r = file.report!
  const notes = reportNotes(file, unitScale)
  if (r.verdict === 'ok' || notes.length === 0)
    return { text: r.closed ? 'Closed mesh' : 'OK', tone: 'ok' }
  return { text: notes[0]!, tone: r.verdict }
}

/** Printago's estimate of a sent file (time, grams, filament), once it has one. */
function SentEstimate({ partBuildId }: { partBuildId?: string }): ReactElement | null {
  const e = useSentEstimate(partBuildId)
  if (!e) return null
  return (
    <span className="file-facts" data-testid="file-estimate" title="Printago's slicing estimate">
      Printago: {estimateText(e)}
    </span>
  )
}

/** The file list (left column). */
export function FileList({
  files,
  unitScale,
  selectedKey,
  onSelect,
  onRemove
}: FileListProps): ReactElement {
  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>): void => {
    const i = files.findIndex((f) => f.key === selectedKey)
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      const next =
        files[Math.min(files.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1)))]
      if (next) {
        onSelect(next.key)
        document.getElementById(`file-${next.key}`)?.focus()
      }
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && selectedKey) {
      e.preventDefault()
      onRemove(selectedKey)
    }
  }
  if (files.length === 0) return <p className="empty-note">No files yet.</p>
  return (
    <ul
      className="file-list"
      aria-label="Files to send"
      onKeyDown={onKeyDown}
      data-testid="file-list"
    >
      {files.map((f) => {
        const v = verdict(f, unitScale)
        return (
          <li
            key={f.key}
            className={`file-row ${f.key === selectedKey ? 'selected' : ''}`}
            data-testid="file-row"
            data-status={f.status}
          >
            <button
              type="button"
              id={`file-${f.key}`}
              className="file-select"
              aria-current={f.key === selectedKey ? 'true' : undefined}
              onClick={() => onSelect(f.key)}
            >
              <span className="thumb" aria-hidden="true">
                {f.thumbnail ? (
                  <img src={f.thumbnail} alt="" width={48} height={48} />
                ) : (
                  <span className={f.status === 'parsing' ? 'spinner' : ''} />
                )}
              </span>
              <span className="file-meta">
                <span className="file-name" title={f.name}>
                  {f.name}
                </span>
                {(f.sent || f.options.excluded) && (
                  <span className="file-badges">
                    {f.sent && (
                      <span
                        className="badge sent"
                        title={`Queued as part build ${f.sent.partBuildId}`}
                      >
                        sent
                      </span>
                    )}
                    {f.options.excluded && !f.sent && (
                      <span className="badge left-out">left out</span>
                    )}
                  </span>
                )}
                <span className="file-facts">
                  {formatBytes(f.size)}
                  {f.report &&
                    !f.project &&
                    ` · ${formatCount(f.report.triangles)} tris · ${formatSize(sizeMm(f, unitScale)!)}`}
                </span>
                <span className={`verdict ${v.tone}`} data-testid="file-verdict">
                  {v.text}
                </span>
                <SentEstimate partBuildId={f.sent?.partBuildId} />
              </span>
            </button>
            <button
              type="button"
              className="icon-button"
              aria-label={`Remove ${f.name}`}
              onClick={() => onRemove(f.key)}
            >
              ×
            </button>
          </li>
        )
      })}
    </ul>
  )
}
