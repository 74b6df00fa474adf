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
import type { HistoryEntry, HistorySnapshot, JobCopy, SyncMode } from '../../shared/history'
import { isTerminal } from '../../shared/history'
import type { PrintJob } from '../../shared/printago/api-types'
import type { AppSettings } from '../../shared/settings'
import type { HistoryStore } from './store'
import { realClock, type Clock } from '../infra/clock'
import { createLogger } from '../infra/log'
import type { CallOptions, PrintagoClient } from '../printago/client'
import { isPrintagoError, type PrintagoError } from '../printago/errors'
import type { EntityMessage, PrinterStatsMessage, RealtimeClient } from '../printago/realtime'

const log = createLogger('status-sync')

/** The settings the sync reads (the app's `notifications` toggle). */
export type NotifySettings = Pick<AppSettings, 'notifications'>

/** Whether a copy's change deserves a desktop notification: it just completed or failed. */
export function shouldNotify(
  prev: Pick<JobCopy, 'status'> | undefined,
  next: Pick<JobCopy, 'status' | 'deletedOnServer'>,
  settings: NotifySettings
): boolean {
  if (!settings.notifications || next.deletedOnServer) return false
  if (next.status !== 'completed' && next.status !== 'failed') return false
  return prev?.status !== next.status
}

/** Title and body of the desktop notification for a finished copy. */
export function notificationText(
  entry: HistoryEntry,
  copy: JobCopy
): { title: string; body: string } {
  const name = entry.label || entry.fileName
  const index = entry.copies.findIndex((c) => c.printJobId === copy.printJobId)
  const which =
    entry.copies.length > 1 && index >= 0 ? `Copy ${index + 1} of ${entry.copies.length}` : ''
  const where = copy.printerName ? `on ${copy.printerName}` : ''
  if (copy.status === 'failed') {
    const reason = copy.errorMessage ? `: ${copy.errorMessage}` : ''
    return {
      title: `Print failed: ${name}`,
      body: `${[which, where].filter(Boolean).join(' ') || 'The print'} failed${reason}`.slice(
        0,
        250
      )
    }
  }
  return {
    title: `Printed: ${name}`,
    body: `${[which, where].filter(Boolean).join(' ') || 'The print'} finished.`
  }
}

/** Timers and time, injectable so tests run minutes of polling in milliseconds. */
export type SyncClock = Clock
export { realClock }

/** A sliding-window request budget: at most `max` requests in any `windowMs`. */
export class RequestBudget {
  private readonly times: number[] = []

  constructor(
    readonly max: number,
    readonly windowMs = 60_000
  ) {}

  /** ms until one more request fits (0 = now). */
  waitMs(now: number): number {
    while (this.times.length > 0 && this.times[0]! <= now - this.windowMs) this.times.shift()
    return this.times.length < this.max ? 0 : this.times[0]! + this.windowMs - now
  }

  take(now: number): void {
    this.times.push(now)
  }

  /** Request times still inside the window (for tests and diagnostics). */
  recent(now: number): number {
    this.waitMs(now)
    return this.times.length
  }
}

// ---- applying server state to copies ------------------------------------------------------------

/** The job fields the history uses; everything may be missing in a partial MQTT entity. */
type JobFacts = Partial<
  Pick<
    PrintJob,
    'status' | 'assignedPrinterId' | 'errorMessage' | 'updatedAt' | 'partBuildId' | 'quantityIndex'
  >
> & { id: string }

const JOB_FIELDS = 'id,partBuildId,quantityIndex,status,assignedPrinterId,errorMessage,updatedAt'

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

function strOrNull(v: unknown): string | null | undefined {
  return v === null ? null : typeof v === 'string' ? v : undefined
}

/** A `changes` value may be the new value or an `{old,new}` / `{from,to}` pair (undocumented). */
function changedValue(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const r = v as Record<string, unknown>
    if ('new' in r) return r['new']
    if ('to' in r) return r['to']
  }
  return v
}

