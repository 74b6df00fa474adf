// The send job: hash → signed upload URLs → PUT → part → build, for one or many files, with every
// step recorded durably in the journal before the next one starts.
//
// Why it is safe to crash anywhere (see send-state.ts for what is recorded):
// - hashing and signed URLs have no lasting effect on Printago, so they are simply redone;
// - a PUT to a signed URL overwrites the same object, so it is repeated freely;
// - POST /v1/parts is preceded by a `part-intent` entry. If its answer is unknown (timeout,
//   reset, 5xx, crash), the part is looked up by SHA-256 (`fileHashes`) before creating another
//   (a spare part is harmless; the dedupe cache then points at one of them). The sha256 → part
//   id is cached durably the moment a part exists (created, or found by hash), so a cancel right
//   after it still spares the next send the upload. A cancel stops the create only until it has
//   left; after that its answer is awaited. If a job ends without learning a create's answer,
//   the next send of that file looks it up by hash once before uploading again;
// - POST /v2/builds is the step that must never be duplicated (Printago has no idempotency key):
//   1. a `build-intent` entry (client intent id, item indices, time) is fsync'd right before each
//      HTTP attempt leaves — after any rate-limit wait — so its time is when the request was sent;
//   2. if the answer is unknown (timeout, reset, 5xx, crash), nothing is re-sent until the intent
//      is reconciled: first wait until `settleMs` after that time when Printago never answered
//      (a request we gave up on may still be running there), then read
//      `GET /v1/part-builds?partId=…` and match part id, label and quantity, created no earlier
//      than the intent (server clock from the Date header, minus a 2-minute skew margin), and not
//      already owned by any job in the journal (finished jobs are kept 7 days for this);
//   3. matched entries are recorded as built; only entries proven absent are sent again.
//   Build calls and their reconciliation are serialised within the process and the journal lock
//   keeps a second process out, so two of our own intents never compete for one build.
// Labels are sent exactly as the user chose them (default: file name without extension); we do not
// make them unique. Part id + label + quantity + time window + claimed set identify our build; the
// only ambiguity left is another client (web UI, second machine) queueing the same part with the
// same label and quantity inside the window while our own request was in doubt — then we would
// take its build for ours. That needs two people sending the same file under the same label
// within minutes; a random suffix on every label, visible in Printago's queue, costs more.
import { randomUUID } from 'node:crypto'
import { basename } from 'node:path'
import type { BuildConfigV2, PartBuild, PartBuildConfigV2 } from '../../shared/printago/api-types'
import {
  defaultLabel,
  labelProblem,
  MAX_FILES_PER_SEND,
  MAX_TAGS,
  quantityProblem,
  routingTags,
  tagProblem,
  type SendProgress,
  type SendRequest,
  type SendStep,
  type SentFile
} from '../../shared/send'
import { anySignal, isAbortError, mapLimit, realSleep, type Sleep } from '../infra/async'
import { createMemoryDedupeCache, type DedupeCache } from './dedupe-cache'
import { hashFile } from '../infra/hash'
import { openJournal, type Journal, type JournalIssue } from '../infra/journal'
import { createLogger } from '../infra/log'
import type {
  CallOptions,
  ClientRetryEvent,
  ClientWaitEvent,
  PrintagoClient
} from '../printago/client'
import { buildErrorNamesPart } from '../printago/client'
import { PrintagoError, type PrintagoErrorCode } from '../printago/errors'
import {
  applySendEntry,
  emptySendState,
  sendStateFromSnapshot,
  sendStateToSnapshot,
  type BuildIntent,
  type ItemRecord,
  type JobRecord,
  type SendEntry,
  type SendJournalState
} from './state'
import { checkStlFile, FileCheckError } from './file-check'
import { uploadFile, type UploadOptions } from '../printago/upload'

const log = createLogger('send')

/** A file that could not be sent, with the reason. */
export interface FailedFile {
  file: string
  index: number
  error: { code: string; message: string }
}

/** Outcome of a send job. `interrupted` = stopped before finishing; `resumePending()` continues it. */
export interface SendResult {
  jobId: string
  status: 'done' | 'partial' | 'failed' | 'cancelled' | 'interrupted'
  files: SentFile[]
  failures: FailedFile[]
  /**
   * Files neither queued nor failed when the job stopped (`interrupted` or `cancelled`), each with
   * why: `outcome-unknown` when a build was sent but Printago never confirmed it (the next
   * `resumePending()` checks Printago before anything is sent again), `cancelled`, or the reason the
   * job stopped.
   */
  unfinished?: FailedFile[]
  error?: { code: string; message: string }
}

/** Error code of a build whose outcome is still unknown (sent, never confirmed nor refused). */
export const OUTCOME_UNKNOWN = 'outcome-unknown'
const NOT_CONFIRMED = 'Printago did not confirm whether the print was queued'

/** Knobs of the signed-URL upload, forwarded to uploadFile. */
export type UploadTuning = Partial<
  Pick<
    UploadOptions,
    | 'idleTimeoutMs'
    | 'maxAttempts'
    | 'maxRenewals'
    | 'baseDelayMs'
    | 'capDelayMs'
    | 'sleep'
    | 'random'
  >
>

