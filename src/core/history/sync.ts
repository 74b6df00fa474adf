// Keeps the history's open jobs up to date.
// (~410 lines in one piece: the scheduler, realtime and REST halves share one state — which jobs
// are open, whether realtime is trusted — and the policies they follow live in sync-*.ts.)
//
// - Realtime first: MQTT entity events for print jobs of OUR part builds update their copies.
//   Events for builds the history does not know yet are buffered for a while, because the send
//   pipeline creates the build (and Printago emits the job INSERTs) before the entry is added.
// - After every (re)connect one REST reconciliation of the jobs still open (events are not
//   retained, so anything that happened while disconnected is read back):
//   `GET /v1/print-jobs?partBuildId.in=…`, batched.
// - While connected, a slow watchdog: the same batched pass every few minutes while jobs are
//   open, because job events may not reach an API key at all. When they do not seem to (the
//   watchdog or a new entry's look-up found changes no event brought, unreadable messages on the
//   entity topics, a job stuck in a passing state), the sync polls as if realtime were down until
//   a job event of ours arrives.
// - Besides the jobs, inside the same budget and only with room to spare: where my queued copies
//   stand in Printago's queue, and the parts' slicing estimates and thumbnails.
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
//   sync-realtime-health.ts whether realtime's job events can be trusted while connected
//   sync-queue.ts          queue positions; sync-parts.ts estimates and thumbnails;
//   sync-extras.ts         when those run (inside the budget, only with room to spare)
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
import { createPartFacts, type PartFacts } from './sync-parts'
import { createPollBackoff, nextPollDelay } from './sync-poll-policy'
import { createPrinterNames } from './sync-printer-names'
import { createPrinterStats } from './sync-printer-stats'
import { createQueuePositions } from './sync-queue'
import { createRealtimeHandling } from './sync-realtime'
import { createExtrasScheduler } from './sync-extras'
import { createRealtimeHealth } from './sync-realtime-health'
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
export {
  reconcileCause,
  reconcileEntries,
  ReconcileError,
  type ReconcileOptions,
  type ReconcileResult
} from './sync-reconcile'

/** Timers and time, injectable so tests run minutes of polling in milliseconds. */
export type SyncClock = Clock
export { realClock }

/** What the sync reads; without the part calls it shows no estimates or Printago thumbnails. */
export type SyncClient = Pick<PrintagoClient, 'listPrintJobs' | 'getPrintJob' | 'listPrinters'> &
  Partial<
    Pick<PrintagoClient, 'listParts' | 'requestPartEstimate' | 'signedDownloadUrls' | 'download'>
  >

