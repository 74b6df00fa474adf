// Printer summaries for the UI and the CLI. Derives one state from Printago's booleans (and, when
// realtime printer stats are known, a paused print and its progress) and never copies `metadata`,
// which can hold secrets (Bambu access codes, Prusa passwords, Klipper keys).
import type { PrinterHealth, PrinterState, PrinterSummary } from '../../shared/ipc'
import type { Printer } from '../../shared/printago/api-types'
import { carriesAllTags, type Routing } from '../../shared/send'

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

/** What realtime printer stats last said about a printer (sparse messages merged). */
export interface LivePrinter {
  /** `PRINTING`, `PAUSE`, `PREPARE`, `IDLE`, `FINISH`, `FAILED`… */
  state: string | null
  percent: number | null
  layer: number | null
  totalLayers: number | null
  minutesLeft: number | null
  taskName: string | null
  health: PrinterHealth[]
}

/** Printer-stats states in which the print section is a print's progress. */
const PROGRESS_STATES = new Set(['PRINTING', 'RUNNING', 'PAUSE'])

/** What the app knows of a job from its own history (labels of my jobs). */
export type JobLookup = (printJobId: string) => { label: string; mine: boolean } | undefined

/**
 * Derive the state: disabled > offline > paused > printing > maintenance > waiting for bed clear
 * > ready. A printer in maintenance takes no jobs, so it is never "ready"; a print it was running
 * when maintenance began still shows as printing.
 */
export function printerState(printer: Printer, live?: LivePrinter): PrinterState {
  if (!printer.enabled) return 'disabled'
  if (!printer.isOnline) return 'offline'
  if (!printer.isAvailable) return live?.state === 'PAUSE' ? 'paused' : 'printing'
  if (printer.isInMaintenance) return 'maintenance'
  return printer.confirmedReady ? 'ready' : 'waiting-bed-clear'
}

/** Summarise a printer without any of its metadata. */
export function toPrinterSummary(
  printer: Printer,
  live?: LivePrinter,
  jobOf?: JobLookup
): PrinterSummary {
  const state = printerState(printer, live)
  const busy = state === 'printing' || state === 'paused'
  const jobId = printer.printingJobId ?? null
  const known = jobId ? jobOf?.(jobId) : undefined
  // Progress belongs to a running print; while preparing (slicing, sending) it says nothing. Only
  // progress messages heard (no state yet): they come while printing.
  const progress =
    live && (live.state === null || PROGRESS_STATES.has(live.state)) ? live : undefined
  return {
    id: printer.id,
    name: printer.name,
    model: printerModel(printer),
    state,
    online: printer.isOnline === true,
    available: printer.isAvailable === true,
    // Same rule as `state`: a disabled printer is never "ready", whatever its booleans say.
    ready: state === 'ready',
    enabled: printer.enabled !== false,
    tags: Array.isArray(printer.tags) ? [...printer.tags] : [],
    printingJobId: jobId,
    inMaintenance: printer.isInMaintenance === true,
    continuousPrint: printer.continuousPrint === true,
    job: busy
      ? {
          printJobId: jobId,
          label: known?.label ?? live?.taskName ?? null,
          percent: progress?.percent ?? null,
          layer: progress?.layer ?? null,
          totalLayers: progress?.totalLayers ?? null,
          minutesLeft: progress?.minutesLeft ?? null,
          ...(known?.mine ? { mine: true } : {})
        }
      : null,
    health: live?.health ?? []
  }
}

/**
 * Why a send routed this way could never print on this fleet, or null when some printer can take
 * it. Only existence and tags count (an offline or busy printer may take the job later). Tags
 * match exactly, as Printago matches them; when only the case differs, the message says tags are
 * case-sensitive and lists the fleet's tags.
 */
export function unreachableRouting(
  routing: Routing,
  printers: ReadonlyArray<Pick<PrinterSummary, 'id' | 'tags'>>
): string | null {
  if (routing.mode === 'printer') {
    if (printers.some((p) => p.id === routing.printerId)) return null
    return `no printer with id ${routing.printerId} in this store (the printers command lists them): the job will wait in Printago's queue and never print`
  }
  if (routing.mode === 'tags') {
    if (printers.some((p) => carriesAllTags(p.tags, routing.tags))) return null
    const fleet = [...new Set(printers.flatMap((p) => p.tags))].sort((a, b) => a.localeCompare(b))
    const lower = new Set(fleet.map((t) => t.toLowerCase()))
    const caseDiffers = routing.tags.some((t) => !fleet.includes(t) && lower.has(t.toLowerCase()))
    const message = `no printer carries all of the tags ${routing.tags.join(', ')}: the job will wait in Printago's queue and never print`
    return caseDiffers
      ? `${message}; tags are case-sensitive, the printers have: ${fleet.join(', ')}`
      : message
  }
  return null
}
