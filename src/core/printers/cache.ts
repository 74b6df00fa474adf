// The store's printer list, kept within a request budget: at most one list call per 15 s (2 s
// when the user asks; 5 min while realtime keeps it fresh), concurrent callers share the call in
// flight, and realtime printer events (whole or partial rows, deletes) and printer stats (state,
// progress, health) are merged into the cached printers without a REST call. Changes reach
// `onChange` at most once a second (on the injected clock).
import type { PrinterList, PrinterSummary } from '../../shared/ipc'
import type { Printer } from '../../shared/printago/api-types'
import { changedValue } from '../history/sync-apply'
import type { Clock, TimerHandle } from '../infra/clock'
import type { PrintagoClient } from '../printago/client'
import { PrintagoError } from '../printago/errors'
import type { PrinterStatsMessage } from '../printago/realtime'
import { toPrinterSummary, type JobLookup, type LivePrinter } from './summary'

export const PRINTER_CACHE_MS = 15_000
export const PRINTER_MIN_REFRESH_MS = 2_000
/** While realtime is connected, printer events keep the list current: a list call now and then. */
export const PRINTER_CACHE_LIVE_MS = 5 * 60_000
/** Live changes (progress every few seconds on every printer) are pushed at most this often. */
export const PRINTER_PUSH_MS = 1_000

export interface PrinterCacheOptions {
  client: Pick<PrintagoClient, 'listPrinters'> & Partial<Pick<PrintagoClient, 'confirmReady'>>
  clock: Clock
  /** A realtime event changed the list (the app pushes `printers:changed`). */
  onChange?: (list: PrinterList) => void
  /** Realtime is connected (its events keep the list fresh). */
  live?: () => boolean
  /** Labels of my jobs (the history), for the job on each printer. */
  jobOf?: JobLookup
}

export interface PrinterCache {
  /**
   * The list, fetched when the cached one is older than the budget allows. Rejects with the
   * client's error when Printago fails; `current()` still holds the last known list then.
   */
  list(options?: { refresh?: boolean }): Promise<PrinterList>
  /** The last fetched (or realtime-updated) list, if any. */
  current(): PrinterList | null
  /**
   * Merges a printer entity event: whole rows or only the changed fields (plus `changes`, whose
   * values may be `{old,new}` pairs); a DELETE removes the printers.
   */
  applyEvent(
    entities: Record<string, Record<string, unknown>>,
    event?: {
      action?: 'INSERT' | 'UPDATE' | 'DELETE'
      changes?: Record<string, Record<string, unknown>>
    }
  ): void
  /** Merges a printer-stats message (state, progress, layer, time left, health). */
  applyStats(message: PrinterStatsMessage): void
  /** Marks a printer's bed clear in Printago (`PATCH /v1/printers/confirm-ready`); its summary. */
  confirmReady(printerId: string): Promise<PrinterSummary>
  nameOf(printerId: string): string | undefined
  /** Stops the push timer. */
  close(): void
}

/** Stats states of a printer that is running something (Bambu's, as Printago names them). */
const BUSY_STATES = new Set(['PRINTING', 'RUNNING', 'PAUSE', 'PREPARE'])

const EMPTY_LIVE: LivePrinter = {
  state: null,
  percent: null,
  layer: null,
  totalLayers: null,
  minutesLeft: null,
  taskName: null,
  health: []
}

/** The live state after one stats message (a sparse one changes only what it carries). */
export function mergeStats(prev: LivePrinter | undefined, m: PrinterStatsMessage): LivePrinter {
  const base = prev ?? EMPTY_LIVE
  const next: LivePrinter = { ...base }
  if (m.state !== null) {
    next.state = m.state
    // A state with nothing running and no print section: the last print's progress is over.
    if (!m.hasPrint && !BUSY_STATES.has(m.state)) {
      Object.assign(next, { percent: null, layer: null, totalLayers: null, minutesLeft: null })
      next.taskName = null
    }
  }
  if (m.hasPrint) {
    if (m.percent !== null) next.percent = m.percent
    if (m.currentLayer !== undefined) next.layer = m.currentLayer
    if (m.totalLayers !== undefined) next.totalLayers = m.totalLayers
    if (m.timeRemaining !== undefined) next.minutesLeft = m.timeRemaining
    if (m.taskName !== undefined) next.taskName = m.taskName
  }
  if (m.health) {
    next.health = [
      ...m.health.errors.map((h) => ({ level: 'error' as const, ...h })),
      ...m.health.warnings.map((h) => ({ level: 'warning' as const, ...h })),
      ...m.health.infos.map((h) => ({ level: 'info' as const, ...h }))
    ]
  }
  return next
}

