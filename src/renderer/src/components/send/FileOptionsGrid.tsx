// "Copies and labels": per file label, quantity, priority and queue position, plus one row to
// set them for all files at once.
import { useState, type ReactElement } from 'react'

import { labelProblem, MAX_QUANTITY } from '../../../../shared/send'
import type { FileOptions, LoadedFile } from '../../lib/files'
import { validateOptions } from './send-rules'

interface FileOptionsGridProps {
  files: LoadedFile[]
  onOptionsChange: (key: string, options: Partial<FileOptions>) => void
}

/** The options table of the files being sent. */
export function FileOptionsGrid({ files, onOptionsChange }: FileOptionsGridProps): ReactElement {
  const [applyAll, setApplyAll] = useState({ quantity: '', priority: '', position: '' })
  if (files.length === 0) return <p className="muted">Readable files appear here.</p>

  const applyToAll = (): void => {
    for (const f of files) {
      const patch: Partial<FileOptions> = {}
      if (applyAll.quantity) patch.quantity = Number(applyAll.quantity)
      if (applyAll.priority) patch.priority = applyAll.priority as FileOptions['priority']
      if (applyAll.position) patch.position = applyAll.position as FileOptions['position']
      onOptionsChange(f.key, patch)
    }
  }

  return (
    <div className="options" data-testid="options-grid">
      <table className="options-table">
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Label</th>
            <th scope="col">Qty</th>
            <th scope="col">Priority</th>
            <th scope="col">Queue</th>
          </tr>
        </thead>
        <tbody>
          {files.map((f) => {
            const err = validateOptions(f.options)
            return (
              <tr key={f.key} data-testid="options-row">
                <td className="small" title={f.name}>
                  {f.name}
                </td>
                <td>
                  <input
                    aria-label={`Label for ${f.name}`}
                    value={f.options.label}
                    maxLength={1100}
                    aria-invalid={labelProblem(f.options.label) !== null}
                    onChange={(e) => onOptionsChange(f.key, { label: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    type="number"
                    min={1}
                    max={MAX_QUANTITY}
                    aria-label={`Quantity for ${f.name}`}
                    value={Number.isFinite(f.options.quantity) ? f.options.quantity : ''}
                    aria-invalid={!!err && err.startsWith('Quantity')}
                    onChange={(e) =>
                      onOptionsChange(f.key, {
                        quantity: e.target.value === '' ? NaN : Number(e.target.value)
                      })
                    }
                  />
                </td>
                <td>
                  <select
                    aria-label={`Priority for ${f.name}`}
                    value={f.options.priority}
                    onChange={(e) =>
                      onOptionsChange(f.key, {
                        priority: e.target.value as FileOptions['priority']
                      })
                    }
                  >
                    <option value="normal">Normal</option>
                    <option value="low">Low</option>
                  </select>
                </td>
                <td>
                  <select
                    aria-label={`Queue position for ${f.name}`}
                    value={f.options.position}
                    onChange={(e) =>
                      onOptionsChange(f.key, {
                        position: e.target.value as FileOptions['position']
                      })
                    }
                  >
                    <option value="back">Back</option>
                    <option value="front">Front</option>
                  </select>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {files.length > 1 && (
        <div className="apply-all">
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
    </div>
  )
}