/** Reads job facts from a REST job or an MQTT entity (+ its changes), defensively. */
export function jobFacts(
  id: string,
  raw: Record<string, unknown>,
  changes?: Record<string, unknown>
): JobFacts {
  const merged: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(changes ?? {})) merged[k] = changedValue(v)
  Object.assign(merged, raw)
  const facts: JobFacts = { id }
  const status = str(merged['status'])
  if (status) facts.status = status as PrintJob['status']
  const printer = strOrNull(merged['assignedPrinterId'])
  if (printer !== undefined) facts.assignedPrinterId = printer
  const error = strOrNull(merged['errorMessage'])
  if (error !== undefined) facts.errorMessage = error
  const updatedAt = str(merged['updatedAt'])
  if (updatedAt) facts.updatedAt = updatedAt
  const build = str(merged['partBuildId'])
  if (build) facts.partBuildId = build
  if (typeof merged['quantityIndex'] === 'number') facts.quantityIndex = merged['quantityIndex']
  return facts
}

/** The copy after applying `facts` (a new object), or null when nothing visible changed. */
export function applyJobFacts(
  prev: JobCopy | undefined,
  facts: JobFacts,
  printerName: (id: string) => string | undefined,
  nowIso: string
): JobCopy | null {
  const printerId =
    facts.assignedPrinterId !== undefined ? facts.assignedPrinterId : (prev?.printerId ?? null)
  const next: JobCopy = {
    printJobId: facts.id,
    status: facts.status ?? prev?.status ?? 'pending',
    printerId,
    updatedAt: facts.updatedAt ?? prev?.updatedAt ?? nowIso
  }
  const name = printerId
    ? (printerName(printerId) ?? (prev?.printerId === printerId ? prev.printerName : null))
    : null
  if (name) next.printerName = name
  const error = facts.errorMessage !== undefined ? facts.errorMessage : prev?.errorMessage
  if (error) next.errorMessage = error
  if (prev?.deletedOnServer && !facts.status) next.deletedOnServer = true
  if (
    prev &&
    prev.status === next.status &&
    prev.printerId === next.printerId &&
    (prev.printerName ?? null) === (next.printerName ?? null) &&
    (prev.errorMessage ?? null) === (next.errorMessage ?? null) &&
    !!prev.deletedOnServer === !!next.deletedOnServer
  ) {
    return null
  }
  return next
}

/** One copy that reached completed/failed during a sync step. */
export interface FinishedCopy {
  entry: HistoryEntry
  prev: JobCopy | undefined
  copy: JobCopy
}

interface ApplyContext {
  store: HistoryStore
  printerName: (id: string) => string | undefined
  now: () => number
  /** Latest server `updatedAt` applied per job: older events/answers are ignored. */
  seen: Map<string, string>
  finished: FinishedCopy[]
}

/** Applies job facts to one entry; returns true when the entry changed. */
function applyToEntry(
  ctx: ApplyContext,
  entryId: string,
  jobs: JobFacts[],
  extra?: Partial<HistoryEntry>
): boolean {
  const nowIso = new Date(ctx.now()).toISOString()
  const changedCopies: Array<{ prev: JobCopy | undefined; copy: JobCopy }> = []
  const updated = ctx.store.update(entryId, (entry) => {
    const copies = [...entry.copies]
    const order = new Map<string, number>()
    for (const job of jobs) {
      const last = ctx.seen.get(job.id)
      if (job.updatedAt && last && job.updatedAt < last) continue // out of order: older state
      const i = copies.findIndex((c) => c.printJobId === job.id)
      const prev = i >= 0 ? copies[i] : undefined
      const next = applyJobFacts(prev, job, ctx.printerName, nowIso)
      if (job.updatedAt) ctx.seen.set(job.id, job.updatedAt)
      if (job.quantityIndex !== undefined) order.set(job.id, job.quantityIndex)
      if (!next) continue
      if (i >= 0) copies[i] = next
      else copies.push(next)
      changedCopies.push({ prev, copy: next })
    }
    if (changedCopies.length === 0 && !extra) return null
    if (order.size > 0 && changedCopies.some((c) => !c.prev)) {
      // New copies: keep Printago's quantityIndex order where we know it.
      copies.sort((a, b) => (order.get(a.printJobId) ?? 1e9) - (order.get(b.printJobId) ?? 1e9))
    }
    return {
      ...entry,
      ...extra,
      copies,
      updatedAt: changedCopies.length > 0 ? nowIso : entry.updatedAt
    }
  })
  if (!updated) return false
  for (const c of changedCopies) {
    if (
      c.copy.status !== c.prev?.status &&
      (c.copy.status === 'completed' || c.copy.status === 'failed')
    ) {
      ctx.finished.push({ entry: updated, prev: c.prev, copy: c.copy })
    }
  }
  return changedCopies.length > 0
}

