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
      aria-label={`Mark the bed of ${printer.name} clear`}
    >
      Mark bed clear
    </button>
  )
}