export interface SendServiceOptions {
  client: PrintagoClient
  /** Journal folder (per store). Either this or an opened `journal`. */
  journalDir?: string
  journal?: Journal<SendJournalState>
  /** Default: in-memory (no reuse across runs). */
  dedupe?: DedupeCache
  /** Parallel uploads (+ part creations). Default 3. */
  concurrency?: number
  /** Parallel hashes. Default 1 (hashing is CPU-bound). */
  hashConcurrency?: number
  onProgress?: (progress: SendProgress) => void
  /** Service lifetime: aborting it stops every job like a crash or quit (nothing terminal is written). */
  signal?: AbortSignal
  upload?: UploadTuning
  now?: () => number
  newId?: () => string
  /** Clock-skew allowance when matching builds to an intent. Default 2 min. */
  reconcileMarginMs?: number
  /**
   * How long after a build request was sent Printago may still act on it (a request we timed
   * out on, or were killed during, can still be running on the server). Absence of the build is
   * only trusted once this has passed. Default 60 s (the client's default 30 s timeout plus 30 s
   * for a request the server had already received); requests Printago answered (5xx) skip it.
   * Not derived from the client timeout: our giving up does not bound how long the server works.
   */
  settleMs?: number
  sleep?: Sleep
  /** Build attempts (each after reconciliation) before a job is left for resume. Default 4. */
  maxBuildAttempts?: number
  maxPartAttempts?: number
  /** Pre-flight STL sniffing of each file. Default true. */
  checkFiles?: boolean
}

export interface SendService {
  readonly journal: Journal<SendJournalState>
  /** Problems found while opening the journal (torn tail, quarantined files). */
  readonly issues: JournalIssue[]
  /** PUT requests sent to signed URLs (the client's `apiCalls` counts the REST calls). */
  readonly uploadRequests: number
  /**
   * Validate, journal and run a send. Resolves with per-file results; rejects only for an invalid
   * request (SendRequestError) or when the journal can't record the job. `jobId` lets the caller
   * pick the id it already handed to the UI.
   */
  send(
    request: SendRequest,
    signal?: AbortSignal,
    options?: { jobId?: string }
  ): Promise<SendResult>
  /** Cancel a running job (before its build is queued). Returns false if it is not running. */
  cancel(jobId: string): boolean
  /** Continue every unfinished job in the journal (after a crash or restart). */
  resumePending(): Promise<SendResult[]>
  /** Jobs that are still unfinished in the journal. */
  pendingJobs(): JobRecord[]
  close(): Promise<void>
}

/** A send request that can't be run (bad quantity, label, tags…). */
export class SendRequestError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SendRequestError'
  }
}

/** Check a request against Printago's limits (the shared rules of src/shared/send.ts). */
export function validateSendRequest(request: SendRequest): string | null {
  if (!request || !Array.isArray(request.items) || request.items.length === 0)
    return 'nothing to send'
  if (request.items.length > MAX_FILES_PER_SEND)
    return `at most ${MAX_FILES_PER_SEND} files in one send`
  for (const item of request.items) {
    if (typeof item.path !== 'string' || item.path === '') return 'a file path is missing'
    const problem =
      quantityProblem(item.quantity) ?? (item.label !== undefined ? labelProblem(item.label) : null)
    if (problem) return `${item.path}: ${problem}`
    if (item.priority !== undefined && item.priority !== 'normal' && item.priority !== 'low') {
      return `${item.path}: priority must be normal or low`
    }
    if (item.position !== undefined && item.position !== 'front' && item.position !== 'back') {
      return `${item.path}: position must be front or back`
    }
  }
  const r = request.routing
  if (!r || (r.mode !== 'any' && r.mode !== 'printer' && r.mode !== 'tags'))
    return 'unknown routing'
  if (r.mode === 'printer' && !r.printerId) return 'no printer chosen'
  if (r.mode === 'tags') {
    if (r.tags.length === 0) return 'no tags chosen'
    if (r.tags.length > MAX_TAGS) return `at most ${MAX_TAGS} tags`
    for (const t of r.tags) {
      const problem = tagProblem(t)
      if (problem) return problem
    }
  }
  return null
}

/** Name sent to signed-upload-urls: the base name, ≤ 64 chars (older API limit), extension kept. */
export function uploadFilename(path: string): string {
  // Control characters and path separators have no business in a storage object name.
  const base = [...(basename(path.replace(/\\/g, '/')) || 'model.stl')]
    .map((c) => (c.charCodeAt(0) < 0x20 || c === '/' || c === '\\' ? '_' : c))
    .join('')
  if (base.length <= 64) return base
  const dot = base.lastIndexOf('.')
  const ext = dot > 0 && base.length - dot <= 10 ? base.slice(dot) : ''
  return base.slice(0, 64 - ext.length) + ext
}

/** Thrown when the journal can't record a step: the job stops here and resumes later. */
class JournalWriteError extends Error {
  constructor(readonly original: unknown) {
    super(`could not record send progress: ${(original as Error)?.message ?? String(original)}`)
    this.name = 'JournalWriteError'
  }
}

/** Serialises async sections (build calls and their reconciliation). */
function createMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
  let tail: Promise<void> = Promise.resolve()
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = tail.then(fn)
    tail = run.then(
      () => undefined,
      () => undefined
    )
    return run
  }
}

