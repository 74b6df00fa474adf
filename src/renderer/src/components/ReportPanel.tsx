// The mesh report: numbers a user can trust before sending (STL has no units: mm assumed).
// Its room is kept (the grid, hidden) with no file and while a file is read, so the viewer above
// keeps its size when a file is dropped or its numbers arrive: a new size is a new frame of the
// model, and resizing a GL canvas waits for the GPU (on a software GL, 100–200 ms).
import { Fragment, type ReactElement, type ReactNode } from 'react'

import { formatCount, formatMmShort, formatSize } from '../../../shared/format'
import type { MeshReport } from '../../../shared/stl/types'
import { reportNotes, sizeMm, type LoadedFile } from '../lib/files'

interface Row {
  label: (unitScale: number) => string
  value: (r: MeshReport, file: LoadedFile, unitScale: number) => ReactNode
  testId?: string
}

/** The grid, in order. */
const ROWS: Row[] = [
  {
    label: (u) => `Size (${u === 1 ? 'mm assumed' : 'inches → mm'})`,
    value: (_r, f, u) => sizeMm(f, u)!.map(formatMmShort).join(' × ')
  },
  { label: () => 'Triangles', value: (r) => formatCount(r.triangles), testId: 'report-triangles' },
  { label: () => 'Format', value: (r) => (r.format === 'binary' ? 'Binary STL' : 'ASCII STL') },
  {
    label: () => 'Surface area',
    value: (r, _f, u) => `${formatCount(r.surfaceArea * u ** 2)} mm²`
  },
  {
    label: () => 'Volume',
    value: (r, _f, u) =>
      r.volume === null
        ? r.volumeNote?.startsWith('n/a')
          ? r.volumeNote
          : `n/a – ${r.volumeNote ?? 'mesh not closed'}`
        : `${formatCount(r.volume * u ** 3)} mm³`,
    testId: 'report-volume'
  },
  { label: () => 'Open edges', value: (r) => formatCount(r.openEdges) },
  { label: () => 'Non-manifold edges', value: (r) => formatCount(r.nonManifoldEdges) },
  { label: () => 'Degenerate triangles', value: (r) => formatCount(r.degenerate) },
  { label: () => 'Invalid vertices', value: (r) => formatCount(r.nonFiniteVertices) },
  { label: () => 'Shells', value: (r) => formatCount(r.shells) }
]

/** The report's grid; without a report, its labels only, hidden: it holds the report's room. */
function Grid({
  report,
  file,
  unitScale
}: {
  report?: MeshReport
  file?: LoadedFile
  unitScale: number
}): ReactElement {
  const grid = (
    <dl className="report-grid">
      {ROWS.map((row) => (
        <Fragment key={row.testId ?? row.label(1)}>
          <dt>{row.label(unitScale)}</dt>
          <dd data-testid={report && row.testId}>
            {report && file ? row.value(report, file, unitScale) : '…'}
          </dd>
        </Fragment>
      ))}
      {report && file?.sha256 && (
        <>
          <dt>SHA-256</dt>
          <dd className="mono" title={file.sha256}>
            {file.sha256.slice(0, 16)}…
          </dd>
        </>
      )}
    </dl>
  )
  return report ? (
    grid
  ) : (
    <div className="report-placeholder" aria-hidden="true">
      {grid}
    </div>
  )
}

/** Report of the selected file (below the viewer). */
export function ReportPanel({
  file,
  fitText,
  unitScale
}: {
  file: LoadedFile | null
  fitText: string | null
  unitScale: number
}): ReactElement {
  if (!file)
    return (
      <div className="report empty">
        <p className="report-summary muted">Select a file to see its mesh report.</p>
        {/* Holds the report's height; nothing to read yet. */}
        <Grid unitScale={unitScale} />
      </div>
    )
  if (file.status === 'parsing')
    return (
      <div className="report busy" aria-busy="true">
        <p className="report-summary">Reading {file.name}…</p>
        <Grid unitScale={unitScale} />
      </div>
    )
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
      <Grid report={r} file={file} unitScale={unitScale} />
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
