// Printer names for the copies: learned from printer entity events, from the app's printer cache,
// and, when a copy names a printer nobody knows, from one REST printer list at most every ten
// minutes (inside the sync's budget), whose names are then filled into the copies lacking one.
import type { HistoryEntry, JobCopy } from '../../shared/history'
import type { Clock } from '../infra/clock'
import { createLogger } from '../infra/log'
import type { PrintagoClient } from '../printago/client'
import type { HistoryStore } from './store'
import { str } from './sync-apply'
import type { BudgetedCall } from './sync-budget'

const log = createLogger('status-sync')

export const PRINTER_LIST_EVERY_MS = 10 * 60_000

export interface PrinterNames {
  nameOf(printerId: string): string | undefined
  /** Names from a printer entity event. */
  learn(entities: Record<string, Record<string, unknown>>): void
  /** Lists the printers when a copy of `entries` names an unknown one (throttled). */
  refreshFor(entries: HistoryEntry[], call: BudgetedCall): Promise<void>
}

export function createPrinterNames(opts: {
  store: HistoryStore
  client: Pick<PrintagoClient, 'listPrinters'>
  clock: Clock
  /** Names the app already knows (its printer cache). */
  known?: (id: string) => string | undefined
}): PrinterNames {
  const { store, clock } = opts
  const names = new Map<string, string>()
  let lastList = -Infinity
  const nameOf = (id: string): string | undefined => names.get(id) ?? opts.known?.(id)

  const fillCopies = (): void => {
    const fillable = (c: JobCopy): boolean =>
      !!c.printerId && !c.printerName && names.has(c.printerId)
    for (const e of store.list()) {
      if (!e.copies.some(fillable)) continue
      store.update(e.id, (x) => ({
        ...x,
        copies: x.copies.map((c) =>
          fillable(c) ? { ...c, printerName: names.get(c.printerId!)! } : c
        )
      }))
    }
  }

  return {
    nameOf,
    learn(entities) {
      for (const [id, p] of Object.entries(entities)) {
        const name = str(p['name'])
        if (name && names.get(id) !== name) names.set(id, name)
      }
    },
    async refreshFor(entries, call) {
      const unknown = entries.some((e) => e.copies.some((c) => c.printerId && !nameOf(c.printerId)))
      if (!unknown || clock.now() - lastList < PRINTER_LIST_EVERY_MS) return
      lastList = clock.now()
      try {
        const printers = await call((o) =>
          opts.client.listPrinters({ fields: 'id,name', limit: 1000 }, o)
        )
        for (const p of printers) if (p.id && p.name) names.set(p.id, p.name)
        fillCopies()
      } catch (e) {
        log.warn('could not list printer names', e)
      }
    }
  }
}
