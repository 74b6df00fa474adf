// Printer summaries for the UI and the CLI. Derives one state from Printago's booleans and never
// copies `metadata`, which can hold secrets (Bambu access codes, Prusa passwords, Klipper keys).
import type { PrinterState, PrinterSummary } from '../../shared/ipc'
import type { Printer } from '../../shared/printago/api-types'

// The summary types are part of the IPC contract; the CLI prints the same shape.
export type { PrinterState, PrinterSummary } from '../../shared/ipc'

/** Model name: Bambu's product name (or model code), else the provider. */
export function printerModel(printer: Printer): string {
  const meta = printer.metadata as Record<string, unknown> | null
  const product = meta?.['dev_product_name']
  if (typeof product === 'string' && product.trim() !== '') return product
  const model = meta?.['dev_model_name']
  if (typeof model === 'string' && model.trim() !== '') return model
  return printer.provider
}

/** Derive the state: disabled > offline > printing > waiting for bed clear > ready. */
export function printerState(printer: Printer): PrinterState {
  if (!printer.enabled) return 'disabled'
  if (!printer.isOnline) return 'offline'
  if (!printer.isAvailable) return 'printing'
  return printer.confirmedReady ? 'ready' : 'waiting-bed-clear'
}

/** Summarise a printer without any of its metadata. */
export function toPrinterSummary(printer: Printer): PrinterSummary {
  const online = printer.isOnline === true
  const available = printer.isAvailable === true
  return {
    id: printer.id,
    name: printer.name,
    model: printerModel(printer),
    state: printerState(printer),
    online,
    available,
    ready: online && available && printer.confirmedReady === true,
    enabled: printer.enabled !== false,
    tags: Array.isArray(printer.tags) ? [...printer.tags] : [],
    printingJobId: printer.printingJobId ?? null
  }
}
