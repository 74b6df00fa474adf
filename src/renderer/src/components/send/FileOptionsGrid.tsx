// "Copies and labels": one row per file — label, quantity, material, priority and queue position
// (and a 3MF's per-plate copies and process settings: ProjectOptions),
// its verdict against the printers the routing reaches (fit, material loaded, a bed too small and
// what to do about it) and "Leave out" — plus one row to set them for all files at once.
import { useState, type ReactElement } from 'react'

import type { MaterialsView } from '../../../../shared/ipc'
import {
  labelProblem,
  materialWords,
  MAX_QUANTITY,
  type MaterialChoice
} from '../../../../shared/send'
import type { FileOptions, LoadedFile } from '../../lib/files'
import { printerNames } from '../../lib/fit'
import { MaterialSelect } from './MaterialSelect'
import { ProjectOptions } from './ProjectOptions'
import { validateOptions, type FileVerdict } from './send-rules'

interface FileOptionsGridProps {
  files: LoadedFile[]
  /** Files the user left out: listed with "Put back". */
  excluded?: LoadedFile[]
  verdicts?: Map<string, FileVerdict>
  materials?: MaterialsView | null
  onOptionsChange: (key: string, options: Partial<FileOptions>) => void
}

/** The per-file options of the files being sent. */
export function FileOptionsGrid({
  files,
  excluded = [],
  verdicts,
  materials = null,
  onOptionsChange
}: FileOptionsGridProps): ReactElement {
  const [applyAll, setApplyAll] = useState<{
    quantity: string
    priority: string
    position: string
    material: MaterialChoice | null | undefined
  }>({ quantity: '', priority: '', position: '', material: undefined })
  if (files.length === 0 && excluded.length === 0)
    return <p className="muted">Readable files appear here.</p>

  const applyToAll = (): void => {
    for (const f of files) {
      const patch: Partial<FileOptions> = {}
      if (applyAll.quantity) patch.quantity = Number(applyAll.quantity)
      if (applyAll.priority) patch.priority = applyAll.priority as FileOptions['priority']
      if (applyAll.position) patch.position = applyAll.position as FileOptions['position']
      if (applyAll.material !== undefined) patch.material = applyAll.material
      onOptionsChange(f.key, patch)
    }
  }

  return (
    <div className="options" data-testid="options-grid">
      <ul className="options-list" aria-label="Files to send">
        {files.map((f) => (
          <FileRow
            key={f.key}
            file={f}
            verdict={verdicts?.get(f.key)}
            materials={materials}
            onChange={(patch) => onOptionsChange(f.key, patch)}
          />
        ))}
      </ul>
      {files.length > 1 && (
        <div className="apply-all" role="group" aria-label="Set for all files">
          <span>All files:</span>
          <input
            type="number"
            min={1}
            max={MAX_QUANTITY}
            placeholder="Qty"
            aria-label="Quantity for all files"
            value={applyAll.quantity}
            onChange={(e) => setApplyAll({ ...applyAll, quantity: e.target.value })}
          />
          <MaterialSelect
            label="Material for all files"
            value={applyAll.material}
            materials={materials}
            placeholder="Material…"
            allowAny
            onChange={(material) => setApplyAll({ ...applyAll, material })}
          />
          <select
            aria-label="Priority for all files"
            value={applyAll.priority}
            onChange={(e) => setApplyAll({ ...applyAll, priority: e.target.value })}
          >
            <option value="">Priority…</option>
            <option value="normal">Normal</option>
            <option value="low">Low</option>
          </select>
          <select
            aria-label="Queue position for all files"
            value={applyAll.position}
            onChange={(e) => setApplyAll({ ...applyAll, position: e.target.value })}
          >
            <option value="">Queue…</option>
            <option value="back">Back</option>
            <option value="front">Front</option>
          </select>
          <button type="button" onClick={applyToAll}>
            Apply to all
          </button>
        </div>
      )}
      {excluded.length > 0 && (
        <ul className="excluded-list" aria-label="Left out" data-testid="excluded-files">
          {excluded.map((f) => (
            <li key={f.key}>
              <span className="opt-name" title={f.name}>
                {f.name}
              </span>
              <span className="muted small">left out</span>
              <button
                type="button"
                className="small"
                onClick={() => onOptionsChange(f.key, { excluded: false })}
                data-refocus={f.key}
              >
                Put back
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  )
}

interface FileRowProps {
  file: LoadedFile
  verdict: FileVerdict | undefined
  materials: MaterialsView | null
  onChange: (patch: Partial<FileOptions>) => void
}

/** One file: name, verdict, fields, the fit choice. */
function FileRow({ file: f, verdict: v, materials, onChange }: FileRowProps): ReactElement {
  const err = validateOptions(f.options)
  const tone = v?.tone ?? 'ok'
  return (
    <li className={`options-row ${tone}`} data-testid="options-row" data-tone={tone}>
      <div className="opt-head">
        <span className="opt-name" title={f.name}>
          {f.name}
        </span>
        {v && (
          <span className={`fit-chip ${tone}`} data-testid="file-fit">
            {v.fitText}
          </span>
        )}
        <button
          type="button"
          className="small"
          aria-label={`Leave out ${f.name}`}
          onClick={() => onChange({ excluded: true })}
          data-testid="leave-out"
          data-refocus={f.key}
        >
          Leave out
        </button>
      </div>
      <div className="opt-fields">
        <label className="grow">
          <span>Label</span>
          <input
            aria-label={`Label for ${f.name}`}
            value={f.options.label}
            maxLength={1100}
            aria-invalid={labelProblem(f.options.label) !== null}
            onChange={(e) => onChange({ label: e.target.value })}
          />
        </label>
        <label>
          <span>Qty</span>
          <input
            type="number"
            min={1}
            max={MAX_QUANTITY}
            aria-label={`Quantity for ${f.name}`}
            value={Number.isFinite(f.options.quantity) ? f.options.quantity : ''}
            aria-invalid={!!err && err.startsWith('Quantity')}
            onChange={(e) =>
              onChange({ quantity: e.target.value === '' ? NaN : Number(e.target.value) })
            }
          />
        </label>
        <label className="grow">
          <span>Material</span>
          <MaterialSelect
            label={`Material for ${f.name}`}
            value={f.options.material}
            materials={materials}
            onChange={(material) => onChange({ material: material ?? null })}
          />
        </label>
        <label>
          <span>Priority</span>
          <select
            aria-label={`Priority for ${f.name}`}
            value={f.options.priority}
            onChange={(e) => onChange({ priority: e.target.value as FileOptions['priority'] })}
          >
            <option value="normal">Normal</option>
            <option value="low">Low</option>
          </select>
        </label>
        <label>
          <span>Queue</span>
          <select
            aria-label={`Queue position for ${f.name}`}
            value={f.options.position}
            onChange={(e) => onChange({ position: e.target.value as FileOptions['position'] })}
          >
            <option value="back">Back</option>
            <option value="front">Front</option>
          </select>
        </label>
      </div>
      <ProjectOptions file={f} onChange={onChange} />
      {v?.material && f.options.material && (
        <p
          className={`small ${v.material.loaded === 0 ? 'warning' : 'muted'}`}
          data-testid="material-match"
        >
          {materialWords(f.options.material)}: loaded in {v.material.loaded} of {v.material.of}{' '}
          printer{v.material.of === 1 ? '' : 's'} this routing reaches.
        </p>
      )}
      {v?.message && (
        <p className={`verdict-message ${tone}`} data-testid="file-verdict-message">
          {v.message}
        </p>
      )}
      {v?.fitChoice && (
        <div
          className="fit-choice"
          role="radiogroup"
          aria-label={`Where ${f.name} may print`}
          data-testid="fit-choice"
        >
          <label>
            <input
              type="radio"
              name={`fit-${f.key}`}
              checked={(f.options.fit ?? 'avoid') === 'avoid'}
              disabled={!v.fitChoice.avoidModels}
              onChange={() => onChange({ fit: 'avoid' })}
            />{' '}
            Only printers it fits
            {v.fitChoice.avoidModels ? ` (${v.fitChoice.avoidModels.join(', ')})` : ''}
          </label>
          <label>
            <input
              type="radio"
              name={`fit-${f.key}`}
              checked={f.options.fit === 'anyway'}
              onChange={() => onChange({ fit: 'anyway' })}
            />{' '}
            Send anyway — {printerNames(v.fitChoice.tooBig)} would fail at slicing
          </label>
        </div>
      )}
    </li>
  )
}
