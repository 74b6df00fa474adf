// A 3MF's own send options, under its row of the options grid: copies of each plate
// (`plateQuantities`; a plate at 0 is not printed) and, for an unsliced project, whether Printago
// slices it with the process settings saved in the project (`use3MFProcessProfile`).
import type { ReactElement } from 'react'

import { MAX_QUANTITY } from '../../../../shared/send'
import { jobsPerFile } from '../../../../shared/send-project'
import type { FileOptions, LoadedFile } from '../../lib/files'

interface ProjectOptionsProps {
  file: LoadedFile
  onChange: (patch: Partial<FileOptions>) => void
}

/** Per-plate quantities and the process-settings choice of one project file. */
export function ProjectOptions({ file: f, onChange }: ProjectOptionsProps): ReactElement | null {
  const project = f.project
  if (!project) return null
  const quantities = f.options.plateQuantities
  const of = (id: number): number => quantities?.[String(id)] ?? 1
  const setPlate = (id: number, value: number): void => {
    const next: Record<string, number> = {}
    for (const p of project.plates) next[String(p.id)] = p.id === id ? value : of(p.id)
    onChange({ plateQuantities: next })
  }
  const copies = Number.isInteger(f.options.quantity) ? f.options.quantity : 0
  const jobs = jobsPerFile(copies, quantities, project.plates.length)
  return (
    <div className="project-options" data-testid="project-options">
      <fieldset className="plate-quantities">
        <legend>Copies of each plate</legend>
        {project.plates.map((p) => (
          <label key={p.id}>
            <span title={p.name}>
              {p.id}: {p.name}
            </span>
            <input
              type="number"
              min={0}
              max={MAX_QUANTITY}
              aria-label={`Copies of plate ${p.id} (${p.name}) of ${f.name}`}
              value={Number.isFinite(of(p.id)) ? of(p.id) : ''}
              onChange={(e) => setPlate(p.id, e.target.value === '' ? NaN : Number(e.target.value))}
              data-testid={`plate-qty-${p.id}`}
            />
          </label>
        ))}
        <span className="muted small" data-testid="plate-jobs">
          {jobs} print job{jobs === 1 ? '' : 's'}
          {copies > 1 ? ` (${copies} copies of the project)` : ''}
        </span>
      </fieldset>
      {project.kind === '3mf' && (
        <label className="check small">
          <input
            type="checkbox"
            checked={f.options.use3MFProcessProfile === true}
            onChange={(e) => onChange({ use3MFProcessProfile: e.target.checked })}
            data-testid="use-3mf-profile"
          />
          Use the project’s own process settings (layer height, infill… as saved in the 3MF)
        </label>
      )}
    </div>
  )
}
