// The printer table's "Now" cell: the job a printer runs with its progress and time left, its
// health errors, and "Mark bed clear" when its bed waits to be cleared.
import type { ReactElement } from 'react'

import { healthText, jobProgressText } from '../../../../shared/fleet'
import type { PrinterSummary } from '../../../../shared/ipc'
import { askBedClear } from './bed-clear-bus'
import './fleet.css'

export function PrinterNow({ printer: p }: { printer: PrinterSummary }): ReactElement {
  const progress = jobProgressText(p)
  const errors = (p.health ?? []).filter((h) => h.level === 'error')
  return (
    <>
      {p.job && (
        <span>
          {p.job.label ?? 'A print'}
          {p.job.mine ? ' (mine)' : ''}
          {progress && <span className="muted"> · {progress}</span>}
        </span>
      )}
      {errors.map((h) => (
        <span key={h.code + h.message} className="error small">
          {healthText(h)}
        </span>
      ))}
      {p.state === 'waiting-bed-clear' && (
        <button
          type="button"
          className="fleet-action"
          onClick={() => askBedClear(p)}
          data-testid="printer-clear-bed"
          aria-label={`Mark the bed of ${p.name} clear`}
        >
          Mark bed clear
        </button>
      )}
    </>
  )
}