/** The job's open build intent (a function so TS doesn't narrow it away across awaits). */
function openIntent(job: JobRecord): BuildIntent | undefined {
  return job.buildIntent
}

function describe(error: unknown): { code: string; message: string } {
  if (error instanceof PrintagoError) return { code: error.code, message: error.message }
  if (error instanceof FileCheckError) return { code: 'file', message: error.message }
  if (error instanceof SendRequestError) return { code: 'validation', message: error.message }
  const errno = (error as NodeJS.ErrnoException)?.code
  if (typeof errno === 'string') {
    const path = (error as NodeJS.ErrnoException).path
    return {
      code: 'file',
      message: `${path ?? 'file'}: ${errno === 'ENOENT' ? 'file not found' : errno}`
    }
  }
  return { code: 'internal', message: (error as Error)?.message ?? String(error) }
}

/** True while an item has no part, no upload target or upload, and no part request in flight. */
function beforeUpload(item: ItemRecord): boolean {
  return !item.partId && !item.target && !item.uploadedPath && !item.partIntent
}

/** Errors that doom every file of the job (stop early instead of failing each file alike). */
function isFatal(error: unknown): boolean {
  return error instanceof PrintagoError && (error.code === 'auth' || error.code === 'forbidden')
}

/** Open the journal (if needed) and create the send service. */
export async function createSendService(options: SendServiceOptions): Promise<SendService> {
  const { client } = options
  const now = options.now ?? Date.now
  const newId = options.newId ?? randomUUID
  const dedupe = options.dedupe ?? createMemoryDedupeCache(now)
  const concurrency = Math.max(1, options.concurrency ?? 3)
  const hashConcurrency = Math.max(1, options.hashConcurrency ?? 1)
  const marginMs = options.reconcileMarginMs ?? 120_000
  const settleMs = options.settleMs ?? 60_000
  const sleep = options.sleep ?? realSleep
  // Intents whose request got an HTTP answer: the server is done with it, no need to settle.
  const answeredIntents = new Set<string>()
  const maxBuildAttempts = options.maxBuildAttempts ?? 4
  const maxPartAttempts = options.maxPartAttempts ?? 4
  const serviceSignal = options.signal
  const checkFiles = options.checkFiles ?? true
  let journal = options.journal
  if (!journal) {
    if (!options.journalDir) throw new Error('createSendService needs journalDir or journal')
    journal = await openJournal<SendJournalState>({
      dir: options.journalDir,
      empty: emptySendState,
      apply: applySendEntry,
      toSnapshot: (s) => sendStateToSnapshot(s, now()),
      fromSnapshot: sendStateFromSnapshot,
      now
    })
  }
  const j = journal
  const running = new Map<string, { controller: AbortController; done: Promise<SendResult> }>()
  const buildLock = createMutex()
  let uploadRequests = 0

  const write = async (...entries: Array<SendEntry & { at?: number }>): Promise<void> => {
    try {
      await j.append(...entries)
    } catch (error) {
      throw new JournalWriteError(error)
    }
  }

  const emit = (
    job: JobRecord,
    index: number,
    step: SendStep,
    extra: Partial<SendProgress> = {}
  ): void => {
    if (!options.onProgress) return
    const item = job.items[index]
    const path = job.request.items[index]?.path ?? ''
    const progress: SendProgress = { jobId: job.jobId, index, path, step }
    if (item?.sha256) progress.sha256 = item.sha256
    if (item?.partId) progress.partId = item.partId
    if (item?.reusedPart) progress.reusedPart = true
    if (item?.partBuildId) progress.partBuildId = item.partBuildId
    try {
      options.onProgress({ ...progress, ...extra })
    } catch {
      // A listener's bug must not break the send.
    }
  }

  const live = (job: JobRecord): number[] =>
    job.items.map((_, i) => i).filter((i) => !job.items[i]!.error)

  const callOptions = (
    job: JobRecord,
    indices: number[],
    signal: AbortSignal | undefined
  ): CallOptions => ({
    signal,
    onWait: (e: ClientWaitEvent) => {
      const step: SendStep = e.reason === 'backoff' ? 'retrying' : 'waiting-rate-limit'
      for (const i of indices) emit(job, i, step, { waitSeconds: e.seconds })
    },
    onRetry: (e: ClientRetryEvent) => {
      if (e.error.code === 'rate-limited') return
      for (const i of indices)
        emit(job, i, 'retrying', { error: { code: e.error.code, message: e.error.message } })
    }
  })

  /**
   * A signal for a request that must not be repeated blindly (POST /v1/parts): it follows the
   * job's signal (user cancel included) until `sent()` — called once the request may reach
   * Printago — and from then on only the service's lifetime, so the answer is not thrown away.
   */
  const untilSent = (jobSignal: AbortSignal): { signal: AbortSignal; sent: () => void } => {
    const controller = new AbortController()
    const follow = (): void => controller.abort(jobSignal.reason)
    if (jobSignal.aborted) follow()
    else jobSignal.addEventListener('abort', follow, { once: true })
    return {
      signal: anySignal([controller.signal, serviceSignal]),
      sent: () => jobSignal.removeEventListener('abort', follow)
    }
  }

  // The dedupe cache is a hint: its writes are awaited (durable before the next step) but a
  // failing write (disk full, read-only folder) must not fail a file whose part exists.
  let cacheWarned = false
  const cacheFailed = (error: unknown): void => {
    if (cacheWarned) return
    cacheWarned = true
    log.warn('could not update the dedupe cache (files may be uploaded again):', error)
  }
  const remember = (sha256: string, partId: string): Promise<void> =>
    dedupe.set(sha256, partId).catch(cacheFailed)
  const forget = (sha256: string): Promise<void> => dedupe.delete(sha256).catch(cacheFailed)

  const failItem = async (job: JobRecord, index: number, error: unknown): Promise<void> => {
    const info = describe(error)
    await write({ type: 'item-failed', jobId: job.jobId, index, error: info })
    emit(job, index, 'failed', { error: info })
  }

  // ---- steps -------------------------------------------------------------------------------

  async function hashItems(job: JobRecord, signal: AbortSignal): Promise<void> {
    const todo = live(job).filter((i) => !job.items[i]!.sha256)
    await mapLimit(todo, hashConcurrency, async (index) => {
      const path = job.request.items[index]!.path
      try {
        if (checkFiles) await checkStlFile(path)
        let lastFraction = -1
        emit(job, index, 'hashing', { fraction: 0 })
        const { sha256, size } = await hashFile(path, {
          signal,
          onProgress: ({ bytesDone, bytesTotal }) => {
            const fraction = bytesTotal > 0 ? bytesDone / bytesTotal : 1
            if (fraction - lastFraction >= 0.01 || fraction === 1) {
              lastFraction = fraction
              emit(job, index, 'hashing', { fraction, bytesDone, bytesTotal })
            }
          }
        })
        await write({ type: 'hashed', jobId: job.jobId, index, sha256, size })
      } catch (error) {
        if (signal.aborted || error instanceof JournalWriteError) throw error
        await failItem(job, index, error)
      }
    })
  }

  /** Use the dedupe cache for items not yet past hashing. */
  async function applyDedupe(job: JobRecord): Promise<void> {
    for (const index of live(job)) {
      const item = job.items[index]!
      if (!item.sha256 || item.noReuse || !beforeUpload(item)) {
        continue
      }
      const hit = dedupe.get(item.sha256)
      if (hit) {
        await write({ type: 'part', jobId: job.jobId, index, partId: hit.partId, reused: true })
        emit(job, index, 'creating-part', { reusedPart: true })
      }
    }
  }

  async function requestTargets(
    job: JobRecord,
    signal: AbortSignal,
    skip: Set<number>
  ): Promise<void> {
    const need = live(job).filter((i) => {
      const it = job.items[i]!
      return (
        !skip.has(i) && it.sha256 && !it.partId && !it.target && !it.uploadedPath && !it.partIntent
      )
    })
    if (need.length === 0) return
    for (const i of need) emit(job, i, 'requesting-upload')
    // One call for the whole batch.
    const urls = await client.getSignedUploadUrls(
      need.map((i) => uploadFilename(job.request.items[i]!.path)),
      callOptions(job, need, signal)
    )
    await write({
      type: 'urls',
      jobId: job.jobId,
      targets: need.map((index, k) => ({
        index,
        uploadUrl: urls[k]!.uploadUrl,
        path: urls[k]!.path
      }))
    })
  }

  async function findPartByHash(job: JobRecord, index: number, signal: AbortSignal | undefined) {
    const sha = job.items[index]!.sha256!
    const parts = await client.findPartsByHash(sha, callOptions(job, [index], signal))
    return parts[0]
  }

  async function uploadItem(job: JobRecord, index: number, signal: AbortSignal): Promise<void> {
    const item = job.items[index]!
    const path = job.request.items[index]!.path
    if (item.uploadedPath || item.partIntent || item.partId) return
    if (!item.target) throw new Error('internal: no upload target')
    let last = -1
    const result = await uploadFile({
      ...options.upload,
      file: path,
      size: item.size!,
      target: item.target,
      signal,
      onRequest: () => uploadRequests++,
      onProgress: ({ bytesDone, bytesTotal }) => {
        const fraction = bytesTotal > 0 ? bytesDone / bytesTotal : 1
        if (fraction - last >= 0.01 || fraction === 1 || bytesDone === 0) {
          last = fraction
          emit(job, index, 'uploading', { fraction, bytesDone, bytesTotal })
        }
      },
      onRetry: (e) =>
        emit(job, index, 'retrying', { error: { code: e.error.code, message: e.error.message } }),
      renewTarget: async (s) => {
        emit(job, index, 'requesting-upload')
        const [fresh] = await client.getSignedUploadUrls(
          [uploadFilename(path)],
          callOptions(job, [index], s)
        )
        await write({
          type: 'urls',
          jobId: job.jobId,
          targets: [{ index, uploadUrl: fresh!.uploadUrl, path: fresh!.path }]
        })
        return fresh!
      }
    })
    await write({ type: 'uploaded', jobId: job.jobId, index, path: result.path })
  }

  async function createPartFor(job: JobRecord, index: number, signal: AbortSignal): Promise<void> {
    const item = job.items[index]!
    if (item.partId) return
    const path = job.request.items[index]!.path
    emit(job, index, 'creating-part')
    if (item.partIntent) {
      // A create may have reached Printago before we stopped: look before creating another.
      const existing = await findPartByHash(job, index, signal)
      if (existing) {
        await write({ type: 'part', jobId: job.jobId, index, partId: existing.id, reused: false })
        await remember(item.sha256!, existing.id)
        return
      }
    }
    for (let attempt = 1; ; attempt++) {
      // Cancel stops the create until it leaves; once Printago may have it, its answer (the new
      // part's id) is awaited and cached, so sending the file again reuses that part.
      const gate = untilSent(signal)
      try {
        const part = await client.createPart(
          {
            name: defaultLabel(path),
            description: '',
            type: 'stl',
            fileUris: [item.uploadedPath!],
            parameters: [],
            printTags: {},
            overriddenProcessProfileId: null
          },
          {
            ...callOptions(job, [index], gate.signal),
            beforeSend: async () => {
              signal.throwIfAborted()
              await write({ type: 'part-intent', jobId: job.jobId, index })
              gate.sent()
            }
          }
        )
        await write({ type: 'part', jobId: job.jobId, index, partId: part.id, reused: false })
        // Cache under the hash Printago computed when it agrees with ours (it should).
        const serverHash = part.fileHashes?.[0]?.toLowerCase()
        if (!serverHash || serverHash === item.sha256) await remember(item.sha256!, part.id)
        return
      } catch (error) {
        if (!(error instanceof PrintagoError) || !error.outcomeUnknown || signal.aborted)
          throw error
        if (attempt >= maxPartAttempts) throw error
        emit(job, index, 'retrying', { error: describe(error) })
        const existing = await findPartByHash(job, index, signal)
        if (existing) {
          await write({ type: 'part', jobId: job.jobId, index, partId: existing.id, reused: false })
          await remember(item.sha256!, existing.id)
          return
        }
      } finally {
        gate.sent()
      }
    }
  }

  /**
   * True when an earlier job, now ended (cancelled, or the file failed), sent POST /v1/parts for
   * this hash and never learnt the answer: Printago may hold a part for it that the cache lacks.
   */
  function unresolvedPartIntent(job: JobRecord, sha256: string): boolean {
    for (const other of j.state.jobs.values()) {
      if (other === job || other.status === 'active') continue
      if (other.items.some((it) => it.sha256 === sha256 && it.partIntent && !it.partId)) return true
    }
    return false
  }

  /** Everything up to "each live item has a part". */
  async function prepareParts(job: JobRecord, signal: AbortSignal): Promise<void> {
    await hashItems(job, signal)
    await applyDedupe(job)
    // Items whose cached part vanished: one lookup by hash before uploading again.
    for (const index of live(job)) {
      const item = job.items[index]!
      if (item.noReuse && beforeUpload(item)) {
        const found = await findPartByHash(job, index, signal)
        if (found) {
          await write({ type: 'part', jobId: job.jobId, index, partId: found.id, reused: true })
          await remember(item.sha256!, found.id)
        }
      }
    }
    // A part an ended job may have created without learning its id: one lookup by hash before
    // uploading the file again (each such file once; the cache then knows the part).
    const looked = new Map<string, string | null>()
    for (const index of live(job)) {
      const item = job.items[index]!
      if (
        !item.sha256 ||
        item.noReuse ||
        !beforeUpload(item) ||
        !unresolvedPartIntent(job, item.sha256)
      ) {
        continue
      }
      let partId = looked.get(item.sha256)
      if (partId === undefined) {
        partId = (await findPartByHash(job, index, signal))?.id ?? null
        looked.set(item.sha256, partId)
        if (partId) await remember(item.sha256, partId)
      }
      if (partId) {
        await write({ type: 'part', jobId: job.jobId, index, partId, reused: true })
        emit(job, index, 'creating-part', { reusedPart: true })
      }
    }
    // The same file twice in one send: upload it once; the copies reuse the first one's part.
    const leaderOf = new Map<number, number>()
    const firstBySha = new Map<string, number>()
    for (const i of live(job)) {
      const it = job.items[i]!
      if (!it.sha256) continue
      const first = firstBySha.get(it.sha256)
      if (first === undefined) firstBySha.set(it.sha256, i)
      else if (!it.partId && !it.target && !it.uploadedPath && !it.partIntent)
        leaderOf.set(i, first)
    }
    try {
      await requestTargets(job, signal, new Set(leaderOf.keys()))
    } catch (error) {
      if (signal.aborted || error instanceof JournalWriteError || isFatal(error)) throw error
      for (const i of live(job)) {
        const it = job.items[i]!
        if (!leaderOf.has(i) && !it.partId && !it.target && !it.uploadedPath && !it.partIntent)
          await failItem(job, i, error)
      }
    }
    const todo = live(job).filter((i) => !job.items[i]!.partId && !leaderOf.has(i))
    await mapLimit(todo, concurrency, async (index) => {
      try {
        await uploadItem(job, index, signal)
        await createPartFor(job, index, signal)
      } catch (error) {
        if (signal.aborted || error instanceof JournalWriteError || isFatal(error)) throw error
        await failItem(job, index, error)
      }
    })
    for (const [index, leader] of leaderOf) {
      const first = job.items[leader]!
      if (first.partId) {
        await write({ type: 'part', jobId: job.jobId, index, partId: first.partId, reused: true })
        emit(job, index, 'creating-part', { reusedPart: true })
      } else if (first.error) {
        await failItem(
          job,
          index,
          new PrintagoError({
            code: first.error.code as PrintagoErrorCode,
            message: first.error.message
          })
        )
      }
    }
  }

  /** Match an unresolved build intent against Printago's part builds. */
  async function reconcileBuild(
    job: JobRecord,
    signal: AbortSignal | undefined
  ): Promise<Map<number, PartBuild>> {
    const intent = job.buildIntent!
    const claimed = new Set<string>()
    for (const other of j.state.jobs.values()) {
      for (const it of other.items) if (it.partBuildId) claimed.add(it.partBuildId)
    }
    const byPart = new Map<string, PartBuild[]>()
    const found = new Map<number, PartBuild>()
    for (const index of intent.indices) {
      const item = job.items[index]
      if (!item?.partId || item.partBuildId) continue
      let builds = byPart.get(item.partId)
      if (!builds) {
        builds = await client.listPartBuilds(
          { partId: item.partId, sort: 'createdAt:desc', limit: 200 },
          callOptions(job, [index], signal)
        )
        byPart.set(item.partId, builds)
      }
      // The server clock is learnt from the answer we just got.
      const since = intent.at + client.serverTimeOffsetMs - marginMs
      const want = job.request.items[index]!
      const label = want.label ?? defaultLabel(want.path)
      const match = builds
        .filter(
          (b) =>
            b.partId === item.partId &&
            b.label === label &&
            b.quantity === want.quantity &&
            Date.parse(b.createdAt) >= since &&
            !claimed.has(b.id)
        )
        .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0]
      if (match) {
        claimed.add(match.id)
        found.set(index, match)
      }
    }
    return found
  }

  const printJobIdsOf = (b: PartBuild): string[] => {
    const jobs = (b as { printJobs?: Array<{ id?: unknown }> }).printJobs
    return Array.isArray(jobs)
      ? jobs.map((x) => x.id).filter((x): x is string => typeof x === 'string')
      : []
  }

  /**
   * Queue the build for every live item that has a part and no build yet. Returns 'stale' when
   * reused parts turned out to be gone (the caller prepares them again), 'done' otherwise.
   */
  async function buildPhase(job: JobRecord, userSignal: AbortSignal): Promise<'done' | 'stale'> {
    // Once the intent is written the build is not user-cancellable: its outcome must be known.
    const signal = serviceSignal
    let attempts = 0
    let lastError: unknown
    for (;;) {
      if (serviceSignal?.aborted) throw serviceSignal.reason
      if (job.buildIntent) {
        const intent = job.buildIntent
        const wait = answeredIntents.has(intent.intentId) ? 0 : intent.at + settleMs - now()
        const unknown = { code: OUTCOME_UNKNOWN, message: NOT_CONFIRMED }
        if (wait > 0) {
          // The request may still be running on Printago: only a later read proves absence.
          // (Reported as a wait before a check, not as a retry: nothing is sent again blindly.)
          for (const i of intent.indices)
            emit(job, i, 'retrying', { waitSeconds: Math.ceil(wait / 1000), error: unknown })
          await sleep(wait, serviceSignal)
        }
        for (const i of intent.indices) emit(job, i, 'queuing', { error: unknown })
        const found = await reconcileBuild(job, signal)
        if (found.size > 0) {
          await write({
            type: 'build',
            jobId: job.jobId,
            builds: [...found].map(([index, b]) => ({
              index,
              partBuildId: b.id,
              printJobIds: printJobIdsOf(b)
            }))
          })
        } else {
          await write({ type: 'build-clear', jobId: job.jobId, intentId: intent.intentId })
        }
        continue
      }
      const entries = live(job).filter((i) => job.items[i]!.partId && !job.items[i]!.partBuildId)
      if (entries.length === 0) return 'done'
      if (attempts >= maxBuildAttempts) throw lastError
      userSignal.throwIfAborted()
      attempts++
      const parts: PartBuildConfigV2[] = entries.map((i) => {
        const want = job.request.items[i]!
        const entry: PartBuildConfigV2 = {
          partId: job.items[i]!.partId!,
          quantity: want.quantity,
          label: want.label ?? defaultLabel(want.path),
          tags: routingTags(job.request.routing),
          priority: want.priority === 'low' ? 1000 : 100
        }
        if (want.position) entry.position = want.position
        return entry
      })
      const body: BuildConfigV2 = { parts }
      const intentId = newId()
      for (const i of entries) emit(job, i, 'queuing')
      try {
        const result = await client.createBuild(body, {
          ...callOptions(job, entries, signal),
          // Journaled before every attempt, after any rate-limit wait: the intent's time is
          // when the request really left, which is what the settle delay is measured from.
          beforeSend: () =>
            write({ type: 'build-intent', jobId: job.jobId, intentId, indices: entries })
        })
        answeredIntents.add(intentId)
        const builds = matchBuilds(entries, parts, result.partBuilds ?? [])
        if (builds.length < entries.length) {
          // Printago acted but answered incompletely: reconcile the rest from its state.
          if (builds.length > 0) {
            const intentAt = openIntent(job)?.at
            await write({
              type: 'build',
              jobId: job.jobId,
              builds: builds.map(({ index, build }) => ({
                index,
                partBuildId: build.id,
                printJobIds: printJobIdsOf(build)
              }))
            })
            await write({
              type: 'build-intent',
              jobId: job.jobId,
              intentId,
              indices: entries.filter((i) => !builds.some((b) => b.index === i)),
              // Keep the original send time: it bounds the reconciliation window.
              ...(intentAt !== undefined ? { at: intentAt } : {})
            })
          }
          continue
        }
        await write({
          type: 'build',
          jobId: job.jobId,
          builds: builds.map(({ index, build }) => ({
            index,
            partBuildId: build.id,
            printJobIds: printJobIdsOf(build)
          }))
        })
        return 'done'
      } catch (error) {
        lastError = error
        if (error instanceof JournalWriteError || serviceSignal?.aborted) throw error
        if (!(error instanceof PrintagoError)) throw error
        if (error.outcomeUnknown) {
          if (error.code === 'server' || error.code === 'bad-response')
            answeredIntents.add(intentId)
          // Loop: the intent is still open, so the next pass reconciles before repeating.
          for (const i of entries) emit(job, i, 'retrying', { error: notConfirmed(error) })
          continue
        }
        // A definite refusal: nothing was queued.
        if (openIntent(job)?.intentId === intentId) {
          await write({ type: 'build-clear', jobId: job.jobId, intentId })
        }
        if (
          (error.code === 'not-found' || error.code === 'validation') &&
          (await markStaleParts(job, entries, error, signal))
        ) {
          return 'stale'
        }
        throw error
      }
    }
  }

  /** After a refused build, find reused parts that no longer exist and drop them from the cache. */
  async function markStaleParts(
    job: JobRecord,
    entries: number[],
    error: PrintagoError,
    signal: AbortSignal | undefined
  ): Promise<boolean> {
    const reused = entries.filter((i) => job.items[i]!.reusedPart)
    if (reused.length === 0) return false
    const named = reused.filter((i) => {
      const text = `${error.serverMessage ?? ''} ${error.fieldPath ?? ''} ${error.message}`
      return (
        text.includes(job.items[i]!.partId!) ||
        new RegExp(`parts\\[${entries.indexOf(i)}\\]`).test(text)
      )
    })
    let gone = named
    if (gone.length === 0) {
      if (
        !buildErrorNamesPart(
          error,
          reused.map((i) => job.items[i]!.partId!)
        )
      )
        return false
      // The error names no specific part: check each reused one.
      gone = []
      for (const i of reused) {
        const part = await client.getPart(job.items[i]!.partId!, callOptions(job, [i], signal))
        if (!part) gone.push(i)
      }
    }
    for (const i of gone) {
      await forget(job.items[i]!.sha256!)
      await write({ type: 'part-stale', jobId: job.jobId, index: i })
    }
    return gone.length > 0
  }

  async function runJob(
    job: JobRecord,
    controller: AbortController,
    callerSignal?: AbortSignal
  ): Promise<SendResult> {
    const signal = anySignal([controller.signal, serviceSignal, callerSignal])
    try {
      for (let round = 0; ; round++) {
        if (round > 3) throw new Error('parts keep disappearing on Printago; try again')
        signal.throwIfAborted()
        await prepareParts(job, signal)
        if (live(job).length === 0) break
        const outcome = await buildLock(() => buildPhase(job, signal))
        if (outcome === 'done') break
      }
      const status = live(job).length === 0 ? 'failed' : 'done'
      const error = status === 'failed' ? firstItemError(job) : undefined
      await write({ type: 'end', jobId: job.jobId, status, ...(error ? { error } : {}) })
      for (const i of live(job)) emit(job, i, 'done', { fraction: 1 })
      return resultOf(job)
    } catch (error) {
      const stopped = error instanceof JournalWriteError || serviceSignal?.aborted === true
      if (stopped) {
        const info = describe(error)
        return { ...resultOf(job, info), status: 'interrupted', error: info }
      }
      if (job.buildIntent) {
        // Outcome of a build unknown even after retries: leave the job for resumePending().
        const unknown = notConfirmed(error)
        return {
          ...resultOf(job, unknown),
          status: 'interrupted',
          error: {
            code: unknown.code,
            message: `${unknown.message}; it will be checked before anything is sent again`
          }
        }
      }
      const userCancelled =
        (controller.signal.aborted || callerSignal?.aborted === true) &&
        (isAbortError(error) ||
          (error instanceof PrintagoError && error.code === 'cancelled') ||
          error === controller.signal.reason ||
          error === callerSignal?.reason)
      try {
        if (userCancelled) {
          await write({ type: 'end', jobId: job.jobId, status: 'cancelled' })
          for (const i of live(job)) if (!job.items[i]!.partBuildId) emit(job, i, 'cancelled')
        } else {
          const info = describe(error)
          for (const i of live(job)) {
            if (!job.items[i]!.partBuildId) await failItem(job, i, error)
          }
          await write({ type: 'end', jobId: job.jobId, status: 'failed', error: info })
        }
      } catch (writeError) {
        const info = describe(writeError)
        return { ...resultOf(job, info), status: 'interrupted', error: info }
      }
      return resultOf(job)
    }
  }

  /** The error of a build that was sent but neither confirmed nor refused. */
  function notConfirmed(cause: unknown): { code: string; message: string } {
    return { code: OUTCOME_UNKNOWN, message: `${NOT_CONFIRMED} (${describe(cause).message})` }
  }

  function firstItemError(job: JobRecord): { code: string; message: string } | undefined {
    return job.items.find((it) => it.error)?.error
  }

  /**
   * The job's result from its journal record. `stopReason` explains items left unfinished by an
   * interrupted job; items of an open build intent are always `outcome-unknown`.
   */
  function resultOf(job: JobRecord, stopReason?: { code: string; message: string }): SendResult {
    const files: SentFile[] = []
    const failures: FailedFile[] = []
    const unfinished: FailedFile[] = []
    const intent = openIntent(job)
    job.items.forEach((it, index) => {
      const file = job.request.items[index]!.path
      if (it.partBuildId) {
        files.push({
          file,
          sha256: it.sha256 ?? '',
          partId: it.partId ?? '',
          partBuildId: it.partBuildId,
          printJobIds: it.printJobIds ?? [],
          reusedPart: it.reusedPart === true
        })
      } else if (it.error) failures.push({ file, index, error: it.error })
      else if (job.status === 'active' || job.status === 'cancelled') {
        const error = intent?.indices.includes(index)
          ? stopReason?.code === OUTCOME_UNKNOWN
            ? stopReason
            : { code: OUTCOME_UNKNOWN, message: NOT_CONFIRMED }
          : job.status === 'cancelled'
            ? { code: 'cancelled', message: 'cancelled before it was queued' }
            : (stopReason ?? { code: 'interrupted', message: 'the send stopped before finishing' })
        unfinished.push({ file, index, error })
      }
    })
    let status: SendResult['status']
    if (job.status === 'cancelled') status = 'cancelled'
    else if (job.status === 'active') status = 'interrupted'
    else if (failures.length === 0 && files.length === job.items.length) status = 'done'
    else status = files.length > 0 ? 'partial' : 'failed'
    const result: SendResult = { jobId: job.jobId, status, files, failures }
    if (unfinished.length > 0) result.unfinished = unfinished
    if (job.error) result.error = job.error
    return result
  }

  const start = (job: JobRecord, callerSignal?: AbortSignal): Promise<SendResult> => {
    const existing = running.get(job.jobId)
    if (existing) return existing.done
    const controller = new AbortController()
    const done = runJob(job, controller, callerSignal).finally(() => running.delete(job.jobId))
    running.set(job.jobId, { controller, done })
    return done
  }

  return {
    journal: j,
    issues: j.issues,
    get uploadRequests() {
      return uploadRequests
    },
    async send(request, signal, sendOptions) {
      const problem = validateSendRequest(request)
      if (problem) throw new SendRequestError(problem)
      const jobId = sendOptions?.jobId ?? newId()
      if (j.state.jobs.has(jobId)) throw new SendRequestError(`job ${jobId} already exists`)
      const clean: SendRequest = structuredClone(request)
      // Thumbnails are for the history view, not for recovery: keep the journal small.
      for (const item of clean.items) if (item.meta) delete item.meta.thumbnail
      await write({ type: 'job', jobId, request: clean, createdAt: now() })
      const job = j.state.jobs.get(jobId)!
      job.items.forEach((_, i) => emit(job, i, 'queued-locally'))
      return start(job, signal)
    },
    cancel(jobId) {
      const run = running.get(jobId)
      if (!run) return false
      run.controller.abort(new PrintagoError({ code: 'cancelled', message: 'Send cancelled' }))
      return true
    },
    async resumePending() {
      const pending = [...j.state.jobs.values()].filter((job) => job.status === 'active')
      return Promise.all(pending.map((job) => start(job)))
    },
    pendingJobs: () => [...j.state.jobs.values()].filter((job) => job.status === 'active'),
    async close() {
      await Promise.allSettled([...running.values()].map((r) => r.done))
      if (!options.journal) await j.close()
    }
  }
}

/** Pair the build result with our entries: by position when it lines up, else by part and label. */
function matchBuilds(
  entries: number[],
  parts: PartBuildConfigV2[],
  builds: PartBuild[]
): Array<{ index: number; build: PartBuild }> {
  const out: Array<{ index: number; build: PartBuild }> = []
  const used = new Set<string>()
  entries.forEach((index, k) => {
    const want = parts[k]!
    const atPos = builds[k]
    const fits = (b: PartBuild | undefined): b is PartBuild =>
      !!b && !used.has(b.id) && b.partId === want.partId && (b.label ?? want.label) === want.label
    const build = fits(atPos) ? atPos : builds.find(fits)
    if (build) {
      used.add(build.id)
      out.push({ index, build })
    }
  })
  return out
}
