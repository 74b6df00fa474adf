// The left column: "Add files…" (also Ctrl+O), notices about files not added, the file list and
// the entries of dropped folders that were skipped.
import { useEffect, useRef, type ReactElement } from 'react'

import type { DroppedFiles } from '../hooks/useDroppedFiles'
import { FileList } from './FileList'

interface FilesColumnProps {
  dropped: DroppedFiles
  unitScale: number
}

/** The files column of the send view. */
export function FilesColumn({ dropped, unitScale }: FilesColumnProps): ReactElement {
  const inputRef = useRef<HTMLInputElement>(null)
  const { files, notices, skipped, addFiles } = dropped

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'o') {
        e.preventDefault()
        inputRef.current?.click()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  return (
    <aside className="files-col" aria-label="Files">
      <div className="files-head">
        <button
          type="button"
          className="primary"
          onClick={() => inputRef.current?.click()}
          data-testid="add-files"
          title="Add files (Ctrl+O)"
        >
          Add files…
        </button>
        <input
          ref={inputRef}
          type="file"
          multiple
          accept=".stl,model/stl,.3mf,model/3mf"
          className="sr-only"
          tabIndex={-1}
          aria-hidden="true"
          data-testid="file-input"
          onChange={(e) => {
            addFiles(Array.from(e.target.files ?? []))
            e.target.value = ''
          }}
        />
      </div>
      {notices.map((n) => (
        <p key={n} className="notice" role="status" data-testid="notice">
          {n}
        </p>
      ))}
      <FileList
        files={files}
        unitScale={unitScale}
        selectedKey={dropped.selectedKey}
        onSelect={dropped.select}
        onRemove={dropped.removeFile}
      />
      {skipped.length > 0 && (
        <details className="skipped" data-testid="skipped">
          <summary>{skipped.length} skipped</summary>
          <ul>
            {skipped.map((s) => (
              <li key={s.name}>
                {s.name}: {s.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
    </aside>
  )
}