/** Marks copies deleted on the server (kept, flagged, no longer open). */
function markDeleted(ctx: ApplyContext, entryId: string, jobIds: Set<string>): void {
  if (jobIds.size === 0) return
  ctx.store.update(entryId, (entry) => {
    let changed = false
    const copies = entry.copies.map((c) => {
      if (!jobIds.has(c.printJobId) || c.deletedOnServer) return c
      changed = true
      return { ...c, deletedOnServer: true }
    })
    return changed ? { ...entry, copies, updatedAt: new Date(ctx.now()).toISOString() } : null
  })
}

export interface ReconcileOptions {
  store: HistoryStore
  client: Pick<PrintagoClient, 'listPrintJobs' | 'getPrintJob'>
  entries: HistoryEntry[]
  now?: () => number
  /** Wraps every REST call (budget, no-retry); default calls straight through. */
  call?: <T>(fn: (o: CallOptions) => Promise<T>) => Promise<T>
  /** Part builds per `partBuildId.in=` request. Default 40 (keeps the URL short). */
  batchSize?: number
  printerName?: (id: string) => string | undefined
  seen?: Map<string, string>
}

export interface ReconcileResult {
  requests: number
  /** Entries whose copies changed. */
  changed: number
  finished: FinishedCopy[]
}

const PAGE = 1000

/**
 * One REST pass over `entries`: lists their jobs by part build (batched), applies them, and marks
 * open copies the server no longer has (confirmed one by one with GET → 404). Throws the first
 * failed request's error after applying the batches that succeeded.
 */
export async function reconcileEntries(opts: ReconcileOptions): Promise<ReconcileResult> {
  const now = opts.now ?? Date.now
  const call = opts.call ?? (<T>(fn: (o: CallOptions) => Promise<T>): Promise<T> => fn({}))
  const ctx: ApplyContext = {
    store: opts.store,
    printerName: opts.printerName ?? (() => undefined),
    now,
    seen: opts.seen ?? new Map(),
    finished: []
  }
  const batchSize = Math.max(1, opts.batchSize ?? 40)
  const result: ReconcileResult = { requests: 0, changed: 0, finished: ctx.finished }
  const builds = [...new Set(opts.entries.map((e) => e.partBuildId))]
  for (let b = 0; b < builds.length; b += batchSize) {
    const batch = builds.slice(b, b + batchSize)
    const jobs: PrintJob[] = []
    for (let offset = 0; ; offset += PAGE) {
      const query: Record<string, string | number> =
        batch.length === 1 ? { partBuildId: batch[0]! } : { 'partBuildId.in': batch.join(',') }
      query.fields = JOB_FIELDS
      query.limit = PAGE
      if (offset > 0) query.offset = offset
      result.requests++
      const page = await call((o) => opts.client.listPrintJobs(query, o))
      jobs.push(...page)
      if (page.length < PAGE) break
    }
    const syncedAt = now()
    for (const partBuildId of batch) {
      const entry = opts.store.byPartBuildId(partBuildId)
      if (!entry) continue
      const mine = jobs.filter((j) => j.partBuildId === partBuildId)
      const facts = mine.map((j) => jobFacts(j.id, j as unknown as Record<string, unknown>))
      if (applyToEntry(ctx, entry.id, facts, { syncedAt })) result.changed++
      // Open copies the build no longer lists: deleted, or hidden — ask for each one.
      const listed = new Set(mine.map((j) => j.id))
      const missing = (opts.store.get(entry.id)?.copies ?? []).filter(
        (c) => !listed.has(c.printJobId) && !c.deletedOnServer && !isTerminal(c.status)
      )
      const gone = new Set<string>()
      for (const c of missing) {
        result.requests++
        const job = await call((o) => opts.client.getPrintJob(c.printJobId, o))
        if (job === null) gone.add(c.printJobId)
        else if (
          applyToEntry(ctx, entry.id, [jobFacts(job.id, job as unknown as Record<string, unknown>)])
        ) {
          result.changed++
        }
      }
      markDeleted(ctx, entry.id, gone)
    }
  }
  return result
}

