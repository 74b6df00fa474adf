// What the printer table shows under a printer's state: the job it runs with its progress and
// time left, its health errors, and "Mark bed clear" when its bed waits to be cleared.
import type { ReactElement } from 'react'

import { healthText, jobLabel, jobProgressText } from '../../../../shared/fleet'
import type { PrinterSummary } from '../../../../shared/ipc'
import { MarkBedClearButton } from './MarkBedClearButton'
import './fleet.css'

export function PrinterNow({ printer: p }: { printer: PrinterSummary }): ReactElement | null {
  const progress = jobProgressText(p)
  const errors = (p.health ?? []).filter((h) => h.level === 'error')
  if (!p.job && errors.length === 0 && p.state !== 'waiting-bed-clear') return null
  return (
    <div className="printer-job" data-testid="printer-job">
      {p.job && (
        <span>
          {jobLabel(p.job)}
          {p.job.mine ? ' (mine)' : ''}
          {progress && <span className="muted"> · {progress}</span>}
        </span>
      )}
      {errors.map((h) => (
        <span key={h.code + h.message} className="error small">
          {healthText(h)}
        </span>
      ))}
      <MarkBedClearButton printer={p} testId="printer-clear-bed" />
    </div>
  )
}
