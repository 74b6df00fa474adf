// The fleet at a glance, above both tabs: one chip per printer — state, the job it runs with its
// progress and time left, and what needs a hand (a bed to clear, an error) with the action. The
// printers that need someone come first.
import type { ReactElement } from 'react'

import {
  byAttention,
  healthText,
  jobLabel,
  jobProgressText,
  needsHand,
  PRINTER_STATE_LABEL
} from '../../../../shared/fleet'
import type { PrinterList, PrinterSummary } from '../../../../shared/ipc'
import { MarkBedClearButton } from './MarkBedClearButton'
import './fleet.css'

function Chip({ p }: { p: PrinterSummary }): ReactElement {
  const needs = needsHand(p)
  const errors = (p.health ?? []).filter((h) => h.level !== 'info')
  const progress = jobProgressText(p)
  const attention = needs.length > 0
  const title = [
    `${p.name} (${p.model}): ${PRINTER_STATE_LABEL[p.state]}`,
    p.job?.label ? `Job: ${p.job.label}${p.job.mine ? ' (mine)' : ''}` : '',
    progress,
    ...errors.map(healthText)
  ]
    .filter(Boolean)
    .join('\n')
  return (
    <li
      className={`fleet-chip ${p.state}${attention ? ' attention' : ''}`}
      data-testid="fleet-printer"
      data-printer-id={p.id}
      data-state={p.state}
      title={title}
    >
      <span className={`fleet-dot ${p.state}`} aria-hidden="true" />
      <span className="fleet-name">{p.name}</span>
      <span className="fleet-what">
        {p.job && (p.state === 'printing' || p.state === 'paused') ? (
          <>
            {p.state === 'paused' && <span className="fleet-paused">Paused · </span>}
            <span className="fleet-job">{jobLabel(p.job)}</span>
            {progress && (
              <span className="fleet-progress" data-testid="fleet-progress">
                {' '}
                {progress}
              </span>
            )}
          </>
        ) : (
          PRINTER_STATE_LABEL[p.state]
        )}
      </span>
      {errors.some((h) => h.level === 'error') && (
        <span className="fleet-error" data-testid="fleet-health">
          {healthText(errors.find((h) => h.level === 'error')!)}
        </span>
      )}
      <MarkBedClearButton printer={p} testId="fleet-clear-bed" />
    </li>
  )
}

/** The strip under the top bar; nothing while the list is unknown or empty. */
export function FleetStrip({ printers }: { printers: PrinterList | null }): ReactElement | null {
  const list = printers?.printers ?? []
  if (list.length === 0) return null
  const sorted = [...list].sort(byAttention)
  const waiting = list.filter((p) => needsHand(p).length > 0).length
  return (
    <section className="fleet-strip" aria-label="Printers" data-testid="fleet-strip">
      <span className="fleet-summary" data-testid="fleet-summary">
        {waiting > 0
          ? `${waiting} ${waiting === 1 ? 'printer needs' : 'printers need'} a hand`
          : `${list.filter((p) => p.state === 'printing').length} printing`}
      </span>
      <ul className="fleet-list">
        {sorted.map((p) => (
          <Chip key={p.id} p={p} />
        ))}
      </ul>
    </section>
  )
}