// ---- the service --------------------------------------------------------------------------------

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

const BUFFER_BUILDS = 500
const BUFFER_MS = 10 * 60_000
const PRINTER_LIST_EVERY_MS = 10 * 60_000

/** Creates the sync service; call `start()`. */
export function createStatusSync(opts: StatusSyncOptions): StatusSync {
  const store = opts.store
  const clock = opts.clock ?? realClock
  const settings = opts.settings ?? ((): NotifySettings => ({ notifications: true }))
  const realtime = opts.realtime ?? null
  const budget = new RequestBudget(opts.maxRequestsPerMinute ?? 6)
  const baseInterval = opts.pollIntervalMs ?? 10_000
  const maxInterval = opts.maxPollIntervalMs ?? 60_000
  const maxIdlePolls = opts.idlePolls ?? 5
  const recentMs = opts.recentMs ?? 15 * 60_000
  const discoverDelayMs = opts.discoverDelayMs ?? 3000
  const throttleMs = opts.changeThrottleMs ?? 250
  const realtimeGraceMs = opts.realtimeGraceMs ?? 5000
  const seen = new Map<string, string>()
  const printerNames = new Map<string, string>()
  const progress = new Map<string, number>()
  const buffered = new Map<string, { at: number; jobs: Map<string, JobFacts> }>()
  const changeListeners = new Set<(s: HistorySnapshot) => void>()
  const finishListeners = new Set<(e: HistoryEntry, c: JobCopy) => void>()
  const requestTimes: number[] = []
  const inflight = new Set<AbortController>()
  let knownBuilds = new Set(store.list().map((e) => e.partBuildId))
  let started = false
  let closed = false
  let lastSyncAt: number | null = null
  let restError: string | undefined
  let interval = baseInterval
  let idlePolls = 0
  let pollTimer: unknown
  let pollDue = Infinity
  let running: Promise<void> | null = null
  let rerun = false
  let waiters: Array<() => void> = []
  let blockedUntil = 0
  let lastPrinterList = -Infinity
  let emitTimer: unknown
  let lastEmit = -Infinity

  const printerName = (id: string): string | undefined =>
    printerNames.get(id) ?? opts.printerName?.(id)
  const live = (): boolean => realtime?.state === 'connected'

  const mode = (): SyncMode => (live() ? 'realtime' : restError ? 'offline' : 'polling')

  function snapshot(): HistorySnapshot {
    const entries = store.list().map((e) => {
      if (
        !e.copies.some((c) => c.status === 'printing' && c.printerId && progress.has(c.printerId))
      )
        return e
      return {
        ...e,
        copies: e.copies.map((c) =>
          c.status === 'printing' && c.printerId && progress.has(c.printerId)
            ? { ...c, progress: progress.get(c.printerId)! }
            : c
        )
      }
    })
    const sync: HistorySnapshot['sync'] = { mode: mode(), lastSyncAt }
    const error =
      restError ??
      (realtime && realtime.state === 'refused'
        ? `Live updates are unavailable: ${realtime.lastError ?? 'refused'}`
        : undefined)
    if (error) sync.error = error
    const snap: HistorySnapshot = { entries, sync }
    if (store.recovered) snap.recovered = store.recovered
    return snap
  }

  const emitNow = (): void => {
    emitTimer = undefined
    lastEmit = clock.now()
    if (changeListeners.size === 0) return
    const snap = snapshot()
    for (const l of changeListeners) {
      try {
        l(snap)
      } catch (e) {
        log.error('history change listener failed', e)
      }
    }
  }

  const changed = (): void => {
    if (closed || emitTimer !== undefined) return
    emitTimer = clock.setTimeout(emitNow, Math.max(0, lastEmit + throttleMs - clock.now()))
  }

  const dispatchFinished = (finished: FinishedCopy[]): void => {
    const s = settings()
    for (const f of finished) {
      if (!shouldNotify(f.prev, f.copy, s)) continue
      const entry = store.get(f.entry.id) ?? f.entry
      const copy = entry.copies.find((c) => c.printJobId === f.copy.printJobId) ?? f.copy
      for (const l of finishListeners) {
        try {
          l(entry, copy)
        } catch (e) {
          log.error('job-finished listener failed', e)
        }
      }
    }
  }

  const ctx = (): ApplyContext => ({ store, printerName, now: clock.now, seen, finished: [] })

  // ---- REST under the budget ----

  const sleepers = new Set<() => void>()
  /** Waits on the clock; close() ends every wait at once. */
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        sleepers.delete(done)
        clock.clearTimeout(handle)
        resolve()
      }
      const handle = clock.setTimeout(done, ms)
      sleepers.add(done)
    })

  /** One REST call: waits for the budget, and does not let the client repeat it on its own. */
  async function call<T>(fn: (o: CallOptions) => Promise<T>): Promise<T> {
    for (;;) {
      if (closed) throw new Error('status sync closed')
      const wait = Math.max(budget.waitMs(clock.now()), blockedUntil - clock.now())
      if (wait <= 0) break
      await sleep(wait)
    }
    budget.take(clock.now())
    requestTimes.push(clock.now())
    const controller = new AbortController()
    inflight.add(controller)
    let retryError: PrintagoError | undefined
    try {
      return await fn({
        signal: controller.signal,
        // A repeat would be a request outside our budget: fail now, the next poll repeats it.
        onRetry: (e) => {
          retryError = e.error
          controller.abort()
        }
      })
    } catch (e) {
      throw retryError ?? e
    } finally {
      inflight.delete(controller)
    }
  }

  async function refreshPrinterNames(entries: HistoryEntry[]): Promise<void> {
    const unknown = entries.some((e) =>
      e.copies.some((c) => c.printerId && !printerName(c.printerId))
    )
    if (!unknown || clock.now() - lastPrinterList < PRINTER_LIST_EVERY_MS) return
    lastPrinterList = clock.now()
    try {
      const printers = await call((o) =>
        opts.client.listPrinters({ fields: 'id,name', limit: 1000 }, o)
      )
      for (const p of printers) if (p.id && p.name) printerNames.set(p.id, p.name)
      // Fill names into copies that lack them.
      for (const e of store.list()) {
        if (!e.copies.some((c) => c.printerId && !c.printerName && printerNames.has(c.printerId)))
          continue
        store.update(e.id, (x) => ({
          ...x,
          copies: x.copies.map((c) =>
            c.printerId && !c.printerName && printerNames.has(c.printerId)
              ? { ...c, printerName: printerNames.get(c.printerId)! }
              : c
          )
        }))
      }
    } catch (e) {
      log.warn('could not list printer names', e)
    }
  }

  function targets(): HistoryEntry[] {
    const open = store.openEntries()
    if (open.length > 0) return open
    const since = new Date(clock.now() - recentMs).toISOString()
    return store
      .list()
      .filter((e) => e.updatedAt >= since && !e.copies.every((c) => c.deletedOnServer))
  }

  async function reconcile(): Promise<void> {
    const list = targets()
    const hadOpen = store.openEntries().length > 0
    if (list.length === 0) {
      restError = undefined
      return
    }
    const c = ctx()
    try {
      const r = await reconcileEntries({
        store,
        client: opts.client,
        entries: list,
        now: clock.now,
        call,
        batchSize: opts.batchSize,
        printerName,
        seen
      })
      lastSyncAt = clock.now()
      restError = undefined
      c.finished.push(...r.finished)
      if (r.changed > 0) {
        interval = baseInterval
        idlePolls = 0
      } else {
        interval = Math.min(maxInterval, Math.round(interval * 1.5))
      }
      if (!hadOpen) idlePolls++
      await refreshPrinterNames(list)
    } catch (e) {
      if (closed) return
      restError = describe(e)
      interval = Math.min(maxInterval, interval * 2)
      if (isPrintagoError(e) && e.code === 'rate-limited' && e.retryAfterSeconds !== undefined) {
        blockedUntil = clock.now() + e.retryAfterSeconds * 1000
      }
      log.warn('reconciliation failed; keeping the last known state', restError)
    } finally {
      dispatchFinished(c.finished)
      changed()
    }
  }

  function describe(e: unknown): string {
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

  /** Runs a reconciliation now (or right after the running one) and then re-plans polling. */
  function run(): Promise<void> {
    const done = new Promise<void>((resolve) => waiters.push(resolve))
    if (running) {
      rerun = true
      return done
    }
    running = (async () => {
      do {
        rerun = false
        const mine = waiters
        waiters = []
        await reconcile()
        for (const w of mine) w()
      } while (rerun && !closed)
      running = null
      for (const w of waiters.splice(0)) w()
      plan()
    })()
    return done
  }

  /** Decides when (if at all) the next poll happens. */
  function plan(): void {
    if (closed || !started) return
    if (live()) return cancelPoll()
    const hasOpen = store.openEntries().length > 0
    let delay: number | null
    if (hasOpen) delay = restError ? Math.max(interval, 30_000) : interval
    else if (idlePolls < maxIdlePolls && targets().length > 0) delay = maxInterval
    else delay = null
    if (delay === null) return cancelPoll()
    schedulePoll(delay)
  }

  function schedulePoll(delay: number): void {
    const due = clock.now() + delay
    if (pollTimer !== undefined && pollDue <= due) return
    cancelPoll()
    pollDue = due
    pollTimer = clock.setTimeout(() => {
      pollTimer = undefined
      pollDue = Infinity
      void run()
    }, delay)
  }

  function cancelPoll(): void {
    if (pollTimer !== undefined) clock.clearTimeout(pollTimer)
    pollTimer = undefined
    pollDue = Infinity
  }

  // ---- realtime ----

  function pruneBuffer(): void {
    const cutoff = clock.now() - BUFFER_MS
    for (const [id, b] of buffered) if (b.at < cutoff) buffered.delete(id)
    while (buffered.size > BUFFER_BUILDS) buffered.delete(buffered.keys().next().value!)
  }

  function onEntity(m: EntityMessage): void {
    if (m.entityType === 'printer') {
      for (const [id, p] of Object.entries(m.entities)) {
        const name = str(p['name'])
        if (name && printerNames.get(id) !== name) printerNames.set(id, name)
      }
      return
    }
    if (m.entityType !== 'printJob') return
    const c = ctx()
    const ids = new Set([...Object.keys(m.entities), ...Object.keys(m.changes)])
    for (const id of ids) {
      const facts = jobFacts(id, m.entities[id] ?? {}, m.changes[id])
      const entry =
        (facts.partBuildId && store.byPartBuildId(facts.partBuildId)) || store.byPrintJobId(id)
      if (!entry) {
        // Not (yet) one of ours: keep it a while in case its history entry is about to be added.
        if (!facts.partBuildId || m.action === 'DELETE') continue
        pruneBuffer()
        const b = buffered.get(facts.partBuildId) ?? { at: clock.now(), jobs: new Map() }
        b.at = clock.now()
        b.jobs.set(id, { ...b.jobs.get(id), ...facts })
        buffered.set(facts.partBuildId, b)
        continue
      }
      if (m.action === 'DELETE') markDeleted(c, entry.id, new Set([id]))
      else applyToEntry(c, entry.id, [facts])
    }
    dispatchFinished(c.finished)
  }

  function onStats(m: PrinterStatsMessage): void {
    if (m.percent === null) return
    const prev = progress.get(m.printerId)
    if (prev !== undefined && Math.abs(prev - m.percent) < 1) return
    progress.set(m.printerId, m.percent)
    // Progress lives in memory only: it changes every few seconds and is stale after a restart.
    if (
      store
        .list()
        .some((e) => e.copies.some((c) => c.printerId === m.printerId && c.status === 'printing'))
    ) {
      changed()
    }
  }

  /** New entries: replay buffered events, and look their jobs up over REST if still unknown. */
  function onStoreChange(): void {
    const builds = new Set<string>()
    const fresh: HistoryEntry[] = []
    for (const e of store.list()) {
      builds.add(e.partBuildId)
      if (!knownBuilds.has(e.partBuildId)) fresh.push(e)
    }
    knownBuilds = builds
    changed()
    // A change made outside the sync (e.g. a retry reopened copies) may need polling again.
    if (started && !closed && !running && !live()) plan()
    if (fresh.length === 0 || closed) return
    const c = ctx()
    for (const e of fresh) {
      const b = buffered.get(e.partBuildId)
      if (!b) continue
      buffered.delete(e.partBuildId)
      applyToEntry(c, e.id, [...b.jobs.values()])
    }
    dispatchFinished(c.finished)
    idlePolls = 0
    interval = baseInterval
    if (!started) return
    clock.setTimeout(() => {
      const stillUnknown = fresh.some((e) => {
        const now = store.get(e.id)
        return now !== undefined && now.copies.length < now.quantity
      })
      if (stillUnknown || !live()) void run()
    }, discoverDelayMs)
  }

  const unsubscribe: Array<() => void> = [store.onChange(onStoreChange)]

  return {
    start() {
      if (started || closed) return
      started = true
      if (realtime) {
        unsubscribe.push(
          realtime.onMessage((m) => (m.kind === 'entity' ? onEntity(m) : onStats(m))),
          realtime.onState((state) => {
            if (state === 'connected') {
              // Events are not retained: read back what happened while we were away.
              cancelPoll()
              void run()
            } else {
              plan()
            }
            changed()
          })
        )
        realtime.start()
        // Give realtime a moment: its connect triggers the reconciliation; if it does not come
        // up, polling takes over.
        schedulePoll(realtimeGraceMs)
        return
      }
      void run()
    },
    snapshot,
    onChange(listener) {
      changeListeners.add(listener)
      return () => changeListeners.delete(listener)
    },
    onJobFinished(listener) {
      finishListeners.add(listener)
      return () => finishListeners.delete(listener)
    },
    refresh() {
      idlePolls = 0
      return run()
    },
    get requests() {
      return requestTimes.length
    },
    requestTimes,
    async close() {
      if (closed) return
      closed = true
      cancelPoll()
      if (emitTimer !== undefined) clock.clearTimeout(emitTimer)
      for (const u of unsubscribe.splice(0)) u()
      for (const w of waiters.splice(0)) w()
      // Nothing may touch the store once the caller closes it after us.
      for (const c of inflight) c.abort()
      for (const wake of [...sleepers]) wake()
      await running
      await realtime?.close()
      changeListeners.clear()
      finishListeners.clear()
    }
  }
}
