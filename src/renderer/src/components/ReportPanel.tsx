// The mesh report: numbers a user can trust before sending (STL has no units: mm assumed; a 3MF
// says its own, and its report is the plate on view).
// Its room is kept (the grid, hidden) with no file and while a file is read, so the viewer above
// keeps its size when a file is dropped or its numbers arrive: a new size is a new frame of the
// model, and resizing a GL canvas waits for the GPU (on a software GL, 100–200 ms).
import { Fragment, type ReactElement, type ReactNode } from 'react'

import { formatCount, formatMmShort, formatSize } from '../../../shared/format'
import { UNIT_SCALE, UNIT_WORDS, type ModelUnit } from '../../../shared/send'
import type { ThreeMfReport } from '../../../shared/3mf'
import type { MeshReport as StlReport } from '../../../shared/stl/types'
import { defaultUnitOf, reportNotes, scaleOf, sizeMm, unitOf, type LoadedFile } from '../lib/files'

type MeshReport = StlReport | ThreeMfReport

interface Row {
  label: (unitScale: number) => string
  value: (r: MeshReport, file: LoadedFile, unitScale: number) => ReactNode
  testId?: string
}

/** The grid, in order. */
const ROWS: Row[] = [
  {
    label: () => 'Size (mm)',
    value: (_r, f, u) => sizeMm(f, u)!.map(formatMmShort).join(' × ')
  },
  { label: () => 'Triangles', value: (r) => formatCount(r.triangles), testId: 'report-triangles' },
  {
    label: () => 'Format',
    value: (r, f) =>
      r.format === 'binary'
        ? 'Binary STL'
        : r.format === 'ascii'
          ? 'ASCII STL'
          : f.project?.kind === 'gcode3mf'
            ? 'Sliced 3MF'
            : '3MF project'
  },
  {
    label: () => 'Surface area',
    value: (r, f, u) => `${formatCount(r.surfaceArea * scaleOf(f, u) ** 2)} mm²`
  },
  {
    label: () => 'Volume',
    value: (r, f, u) =>
      r.volume === null
        ? r.volumeNote?.startsWith('n/a')
          ? r.volumeNote
          : `n/a – ${r.volumeNote ?? 'mesh not closed'}`
        : `${formatCount(r.volume * scaleOf(f, u) ** 3)} mm³`,
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

const UNIT_CHOICES: ModelUnit[] = ['mm', 'inch', 'm', 'um']

/** "Units" of the selected file: its own choice or the setting's default. */
function UnitPicker({
  file,
  unitScale,
  onUnit
}: {
  file: LoadedFile
  unitScale: number
  onUnit: (unit: ModelUnit | undefined) => void
}): ReactElement {
  return (
    <label className="unit-picker">
      Units of this file
      <select
        value={file.options.unit ?? ''}
        onChange={(e) => onUnit((e.target.value || undefined) as ModelUnit | undefined)}
        data-testid="unit-select"
      >
        <option value="">{`As in Settings (${UNIT_WORDS[defaultUnitOf(unitScale)]})`}</option>
        {UNIT_CHOICES.map((u) => (
          <option key={u} value={u}>
            {UNIT_WORDS[u][0]!.toUpperCase() + UNIT_WORDS[u].slice(1)}
          </option>
        ))}
      </select>
    </label>
  )
}

/** A model whose size says it was drawn in another unit: say so, and offer the fix. */
function UnitHint({
  report: r,
  file,
  unitScale,
  onUnit
}: {
  report: MeshReport
  file: LoadedFile
  unitScale: number
  onUnit?: (unit: ModelUnit | undefined) => void
}): ReactElement | null {
  const unit = unitOf(file, unitScale)
  const suspect: ModelUnit | null =
    unit !== 'mm' ? null : (r.unitSuspect ?? (r.inchSuspect ? 'inch' : null))
  if (!suspect) return null
  const fixed = r.size.map((v) => v * UNIT_SCALE[suspect])
  const tooSmall = suspect !== 'um'
  return (
    <div className="warning-box" role="note" data-testid="unit-hint">
      <span>
        {tooSmall ? 'Tiny' : 'Huge'}: {formatSize(r.size)}
        {suspect === 'inch' ? '' : tooSmall ? ', too small to print' : ', too big to print'}. Drawn
        in {UNIT_WORDS[suspect]}? Then it is {formatSize(fixed)}.
      </span>
      {onUnit && (
        <button type="button" onClick={() => onUnit(suspect)} data-testid="unit-fix">
          Read as {UNIT_WORDS[suspect]}
        </button>
      )}
    </div>
  )
}

/** Report of the selected file (below the viewer). */
export function ReportPanel({
  file,
  fitText,
  unitScale,
  onUnit
}: {
  file: LoadedFile | null
  fitText: string | null
  unitScale: number
  /** Sets the file's unit (undefined: back to the setting). */
  onUnit?: (unit: ModelUnit | undefined) => void
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
        <strong className="wrap">{file.name} cannot be used.</strong> {file.error?.message}{' '}
        <span className="code">({file.error?.code})</span>
      </div>
    )
  if (!file.report)
    return (
      <div className="report" data-testid="report">
        <p className="report-summary" data-testid="model-summary">
          {file.project?.kind === 'gcode3mf'
            ? 'This plate is sliced G-code: there is no model to measure. The slicer’s figures are above.'
            : 'This plate is empty.'}
        </p>
      </div>
    )
  const r = file.report
  const size = sizeMm(file, unitScale)!
  const notes = reportNotes(file, unitScale)
  const unit = unitOf(file, unitScale)
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
      <div className="report-head">
        <p className="report-summary" data-testid="model-summary">
          {summary}
        </p>
        {onUnit && !file.project && (
          <UnitPicker file={file} unitScale={unitScale} onUnit={onUnit} />
        )}
      </div>
      {file.project && (
        <p className="muted small" role="note" data-testid="unit-note">
          A 3MF says its own unit ({file.project.kind === 'gcode3mf' ? 'sliced' : 'read'} in
          millimetres): no unit choice applies to it.
        </p>
      )}
      {unit !== 'mm' && (
        <p className="muted small" role="note" data-testid="unit-note">
          Read in {UNIT_WORDS[unit]}
          {file.options.unit ? '' : ' (Settings)'}: sizes are the file’s numbers ×{' '}
          {UNIT_SCALE[unit]}, and Printago gets a copy in millimetres (it slices STL files in
          millimetres).
        </p>
      )}
      {!file.project && <UnitHint report={r} file={file} unitScale={unitScale} onUnit={onUnit} />}
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
