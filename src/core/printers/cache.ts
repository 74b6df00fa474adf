// The store's printer list, kept within a request budget: at most one list call per 15 s (2 s
// when the user asks), concurrent callers share the call in flight, and realtime printer events
// are merged into the cached printers without a REST call.
import type { PrinterList } from '../../shared/ipc'
import type { Printer } from '../../shared/printago/api-types'
import type { Clock } from '../infra/clock'
import type { PrintagoClient } from '../printago/client'
import { toPrinterSummary } from './summary'

export const PRINTER_CACHE_MS = 15_000
export const PRINTER_MIN_REFRESH_MS = 2_000

export interface PrinterCacheOptions {
  client: Pick<PrintagoClient, 'listPrinters'>
  clock: Clock
  /** A realtime event changed the list (the app pushes `printers:changed`). */
  onChange?: (list: PrinterList) => void
}

export interface PrinterCache {
  /**
   * The list, fetched when the cached one is older than the budget allows. Rejects with the
   * client's error when Printago fails; `current()` still holds the last known list then.
   */
  list(options?: { refresh?: boolean }): Promise<PrinterList>
  /** The last fetched (or realtime-updated) list, if any. */
  current(): PrinterList | null
  /** Merges changed printer fields from an MQTT entity event and derives the list again. */
  applyEvent(entities: Record<string, Record<string, unknown>>): void
  nameOf(printerId: string): string | undefined
}

/** Creates an empty cache; nothing is fetched until `list()`. */
export function createPrinterCache(opts: PrinterCacheOptions): PrinterCache {
  let cached: PrinterList | null = null
  let raw = new Map<string, Printer>()
  let fetching: Promise<PrinterList> | null = null

  const fetchNow = async (): Promise<PrinterList> => {
    const printers = await opts.client.listPrinters({ limit: 1000 })
    raw = new Map(printers.map((p) => [p.id, p]))
    cached = { printers: printers.map(toPrinterSummary), fetchedAt: opts.clock.now() }
    return cached
  }

  return {
    async list(options = {}) {
      const age = cached ? opts.clock.now() - cached.fetchedAt : Infinity
      if (cached && age < (options.refresh ? PRINTER_MIN_REFRESH_MS : PRINTER_CACHE_MS))
        return cached
      fetching ??= fetchNow().finally(() => (fetching = null))
      return fetching
    },
    current: () => cached,
    applyEvent(entities) {
      if (!cached) return
      let changed = false
      for (const [id, fields] of Object.entries(entities)) {
        const before = raw.get(id)
        const merged = { ...(before ?? {}), ...fields, id } as Printer
        // A printer seen for the first time needs at least the fields the list shows.
        if (!before && (typeof merged.name !== 'string' || typeof merged.isOnline !== 'boolean'))
          continue
        raw.set(id, merged)
        changed = true
      }
      if (!changed) return
      cached = { printers: [...raw.values()].map(toPrinterSummary), fetchedAt: opts.clock.now() }
      opts.onChange?.(cached)
    },
    nameOf: (printerId) => cached?.printers.find((p) => p.id === printerId)?.name
  }
}
