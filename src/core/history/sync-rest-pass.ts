// One REST pass of the status sync, inside its request budget: reconciles the entries worth
// checking (the open ones; when none is open, those finished recently), then fills in unknown
// printer names. A failure (401/403/429/5xx/network) keeps the last known state and says why
// with its age; a 429's Retry-After holds every further request. Never throws.
import type { HistoryEntry } from '../../shared/history'
import type { Clock } from '../infra/clock'
import { createLogger } from '../infra/log'
import type { PrintagoClient } from '../printago/client'
import { isPrintagoError } from '../printago/errors'
import type { HistoryStore } from './store'
import type { FinishedCopy } from './sync-apply'
import type { BudgetedCalls } from './sync-budget'
import type { FinishedJobs } from './sync-notify'
import type { PollBackoff } from './sync-poll-policy'
import type { PrinterNames } from './sync-printer-names'
import { reconcileCause, reconcileEntries, ReconcileError } from './sync-reconcile'

const log = createLogger('status-sync')

/** The sentence the UI shows for a failed pass. */
export function describeSyncError(e: unknown): string {
  if (isPrintagoError(e)) {
    if (e.code === 'auth')
      return 'Printago rejected the API key (401); showing the last known state.'
    if (e.code === 'forbidden')
      return 'The API key may not read the queue (403, needs queue.view); showing the last known state.'
    if (e.code === 'rate-limited')
      return "Printago's rate limit was hit; showing the last known state."
    if (e.code === 'server')
      return `Printago had a server error (${e.status ?? '5xx'}); showing the last known state.`
    if (e.code === 'network' || e.code === 'timeout')
      return 'Printago is unreachable; showing the last known state.'
    return `${e.message}; showing the last known state.`
  }
  return `${(e as Error)?.message ?? String(e)}; showing the last known state.`
}

/** What one pass did: how many entries changed; null when it checked nothing or failed. */
export type PassReport = { changed: number } | null

export interface RestPass {
  /** One pass; never throws. */
  run(): Promise<PassReport>
  /** The entries a pass checks: the open ones, else those finished within `recentMs`. */
  targets(): HistoryEntry[]
  /** When a pass last succeeded (clock ms). */
  readonly lastSyncAt: number | null
  /** Why the last pass failed; undefined after a success. */
  readonly error: string | undefined
}

export interface RestPassOptions {
  store: HistoryStore
  client: Pick<PrintagoClient, 'listPrintJobs' | 'getPrintJob'>
  clock: Clock
  calls: BudgetedCalls
  names: PrinterNames
  /** Latest server `updatedAt` applied per job, shared with the realtime handling. */
  seen: Map<string, string>
  backoff: PollBackoff
  finished: FinishedJobs
  /** Something visible changed. */
  changed: () => void
  isClosed: () => boolean
  recentMs: number
  batchSize?: number
}

export function createRestPass(opts: RestPassOptions): RestPass {
  const { store, clock } = opts
  let lastSyncAt: number | null = null
  let error: string | undefined

  function targets(): HistoryEntry[] {
    const open = store.openEntries()
    if (open.length > 0) return open
    const since = new Date(clock.now() - opts.recentMs).toISOString()
    return store
      .list()
      .filter((e) => e.updatedAt >= since && !e.copies.every((c) => c.deletedOnServer))
  }

  async function run(): Promise<PassReport> {
    const list = targets()
    const hadOpen = store.openEntries().length > 0
    if (list.length === 0) {
      error = undefined
      return null
    }
    let finished: FinishedCopy[] = []
    let report: PassReport = null
    try {
      const r = await reconcileEntries({
        store,
        client: opts.client,
        entries: list,
        now: () => clock.now(),
        call: opts.calls.call,
        batchSize: opts.batchSize,
        printerName: opts.names.nameOf,
        seen: opts.seen
      })
      lastSyncAt = clock.now()
      error = undefined
      finished = r.finished
      report = { changed: r.changed }
      opts.backoff.record({ kind: 'done', changed: r.changed, hadOpen })
      await opts.names.refreshFor(list, opts.calls.call)
    } catch (failure) {
      // The batches before the failure were saved: their finished copies are still news.
      if (failure instanceof ReconcileError) finished = failure.partial.finished
      if (opts.isClosed()) return null
      const e = reconcileCause(failure)
      error = describeSyncError(e)
      opts.backoff.record({ kind: 'failed' })
      if (isPrintagoError(e) && e.code === 'rate-limited' && e.retryAfterSeconds !== undefined) {
        opts.calls.blockUntil(clock.now() + e.retryAfterSeconds * 1000)
      }
      log.warn('reconciliation failed; keeping the last known state', error)
    } finally {
      opts.finished.dispatch(finished)
      opts.changed()
    }
    return report
  }

  return {
    run,
    targets,
    get lastSyncAt() {
      return lastSyncAt
    },
    get error() {
      return error
    }
  }
}
