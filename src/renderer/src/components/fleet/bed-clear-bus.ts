// How any list of printers (the fleet strip, the printer table, the history's bed-wait note) opens
// the app's one bed-clear confirmation, which App owns (useBedClear): App provides the asker, the
// lists call `askBedClear`. A module, not a React context, so no panel in between changes.
import type { PrinterSummary } from '../../../../shared/ipc'

type Asker = (printer: Pick<PrinterSummary, 'id' | 'name'>) => void

let asker: Asker | null = null

/** Makes `fn` the confirmation's opener; returns the function that withdraws it. */
export function provideBedClear(fn: Asker): () => void {
  asker = fn
  return () => {
    if (asker === fn) asker = null
  }
}

/** Opens the confirmation for `printer` (nothing happens outside the app, e.g. in a test). */
export function askBedClear(printer: Pick<PrinterSummary, 'id' | 'name'>): void {
  asker?.(printer)
}
