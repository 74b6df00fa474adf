// Keeps the history's open jobs up to date.
//
// - Realtime first: MQTT entity events for print jobs of OUR part builds update their copies.
//   Events for builds the history does not know yet are buffered for a while, because the send
//   pipeline creates the build (and Printago emits the job INSERTs) before the entry is added.
// - After every (re)connect one REST reconciliation of the jobs still open (events are not
//   retained, so anything that happened while disconnected is read back):
//   `GET /v1/print-jobs?partBuildId.in=…`, batched.
// - Without MQTT (refused, dropped, not configured): REST polling inside a hard budget of
//   6 requests per sliding minute, backing off while nothing changes, 1/min for a few minutes
//   once nothing is open (a job retried in Printago's UI reopens), then not at all.
// - REST failures (401/403/429/5xx/network) keep the last known state, mark it with its age
//   (`syncedAt`, `sync.error`) and never drop entries; a job gone from the server is marked
//   `deletedOnServer`, not removed.
//
// This file wires the parts together; every timer and every "now" comes from `clock`:
//   sync-apply.ts          job facts → copies → entries (shared by REST and MQTT)
//   sync-reconcile.ts      one REST pass over entries (also the CLI's `history --refresh`)
//   sync-budget.ts         the sync's request budget (sliding window, Retry-After, no retries)
//   sync-rest-pass.ts      one budgeted pass of the sync: targets, error state, printer names
//   sync-poll-policy.ts    when to poll (pure) and the back-off
//   sync-scheduler.ts      one pass at a time, and the poll timer
//   sync-realtime.ts       MQTT message handling; sync-event-buffer.ts holds early events
//   sync-discovery.ts      entries that just appeared
//   sync-printer-names.ts  printer names; sync-printer-stats.ts live progress
//   sync-notify.ts         finished jobs and their notification text
//   sync-snapshot.ts       the snapshot and the throttled onChange emitter
import type { HistoryEntry, HistorySnapshot, JobCopy } from '../../shared/history'
import { realClock, type Clock } from '../infra/clock'
import type { PrintagoClient } from '../printago/client'
import type { RealtimeClient } from '../printago/realtime'
import type { HistoryStore } from './store'
import type { ApplyContext } from './sync-apply'
import { createBudgetedCalls } from './sync-budget'
import { watchNewEntries } from './sync-discovery'
import { createFinishedJobs, type NotifySettings } from './sync-notify'
import { createPollBackoff, nextPollDelay } from './sync-poll-policy'
import { createPrinterNames } from './sync-printer-names'
import { createPrinterStats } from './sync-printer-stats'
import { createRealtimeHandling } from './sync-realtime'
import { createRestPass } from './sync-rest-pass'
import { createSyncScheduler } from './sync-scheduler'
import { createChangeEmitter, syncStatus, takeSnapshot } from './sync-snapshot'

// The sync's public surface, as before the split (callers import it all from here).
export {
  applyJobFacts,
  jobFacts,
  type ApplyContext,
  type FinishedCopy,
  type JobFacts
} from './sync-apply'
export { RequestBudget } from './sync-budget'
export { notificationText, shouldNotify, type NotifySettings } from './sync-notify'
export { reconcileEntries, type ReconcileOptions, type ReconcileResult } from './sync-reconcile'

/** Timers and time, injectable so tests run minutes of polling in milliseconds. */
export type SyncClock = Clock
export { realClock }

export interface StatusSyncOptions {
  store: HistoryStore
  client: Pick<PrintagoClient, 'listPrintJobs' | 'getPrintJob' | 'listPrinters'>
  /** A realtime client (not yet started); the sync starts and closes it. null = REST only. */
  realtime?: RealtimeClient | null
  /** Read on every finished job (the app's settings). Default: notifications on. */
  settings?: () => NotifySettings
  clock?: SyncClock
  /** Hard cap of REST requests per sliding minute. Default 6. */
  maxRequestsPerMinute?: number
  /** Poll interval while jobs are open and realtime is down. Default 10 s. */
  pollIntervalMs?: number
  /** Longest interval of the back-off (and the idle rate). Default 60 s. */
  maxPollIntervalMs?: number
  /** Idle polls (nothing open) before polling stops. Default 5. */
  idlePolls?: number
  /** How recent a finished entry must be to be re-checked by idle polls. Default 15 min. */
  recentMs?: number
  batchSize?: number
  /** A new entry whose jobs were not seen by then gets a REST look-up. Default 3 s. */
  discoverDelayMs?: number
  /** onChange is emitted at most this often. Default 250 ms. */
  changeThrottleMs?: number
  /** How long to wait for realtime's first connection before polling. Default 5 s. */
  realtimeGraceMs?: number
  /** Printer names the app already knows (its printer cache). */
  printerName?: (id: string) => string | undefined
}

