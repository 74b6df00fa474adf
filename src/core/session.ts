// One store session: everything that talks to one Printago store from this process, opened once
// and closed once, `opening → open → closing → closed`. It owns the rate limiter (its request log
// persisted in the store's folder, so the next run of the app or the CLI cannot burst), the
// Printago client, the printer cache, the history, the send service (leased per journal folder,
// see session-senders.ts) and, for the app, the live parts: realtime, the status sync and the
// timer that continues unfinished sends. The app core and every CLI command open stores here.
// In the app, realtime also feeds the printer list (entity events, printer stats) and a watcher
// tells when one of my queued jobs waits for a bed to be cleared.
import type { HistoryEntry, HistorySnapshot, JobCopy } from '../shared/history'
import type { PrinterList, StoreStatus } from '../shared/ipc'
import type { SendRequest } from '../shared/send'
import { clockSleep, every, realClock, type Clock } from './infra/clock'
import { createLogger } from './infra/log'
import { createBedWaitWatcher, type BedWait } from './history/bed-wait'
import { openHistoryStore, type ConfFactory, type HistoryStore } from './history/store'
import { createStatusSync, type StatusSync } from './history/sync'
import { createPrintagoClient, type ClientNotice, type PrintagoClient } from './printago/client'
import { createRateLimiter } from './printago/rate-limiter'
import { createRealtimeClient, type RealtimeClient } from './printago/realtime'
import { createPrinterCache, type PrinterCache } from './printers/cache'
import { recordJobFiles } from './send/record-history'
import type { ReprintRequest, SendOptions, SendResult, SendService } from './send/service'
import { leaseSendService, type SenderLease } from './session-senders'
import { maskKey } from './stores'

const log = createLogger('session')

export const RESUME_EVERY_MS = 30_000

export type SessionState = 'opening' | 'open' | 'closing' | 'closed'

/** What the app adds to a session: live job status, realtime printers, resumed sends. */
export interface LiveSessionOptions {
  /** MQTT endpoint; null: REST polling only. */
  realtimeUrl: string | null
  /** Read on every finished job (the app's notifications setting). */
  notifications: () => boolean
  onHistoryChanged: (snapshot: HistorySnapshot) => void
  onJobFinished: (entry: HistoryEntry, copy: JobCopy) => void
  onPrintersChanged: (list: PrinterList) => void
  /** Sends left unfinished (a crash, a quit, Printago unreachable) that this session continued. */
  onResumed: (results: SendResult[]) => void
  /** One of my queued jobs waits for a bed to be cleared (told once per wait). */
  onBedWait?: (wait: BedWait) => void
  /** Default RESUME_EVERY_MS. */
  resumeEveryMs?: number
  /** The sync's watchdog interval while realtime is connected (default 3 min). */
  watchdogIntervalMs?: number
}

export interface StoreSessionOptions {
  /** The store's own data folder (journal, dedupe cache, history, rate-limit log). */
  dir: string
  storeId: string
  baseUrl: string
  apiKey: string
  /** How the app names the store (default: a Printago store named after its id). */
  status?: StoreStatus
  createConf: ConfFactory
  clock?: Clock
  historySize?: number
  /** Status-only history changes are written after this delay (the CLI writes at once: 0). */
  historyWriteDelayMs?: number
  onProgress?: Parameters<typeof leaseSendService>[0]['onProgress']
  /** How long Printago may still act on a build request after it left (default 60 s). */
  settleMs?: number
  /** The HTTP client's fetch (tests count requests in flight). */
  fetch?: typeof globalThis.fetch
  /** The store's request limits when they differ from Printago's documented 60/min and 600/h. */
  rateLimits?: { perMinute: number; perHour: number }
  /** The app's live parts; the CLI leaves them out. */
  live?: LiveSessionOptions
}

export interface StoreSession {
  readonly state: SessionState
  /** What the renderer may know about the store (never the key). */
  readonly status: StoreStatus
  readonly storeId: string
  readonly dir: string
  readonly client: PrintagoClient
  readonly printers: PrinterCache
  /** The store's history, opened on first use. */
  readonly history: HistoryStore
  /** Follows the jobs (live sessions only). */
  readonly sync: StatusSync | null
  /** The send service, opened on first use (a failed open is tried again on the next call). */
  sender(): Promise<SendService>
  /**
   * Runs one send (resuming a matching unfinished one instead, unless `again`); the service
   * records what it queued in the history. Rejects unless the session is open.
   */
  send(request: SendRequest, options?: SendOptions & { signal?: AbortSignal }): Promise<SendResult>
  /** Print again, journaled like a send. Rejects unless the session is open. */
  reprint(request: ReprintRequest): Promise<SendResult>
  /** Cancels an unfinished send (checking a build in doubt first); null when there is none. */
  cancelPending(jobId: string): Promise<SendResult | null>
  /** Continues every unfinished send of the journal and records what it queued. */
  resumePending(): Promise<SendResult[]>
  /** Cancels a running send of this session's service (also while the session closes). */
  cancel(jobId: string): boolean
  /**
   * Closes the session: waits for its running sends, or with `interrupt` stops them like a quit
   * (they resume when the store opens again). The same promise for every call.
   */
  close(options?: { interrupt?: boolean }): Promise<void>
}

