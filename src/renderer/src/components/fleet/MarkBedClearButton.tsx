// "Mark bed clear" for a printer waiting for it: the fleet strip and the printer table both offer
// it; either way it only asks (bed-clear-bus), the dialog confirms before anything is sent.
import type { ReactElement } from 'react'

import type { PrinterSummary } from '../../../../shared/ipc'
import { askBedClear } from './bed-clear-bus'

export function MarkBedClearButton({
  printer,
  testId
}: {
  printer: PrinterSummary
  testId: string
}): ReactElement | null {
  if (printer.state !== 'waiting-bed-clear') return null
  return (
    <button
      type="button"
      className="fleet-action"
      onClick={() => askBedClear(printer)}
      data-testid={testId}
      // The visible words first (WCAG 2.5.3, label in name), then which printer.
      aria-label={`Mark bed clear: ${printer.name}`}
    >
      Mark bed clear
    </button>
  )
}