/** Creates an empty cache; nothing is fetched until `list()`. */
export function createPrinterCache(opts: PrinterCacheOptions): PrinterCache {
  const { clock } = opts
  let cached: PrinterList | null = null
  let raw = new Map<string, Printer>()
  const live = new Map<string, LivePrinter>()
  let fetching: Promise<PrinterList> | null = null
  let pushTimer: TimerHandle | undefined
  let lastPush = -Infinity
  let closed = false

  const summarise = (p: Printer): PrinterSummary => toPrinterSummary(p, live.get(p.id), opts.jobOf)
  const rebuild = (at: number): PrinterList => {
    cached = { printers: [...raw.values()].map(summarise), fetchedAt: at }
    return cached
  }

  const push = (): void => {
    lastPush = clock.now()
    if (cached && !closed) opts.onChange?.(cached)
  }
  /** Pushes the list now, or once a second has passed since the last push. */
  const changed = (): void => {
    if (!opts.onChange || closed || pushTimer !== undefined) return
    const wait = lastPush + PRINTER_PUSH_MS - clock.now()
    if (wait <= 0) return push()
    pushTimer = clock.setTimeout(() => {
      pushTimer = undefined
      push()
    }, wait)
  }

  const fetchNow = async (): Promise<PrinterList> => {
    const printers = await opts.client.listPrinters({ limit: 1000 })
    raw = new Map(printers.map((p) => [p.id, p]))
    for (const id of live.keys()) if (!raw.has(id)) live.delete(id)
    return rebuild(clock.now())
  }

  const maxAge = (refresh: boolean): number =>
    refresh ? PRINTER_MIN_REFRESH_MS : opts.live?.() ? PRINTER_CACHE_LIVE_MS : PRINTER_CACHE_MS

  /** A visible fingerprint of a summary: a push only when something shown changed. */
  const shown = (s: PrinterSummary | undefined): string =>
    s
      ? JSON.stringify([
          s.state,
          s.job?.label,
          s.job?.percent === null || s.job?.percent === undefined
            ? null
            : Math.floor(s.job.percent),
          s.job?.layer,
          s.job?.minutesLeft,
          s.health
        ])
      : ''

  return {
    async list(options = {}) {
      const age = cached ? clock.now() - cached.fetchedAt : Infinity
      if (cached && age < maxAge(options.refresh === true)) return cached
      fetching ??= fetchNow().finally(() => (fetching = null))
      return fetching
    },
    current: () => cached,
    applyEvent(entities, event = {}) {
      if (!cached) return
      let any = false
      if (event.action === 'DELETE') {
        for (const id of Object.keys(entities)) {
          any = raw.delete(id) || any
          live.delete(id)
        }
      } else {
        const ids = new Set([...Object.keys(entities), ...Object.keys(event.changes ?? {})])
        for (const id of ids) {
          const before = raw.get(id)
          const fields: Record<string, unknown> = {}
          for (const [k, v] of Object.entries(event.changes?.[id] ?? {}))
            fields[k] = changedValue(v)
          Object.assign(fields, entities[id] ?? {})
          const merged = { ...(before ?? {}), ...fields, id } as Printer
          // A printer seen for the first time needs at least the fields the list shows.
          if (!before && (typeof merged.name !== 'string' || typeof merged.isOnline !== 'boolean'))
            continue
          raw.set(id, merged)
          any = true
        }
      }
      if (!any) return
      rebuild(clock.now())
      changed()
    },
    applyStats(m) {
      const before = cached?.printers.find((p) => p.id === m.printerId)
      live.set(m.printerId, mergeStats(live.get(m.printerId), m))
      if (!cached || !raw.has(m.printerId)) return
      const after = summarise(raw.get(m.printerId)!)
      if (shown(before) === shown(after)) return
      rebuild(cached.fetchedAt)
      changed()
    },
    async confirmReady(printerId) {
      if (!opts.client.confirmReady) throw new Error('this client cannot mark beds clear')
      const printers = await opts.client.confirmReady([printerId], true)
      const updated = printers.find((p) => p.id === printerId)
      if (!updated) {
        throw new PrintagoError({
          code: 'not-found',
          method: 'PATCH',
          path: '/v1/printers/confirm-ready',
          message: 'Printago did not mark this bed clear: it does not know the printer (deleted?).'
        })
      }
      raw.set(printerId, { ...(raw.get(printerId) ?? {}), ...updated })
      rebuild(cached?.fetchedAt ?? clock.now())
      changed()
      return summarise(raw.get(printerId)!)
    },
    nameOf: (printerId) => raw.get(printerId)?.name,
    close() {
      closed = true
      if (pushTimer !== undefined) clock.clearTimeout(pushTimer)
      pushTimer = undefined
    }
  }
}