/** Thrown by a session that is closing or closed. */
export class SessionClosedError extends Error {
  constructor() {
    super('The store was closed.')
    this.name = 'SessionClosedError'
  }
}

/** Opens a store session. */
export async function openStoreSession(opts: StoreSessionOptions): Promise<StoreSession> {
  const clock = opts.clock ?? realClock
  const now = (): number => clock.now()
  const sleep = clockSleep(clock)
  let state: SessionState = 'opening'
  const limiter = createRateLimiter({
    persistPath: `${opts.dir}/rate-limit.json`,
    now,
    sleep,
    ...opts.rateLimits
  })
  const client = createPrintagoClient({
    baseUrl: opts.baseUrl,
    apiKey: opts.apiKey,
    storeId: opts.storeId,
    limiter,
    now,
    sleep,
    ...(opts.fetch ? { fetch: opts.fetch } : {})
  })
  const live = opts.live
  let realtime: RealtimeClient | null = null
  let bedWatch: ReturnType<typeof createBedWaitWatcher> | null = null
  const printers = createPrinterCache({
    client,
    clock,
    live: () => realtime?.state === 'connected',
    jobOf: (id) => {
      const entry = history?.byPrintJobId(id)
      return entry ? { label: entry.label, mine: true } : undefined
    },
    onChange: (list) => {
      live?.onPrintersChanged(list)
      if (history) bedWatch?.check(history.list(), list.printers)
    }
  })

  let history: HistoryStore | null = null
  const openHistory = (): HistoryStore => {
    if (history) return history
    history = openHistoryStore({
      dir: opts.dir,
      storeId: opts.storeId,
      createConf: opts.createConf,
      maxEntries: opts.historySize,
      writeDelayMs: opts.historyWriteDelayMs,
      // The clock, not only `now`: the store's write timer runs on it too.
      clock
    })
    // A legacy build's notes reach its entry once the send records it.
    history.onChange(noteNotices)
    return history
  }

  let lease: Promise<SenderLease> | null = null
  let leased: SenderLease | null = null
  const openSender = async (): Promise<SendService> => {
    lease ??= leaseSendService({
      storeDir: opts.dir,
      client,
      clock,
      onProgress: opts.onProgress,
      ...(opts.settleMs !== undefined ? { settleMs: opts.settleMs } : {}),
      recordHistory: (job, indices) => recordJobFiles(openHistory(), opts.storeId, job, indices)
    }).then((l) => (leased = l))
    const pending = lease
    try {
      return (await pending).service
    } catch (error) {
      if (lease === pending) lease = null
      throw error
    }
  }

  // Sends and resumes in progress: the history stays open until they have recorded their files.
  const tasks = new Set<Promise<unknown>>()
  const track = <T>(work: Promise<T>): Promise<T> => {
    tasks.add(work)
    const forget = (): void => void tasks.delete(work)
    work.then(forget, forget)
    return work
  }
  const ownJobs = new Set<string>()

  const resumePending = (): Promise<SendResult[]> => {
    if (state !== 'open') return Promise.reject(new SessionClosedError())
    return track(openSender().then((s) => s.resumePending()))
  }

  // What the legacy /v1/builds dropped, kept until the send records the entry of its build.
  const notices = new Map<string, string>()
  const noteNotices = (): void => {
    for (const [partBuildId, message] of notices) {
      const entry = history?.byPartBuildId(partBuildId)
      if (!entry) continue
      notices.delete(partBuildId)
      history!.update(entry.id, (e) =>
        e.notes?.includes(message) ? null : { ...e, notes: [...(e.notes ?? []), message] }
      )
    }
  }
  const offNotice = client.on('notice', (n: ClientNotice) => {
    log.warn(n.message)
    for (const id of n.partBuildIds) notices.set(id, n.message)
    if (notices.size > 100) notices.delete(notices.keys().next().value!)
    noteNotices()
  })

  let sync: StatusSync | null = null
  let stopResuming = (): void => undefined
  const unsubscribe: Array<() => void> = [offNotice]
  if (live) {
    realtime = live.realtimeUrl
      ? createRealtimeClient({ url: live.realtimeUrl, storeId: opts.storeId, apiKey: opts.apiKey })
      : null
    realtime?.onMessage((message) => {
      if (message.kind === 'printer-stats') printers.applyStats(message)
      else if (message.entityType === 'printer')
        printers.applyEvent(message.entities, {
          action: message.action,
          changes: message.changes
        })
    })
    const store = openHistory()
    if (live.onBedWait) {
      const tell = live.onBedWait
      bedWatch = createBedWaitWatcher({
        notify: (wait) => {
          if (live.notifications()) tell(wait)
        }
      })
      unsubscribe.push(
        store.onChange(() => {
          const list = printers.current()
          if (list) bedWatch?.check(store.list(), list.printers)
        })
      )
    }
    sync = createStatusSync({
      store,
      client,
      realtime,
      clock,
      settings: () => ({ notifications: live.notifications() }),
      printerName: (id) => printers.nameOf(id),
      extras: { queue: true, parts: true },
      ...(live.watchdogIntervalMs ? { watchdogIntervalMs: live.watchdogIntervalMs } : {})
    })
    sync.onChange(live.onHistoryChanged)
    sync.onJobFinished(live.onJobFinished)
    sync.start()
    // Unfinished sends are continued now and then every few seconds while the store is open; a
    // job already running is not started twice (the service knows its running jobs).
    let resuming = false
    const resume = (service: SendService): void => {
      const idle = service.pendingJobs().length === 0 && service.unrecordedJobs().length === 0
      if (resuming || state !== 'open' || idle) return
      resuming = true
      resumePending()
        .then((results) => live.onResumed(results.filter((r) => !ownJobs.has(r.jobId))))
        .catch((e) => log.warn('resume failed', e))
        .finally(() => (resuming = false))
    }
    // The service may not open at first (another instance holds the store's lock): each tick
    // tries again, so unfinished sends are resumed as soon as the store is ours.
    const tick = (): void => {
      if (state === 'closing' || state === 'closed') return
      openSender().then(resume, (e) => log.warn('send service not open yet', e))
    }
    tick()
    stopResuming = every(clock, live.resumeEveryMs ?? RESUME_EVERY_MS, tick)
  }

  let closing: Promise<void> | null = null
  const close = async (interrupt: boolean): Promise<void> => {
    state = 'closing'
    stopResuming()
    const held = lease?.catch(() => null) ?? Promise.resolve(null)
    // A quit stops the running sends first (nothing final is written); otherwise they finish.
    if (interrupt) await (await held)?.release({ interrupt: true })
    while (tasks.size > 0) await Promise.allSettled([...tasks])
    await (await held)?.release()
    for (const u of unsubscribe.splice(0)) u()
    printers.close()
    await sync?.close()
    history?.close()
    limiter.flush()
    state = 'closed'
  }

  const session: StoreSession = {
    get state() {
      return state
    },
    status: opts.status ?? {
      kind: 'printago',
      name: `Store ${opts.storeId.slice(0, 6)}`,
      storeId: opts.storeId,
      keyMasked: maskKey(opts.apiKey),
      baseUrl: opts.baseUrl
    },
    storeId: opts.storeId,
    dir: opts.dir,
    client,
    printers,
    get history() {
      return openHistory()
    },
    sync,
    sender() {
      if (state !== 'open') return Promise.reject(new SessionClosedError())
      return openSender()
    },
    send(request, options = {}) {
      if (state !== 'open') return Promise.reject(new SessionClosedError())
      const { signal, ...sendOptions } = options
      const jobId = sendOptions.jobId
      // Its own sends are reported by their caller, not again by the resume timer.
      if (jobId) ownJobs.add(jobId)
      const work = openSender().then((service) => service.send(request, signal, sendOptions))
      const done = (): void => void (jobId && ownJobs.delete(jobId))
      work.then(done, done)
      return track(work)
    },
    reprint(request) {
      if (state !== 'open') return Promise.reject(new SessionClosedError())
      return track(openSender().then((service) => service.reprint(request)))
    },
    cancelPending(jobId) {
      if (state !== 'open') return Promise.reject(new SessionClosedError())
      return track(openSender().then((service) => service.cancelPending(jobId)))
    },
    resumePending,
    // Only a service that is already open can be running the job.
    cancel: (jobId) => leased?.service.cancel(jobId) ?? false,
    close(options = {}) {
      closing ??= close(options.interrupt === true)
      return closing
    }
  }
  state = 'open'
  return session
}
