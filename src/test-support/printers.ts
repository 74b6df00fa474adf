// A printer as the renderer and core see it (`PrinterSummary`), ready and idle unless told
// otherwise: for tests of fit, routing and the send panel. Pure (no Node), like history-entries.ts.
import type { PrinterSummary } from '../shared/ipc'

export function printerSummary(
  name: string,
  model: string,
  over: Partial<PrinterSummary> = {}
): PrinterSummary {
  return {
    id: `id-${name}`,
    name,
    model,
    state: 'ready',
    online: true,
    available: true,
    ready: true,
    enabled: true,
    tags: [],
    printingJobId: null,
    ...over
  }
}
