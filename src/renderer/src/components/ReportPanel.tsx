// The mesh report: numbers a user can trust before sending (STL has no units: mm assumed).
import type { ReactElement } from 'react'

import { formatCount, formatMmShort, formatSize } from '../../../shared/format'
import { reportNotes, sizeMm, type LoadedFile } from '../lib/files'

/** Report of the selected file (below the viewer). */
export function ReportPanel({
  file,
  fitText,
  unitScale
}: {
  file: LoadedFile | null
  fitText: string | null
  unitScale: number
}): ReactElement | null {
  if (!file) return null
  if (file.status === 'parsing') return <p className="report busy">Reading {file.name}…</p>
  if (file.status === 'error')
    return (
      <div className="report error" role="alert" data-testid="report-error">
        <strong>{file.name} cannot be used.</strong> {file.error?.message}{' '}
        <span className="code">({file.error?.code})</span>
      </div>
    )
  const r = file.report!
  const size = sizeMm(file, unitScale)!
  const notes = reportNotes(file, unitScale)
  const summary = [
    formatSize(size),
    `${formatCount(r.triangles)} triangles`,
    r.closed ? 'closed' : 'open',
    fitText
  ]
    .filter(Boolean)
    .join(', ')
  return (
    <div className="report" data-testid="report">
      <p className="report-summary" data-testid="model-summary">
        {summary}
      </p>
      {unitScale !== 1 && (
        <p className="muted small" role="note">
          Inches assumed (Settings): sizes below are the file’s numbers × 25.4. Printago slices STL
          files in millimetres.
        </p>
      )}
      {r.inchSuspect && unitScale === 1 && (
        <p className="warning" role="note">
          This model is tiny ({formatSize(r.size)}). It may have been exported in inches: at 25.4×
          it would be {formatSize(r.size.map((v) => v * 25.4))}.
        </p>
      )}
      <dl className="report-grid">
        <dt>Size ({unitScale === 1 ? 'mm assumed' : 'inches → mm'})</dt>
        <dd>{size.map(formatMmShort).join(' × ')}</dd>
        <dt>Triangles</dt>
        <dd data-testid="report-triangles">{formatCount(r.triangles)}</dd>
        <dt>Format</dt>
        <dd>{r.format === 'binary' ? 'Binary STL' : 'ASCII STL'}</dd>
        <dt>Surface area</dt>
        <dd>{formatCount(r.surfaceArea * unitScale ** 2)} mm²</dd>
        <dt>Volume</dt>
        <dd data-testid="report-volume">
          {r.volume === null
            ? r.volumeNote?.startsWith('n/a')
              ? r.volumeNote
              : `n/a – ${r.volumeNote ?? 'mesh not closed'}`
            : `${formatCount(r.volume * unitScale ** 3)} mm³`}
        </dd>
        <dt>Open edges</dt>
        <dd>{formatCount(r.openEdges)}</dd>
        <dt>Non-manifold edges</dt>
        <dd>{formatCount(r.nonManifoldEdges)}</dd>
        <dt>Degenerate triangles</dt>
        <dd>{formatCount(r.degenerate)}</dd>
        <dt>Invalid vertices</dt>
        <dd>{formatCount(r.nonFiniteVertices)}</dd>
        <dt>Shells</dt>
        <dd>{formatCount(r.shells)}</dd>
        {file.sha256 && (
          <>
            <dt>SHA-256</dt>
            <dd className="mono" title={file.sha256}>
              {file.sha256.slice(0, 16)}…
            </dd>
          </>
        )}
      </dl>
      {notes.length > 0 && (
        <ul className="report-notes">
          {notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  )
}