export interface StatusSync {
  start(): void
  snapshot(): HistorySnapshot
  onChange(listener: (snapshot: HistorySnapshot) => void): () => void
  /** A copy of one of my jobs completed or failed (and notifications are on). */
  onJobFinished(listener: (entry: HistoryEntry, copy: JobCopy) => void): () => void
  /** Asks for a REST reconciliation soon (budget permitting); resolves when it ran. */
  refresh(): Promise<void>
  /** REST requests the sync made so far. */
  readonly requests: number
  /** Times of the sync's own REST requests (clock ms), for diagnostics and tests. */
  readonly requestTimes: readonly number[]
  close(): Promise<void>
}

/** Creates the sync service; call `start()`. */
export function createStatusSync(opts: StatusSyncOptions): StatusSync {
  const { store } = opts
  const clock = opts.clock ?? realClock
  const realtime = opts.realtime ?? null
  const policy = {
    baseIntervalMs: opts.pollIntervalMs ?? 10_000,
    maxIntervalMs: opts.maxPollIntervalMs ?? 60_000,
    maxIdlePolls: opts.idlePolls ?? 5
  }
  const realtimeGraceMs = opts.realtimeGraceMs ?? 5000
  // Latest server `updatedAt` applied per job, by REST and MQTT alike: older states lose.
  const seen = new Map<string, string>()
  let started = false
  let closed = false
  const live = (): boolean => realtime?.state === 'connected'

  const names = createPrinterNames({ store, client: opts.client, clock, known: opts.printerName })
  const stats = createPrinterStats()
  const finished = createFinishedJobs({
    store,
    settings: opts.settings ?? ((): NotifySettings => ({ notifications: true }))
  })
  const calls = createBudgetedCalls({ clock, maxPerMinute: opts.maxRequestsPerMinute ?? 6 })
  const backoff = createPollBackoff(policy)
  const step = (): ApplyContext => ({
    store,
    printerName: names.nameOf,
    now: () => clock.now(),
    seen,
    finished: []
  })

  const rest = createRestPass({
    store,
    client: opts.client,
    clock,
    calls,
    names,
    seen,
    backoff,
    finished,
    changed: () => emitter.changed(),
    isClosed: () => closed,
    recentMs: opts.recentMs ?? 15 * 60_000,
    batchSize: opts.batchSize
  })
  const snapshot = (): HistorySnapshot =>
    takeSnapshot(
      store,
      stats,
      syncStatus({ live: live(), realtime, lastSyncAt: rest.lastSyncAt, restError: rest.error })
    )
  const emitter = createChangeEmitter({
    clock,
    throttleMs: opts.changeThrottleMs ?? 250,
    snapshot
  })

  const scheduler = createSyncScheduler({
    clock,
    pass: rest.run,
    nextDelay: () =>
      nextPollDelay(
        {
          live: live(),
          hasOpen: store.openEntries().length > 0,
          failing: rest.error !== undefined,
          hasRecent: () => rest.targets().length > 0
        },
        backoff.state,
        policy
      )
  })
  const messages = createRealtimeHandling({
    store,
    clock,
    names,
    stats,
    step,
    finished,
    changed: emitter.changed
  })
  const newEntries = watchNewEntries({ store, clock, delayMs: opts.discoverDelayMs ?? 3000 })

  /** New entries: replay buffered events, and look their jobs up over REST if still unknown. */
  function onStoreChange(): void {
    const fresh = newEntries.take()
    emitter.changed()
    // A change made outside the sync (e.g. a retry reopened copies) may need polling again.
    if (started && !closed && !scheduler.running && !live()) scheduler.plan()
    if (fresh.length === 0 || closed) return
    messages.replay(fresh)
    backoff.reset()
    if (!started) return
    newEntries.checkLater(fresh, (stillUnknown) => {
      if (stillUnknown || !live()) void scheduler.run()
    })
  }

  const unsubscribe: Array<() => void> = [store.onChange(onStoreChange)]

  return {
    start() {
      if (started || closed) return
      started = true
      scheduler.start()
      if (realtime) {
        unsubscribe.push(
          realtime.onMessage(messages.handle),
          realtime.onState((state) => {
            if (state === 'connected') {
              // Events are not retained: read back what happened while we were away.
              scheduler.cancelPoll()
              void scheduler.run()
            } else {
              scheduler.plan()
            }
            emitter.changed()
          })
        )
        realtime.start()
        // Give realtime a moment: its connect triggers the reconciliation; if it does not come
        // up, polling takes over.
        scheduler.pollWithin(realtimeGraceMs)
        return
      }
      void scheduler.run()
    },
    snapshot,
    onChange: emitter.onChange,
    onJobFinished: finished.onJobFinished,
    refresh() {
      backoff.resetIdle()
      return scheduler.run()
    },
    get requests() {
      return calls.requestTimes.length
    },
    requestTimes: calls.requestTimes,
    async close() {
      if (closed) return
      closed = true
      scheduler.stop()
      emitter.stop()
      newEntries.close()
      for (const u of unsubscribe.splice(0)) u()
      // Nothing may touch the store once the caller closes it after us.
      calls.close()
      await scheduler.settled()
      await realtime?.close()
      emitter.clear()
      finished.clear()
    }
  }
}