export interface StatusSyncOptions {
  store: HistoryStore
  client: SyncClient
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
  /** The watchdog's interval while realtime is connected and jobs are open. Default 3 min. */
  watchdogIntervalMs?: number
  /**
   * The operator's extras inside the same budget: queue places of my queued copies, and the
   * parts' estimates and thumbnails (needs the client's part calls). Default off (the app's
   * session turns them on).
   */
  extras?: { queue?: boolean; parts?: boolean }
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
  /** The user changed the queue (move to front…): read the queue places again soon. */
  queueChanged(): void
  /** Why realtime is connected but not trusted with the jobs (undefined when it is). */
  readonly realtimeDoubt: string | undefined
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
    maxIdlePolls: opts.idlePolls ?? 5,
    watchdogIntervalMs: opts.watchdogIntervalMs
  }
  const realtimeGraceMs = opts.realtimeGraceMs ?? 5000
  // Latest server `updatedAt` applied per job, by REST and MQTT alike: older states lose.
  const seen = new Map<string, string>()
  let started = false
  let closed = false
  const live = (): boolean => realtime?.state === 'connected'
  const health = createRealtimeHealth({ clock, onChange: () => onHealthChange() })
  /** Connected and trusted with the jobs. */
  const trusted = (): boolean => live() && !health.suspect

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
  const queue = createQueuePositions({ client: opts.client, clock })
  const withQueue = opts.extras?.queue === true
  const client = opts.client
  const parts: PartFacts | null =
    opts.extras?.parts &&
    client.listParts &&
    client.requestPartEstimate &&
    client.signedDownloadUrls &&
    client.download
      ? createPartFacts({
          store,
          clock,
          client: {
            listParts: client.listParts,
            requestPartEstimate: client.requestPartEstimate,
            signedDownloadUrls: client.signedDownloadUrls,
            download: client.download
          }
        })
      : null
  const snapshot = (): HistorySnapshot =>
    takeSnapshot(
      store,
      { overlay: (entries) => queue.overlay(stats.overlay(entries)) },
      syncStatus({
        live: trusted(),
        realtime,
        lastSyncAt: rest.lastSyncAt,
        restError: rest.error,
        doubt: live() ? health.reason : undefined
      })
    )
  const emitter = createChangeEmitter({
    clock,
    throttleMs: opts.changeThrottleMs ?? 250,
    snapshot
  })

  // The pass right after a (re)connect reads back what happened while away: its changes are no
  // sign of missed events. Any later pass made while connected that changes copies is.
  let afterConnect = false
  const pass = async (): Promise<void> => {
    const watching = live() && !afterConnect && !health.suspect
    afterConnect = false
    if (watching && health.stuck(store.openEntries().flatMap((e) => e.copies)))
      health.missed('a job stayed in a passing state without any realtime event')
    const report = await rest.run()
    if (watching && report && report.changed > 0)
      health.missed('a check over REST found job changes that realtime had not brought')
    if (report && report.changed > 0) queue.dirty()
    planExtras()
  }
  const scheduler = createSyncScheduler({
    clock,
    pass,
    nextDelay: () =>
      nextPollDelay(
        {
          live: live(),
          suspect: health.suspect,
          hasOpen: store.openEntries().length > 0,
          failing: rest.error !== undefined,
          hasRecent: () => rest.targets().length > 0
        },
        backoff.state,
        policy
      )
  })

  // Queue places and part facts, inside the budget only when it has room (sync-extras.ts).
  const extras = createExtrasScheduler({
    clock,
    calls,
    entries: () => store.list(),
    work: [
      ...(withQueue
        ? [
            {
              dueIn: (entries: readonly HistoryEntry[]) => queue.dueIn(entries),
              run: async () => {
                if (await queue.refresh(calls.call)) emitter.changed()
              }
            }
          ]
        : []),
      ...(parts ? [{ dueIn: () => parts.dueIn(), run: () => parts.work(calls.call) }] : [])
    ]
  })
  const planExtras = (): void => {
    if (started && !closed) extras.plan()
  }

  /** Trust in realtime changed: poll (or stop polling) and say so. */
  function onHealthChange(): void {
    if (!started || closed) return
    if (!scheduler.running) {
      if (health.suspect) scheduler.pollWithin(0)
      else {
        // Trusted again: the polls planned meanwhile give way to the watchdog's pace.
        scheduler.cancelPoll()
        scheduler.plan()
      }
    }
    emitter.changed()
  }
  const messages = createRealtimeHandling({
    store,
    clock,
    names,
    stats,
    step,
    finished,
    changed: emitter.changed,
    parts: parts ?? undefined,
    onJobEvent: (ours) => {
      queue.dirty()
      if (ours) {
        health.jobEvent()
        // Rows of only the changed fields name no printer: a copy on an unknown printer asks
        // for the printer list (at most every ten minutes, inside the budget).
        void names.refreshFor(store.openEntries(), calls.call).catch(() => undefined)
      }
      planExtras()
    }
  })
  const newEntries = watchNewEntries({ store, clock, delayMs: opts.discoverDelayMs ?? 3000 })

  /** New entries: replay buffered events, and look their jobs up over REST if still unknown. */
  function onStoreChange(): void {
    const fresh = newEntries.take()
    emitter.changed()
    // A change made outside the sync (e.g. a retry reopened copies) may need polling again, or
    // the watchdog once jobs are open while connected (an earlier poll is never pushed back).
    if (started && !closed && !scheduler.running) scheduler.plan()
    if (fresh.length === 0 || closed) return
    messages.replay(fresh)
    backoff.reset()
    // A new send: its place in the queue is worth showing soon.
    queue.dirty(true)
    if (!started) return
    planExtras()
    newEntries.checkLater(fresh, (stillUnknown) => {
      // Its jobs did not come over realtime: look them up (a change found then is a missed event).
      if (stillUnknown || !trusted()) void scheduler.run()
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
          realtime.onUnrecognised((m) => {
            health.unrecognised(m, store.openEntries().length > 0)
          }),
          realtime.onState((state) => {
            if (state === 'connected') {
              // Events are not retained: read back what happened while we were away.
              scheduler.cancelPoll()
              afterConnect = true
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
        planExtras()
        return
      }
      void scheduler.run()
      planExtras()
    },
    snapshot,
    onChange: emitter.onChange,
    onJobFinished: finished.onJobFinished,
    refresh() {
      backoff.resetIdle()
      return scheduler.run()
    },
    queueChanged() {
      queue.dirty(true)
      planExtras()
    },
    get realtimeDoubt() {
      return live() ? health.reason : undefined
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
      await extras.close()
      await realtime?.close()
      emitter.clear()
      finished.clear()
    }
  }
}
