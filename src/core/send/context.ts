// What every step of a send shares: the client, the journal (and how to write it), the dedupe
// cache, the settings, progress reporting and the call options that route the client's waits and
// retries to the right files. One per service; the steps (prepare.ts, part.ts, build.ts, job.ts)
// are plain functions of it.
import type { SendProgress, SendStep } from '../../shared/send'
import type { Sleep } from '../infra/async'
import { anySignal } from '../infra/async'
import type { Monotonic } from '../infra/clock'
import type { Journal } from '../infra/journal'
import { createLogger } from '../infra/log'
import type {
  CallOptions,
  ClientRetryEvent,
  ClientWaitEvent,
  PrintagoClient
} from '../printago/client'
import { PrintagoError } from '../printago/errors'
import type { UploadOptions } from '../printago/upload'
import type { DedupeCache } from './dedupe-cache'
import { describe } from './result'
import type { ItemRecord, JobRecord, SendEntry, SendJournalState } from './state'

const log = createLogger('send')

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

/** The service's options with defaults applied. */
export interface SendSettings {
  /** Parallel uploads (+ part creations). */
  concurrency: number
  /** Parallel hashes. */
  hashConcurrency: number
  /** Clock-skew allowance when matching builds of an unmarked (older) intent to it. */
  reconcileMarginMs: number
  /** How long after a build request left Printago may still act on it (see build.ts). */
  settleMs: number
  maxBuildAttempts: number
  maxPartAttempts: number
  /** Check each file with the STL engine while hashing it. */
  checkFiles: boolean
  upload: UploadTuning
}

export interface SendContext {
  readonly client: PrintagoClient
  readonly journal: Journal<SendJournalState>
  readonly dedupe: DedupeCache
  readonly settings: SendSettings
  readonly now: () => number
  /** Waits are measured on this clock (wall time may step; see reconcile.ts). */
  readonly monotonic: Monotonic
  readonly newId: () => string
  readonly sleep: Sleep
  /** Service lifetime: aborting it stops every job like a crash (nothing terminal is written). */
  readonly serviceSignal: AbortSignal | undefined
  /** Intents whose request got an HTTP answer: the server is done with it, no need to settle. */
  readonly answeredIntents: Set<string>
  /** Jobs continued from an earlier run (or matched by a repeated send): progress says so. */
  readonly resumedJobs: Set<string>
  /**
   * A repeated send that resumed an unfinished job follows its files under its own job id and
   * request indices too (the caller named that id), until `unfollow()` is called.
   */
  follow(resumedJobId: string, asJobId: string, reqIndexOf: Map<number, number>): () => void
  /** PUT requests sent to signed URLs. */
  uploadRequests: number
  /** Append entries durably; throws JournalWriteError when the journal can't record them. */
  write(...entries: Array<SendEntry & { at?: number }>): Promise<void>
  /** Report one file's progress (a listener's exception never reaches the send). */
  emit(job: JobRecord, index: number, step: SendStep, extra?: Partial<SendProgress>): void
  /** Client call options that report waits and retries as progress of these files. */
  callOptions(job: JobRecord, indices: number[], signal: AbortSignal | undefined): CallOptions
  /**
   * A signal for a request that must not be repeated blindly (POST /v1/parts): it follows the
   * job's signal (user cancel included) until `sent()` — called once the request may reach
   * Printago — and from then on only the service's lifetime, so the answer is not thrown away.
   */
  untilSent(jobSignal: AbortSignal): { signal: AbortSignal; sent: () => void }
  /** Record sha256 → part id in the dedupe cache (a failing write is logged, not thrown). */
  remember(sha256: string, partId: string): Promise<void>
  forget(sha256: string): Promise<void>
  /** Record a file as failed and report it. */
  failItem(job: JobRecord, index: number, error: unknown): Promise<void>
}

/** Thrown when the journal can't record a step: the job stops here and resumes later. */
export class JournalWriteError extends Error {
  constructor(readonly original: unknown) {
    super(`could not record send progress: ${(original as Error)?.message ?? String(original)}`)
    this.name = 'JournalWriteError'
  }
}

export interface SendContextInit {
  client: PrintagoClient
  journal: Journal<SendJournalState>
  dedupe: DedupeCache
  settings: SendSettings
  now: () => number
  monotonic: Monotonic
  newId: () => string
  sleep: Sleep
  serviceSignal: AbortSignal | undefined
  onProgress: ((progress: SendProgress) => void) | undefined
}

export function createSendContext(init: SendContextInit): SendContext {
  const { journal, dedupe, onProgress, serviceSignal } = init
  const resumedJobs = new Set<string>()
  /** resumed job id → the sends following it: their job id and job index → request index. */
  const followers = new Map<string, Set<{ jobId: string; reqIndexOf: Map<number, number> }>>()

  const emit: SendContext['emit'] = (job, index, step, extra = {}) => {
    if (!onProgress) return
    const item = job.items[index]
    const path = job.request.items[index]?.path ?? ''
    const progress: SendProgress = { jobId: job.jobId, index, path, step }
    if (item?.sha256) progress.sha256 = item.sha256
    if (item?.partId) progress.partId = item.partId
    if (item?.reusedPart) progress.reusedPart = true
    if (item?.partBuildId) progress.partBuildId = item.partBuildId
    if (resumedJobs.has(job.jobId)) progress.resumed = true
    const out = [{ ...progress, ...extra }]
    for (const f of followers.get(job.jobId) ?? []) {
      const reqIndex = f.reqIndexOf.get(index)
      if (reqIndex !== undefined) out.push({ ...out[0]!, jobId: f.jobId, index: reqIndex })
    }
    for (const p of out) {
      try {
        onProgress(p)
      } catch {
        // A listener's bug must not break the send.
      }
    }
  }

  const write: SendContext['write'] = async (...entries) => {
    try {
      await journal.append(...entries)
    } catch (error) {
      throw new JournalWriteError(error)
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

  return {
    client: init.client,
    journal,
    dedupe,
    settings: init.settings,
    now: init.now,
    monotonic: init.monotonic,
    newId: init.newId,
    sleep: init.sleep,
    serviceSignal,
    answeredIntents: new Set(),
    resumedJobs,
    follow(resumedJobId, asJobId, reqIndexOf) {
      let set = followers.get(resumedJobId)
      if (!set) followers.set(resumedJobId, (set = new Set()))
      const f = { jobId: asJobId, reqIndexOf }
      set.add(f)
      return () => {
        set.delete(f)
        if (set.size === 0) followers.delete(resumedJobId)
      }
    },
    uploadRequests: 0,
    write,
    emit,
    callOptions: (job, indices, signal) => ({
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
    }),
    untilSent(jobSignal) {
      const controller = new AbortController()
      const follow = (): void => controller.abort(jobSignal.reason)
      if (jobSignal.aborted) follow()
      else jobSignal.addEventListener('abort', follow, { once: true })
      return {
        signal: anySignal([controller.signal, serviceSignal]),
        sent: () => jobSignal.removeEventListener('abort', follow)
      }
    },
    remember: (sha256, partId) => dedupe.set(sha256, partId).catch(cacheFailed),
    forget: (sha256) => dedupe.delete(sha256).catch(cacheFailed),
    async failItem(job, index, error) {
      const info = describe(error)
      await write({ type: 'item-failed', jobId: job.jobId, index, error: info })
      emit(job, index, 'failed', { error: info })
    }
  }
}

/** Indices of the job's files that have not failed. */
export function live(job: JobRecord): number[] {
  return job.items.map((_, i) => i).filter((i) => !job.items[i]!.error)
}

/** True while an item has no part, no upload target or upload, and no part request in flight. */
export function beforeUpload(item: ItemRecord): boolean {
  return !item.partId && !item.target && !item.uploadedPath && !item.partIntent
}

/** Errors that doom every file of the job (stop early instead of failing each file alike). */
export function isFatal(error: unknown): boolean {
  return error instanceof PrintagoError && (error.code === 'auth' || error.code === 'forbidden')
}

/**
 * Printago busy or out of reach even after the client's retries (a storm of 429s, a network
 * down, 5xx): nothing is wrong with the files, so the job is left to resume, never failed.
 */
export function isTransient(error: unknown): boolean {
  return (
    error instanceof PrintagoError &&
    (error.code === 'rate-limited' ||
      error.code === 'network' ||
      error.code === 'timeout' ||
      error.code === 'server')
  )
}

/** An error that must stop the job rather than fail one file: a stop, a lost journal, a bad key. */
export function stopsJob(error: unknown, signal: AbortSignal): boolean {
  return (
    signal.aborted || error instanceof JournalWriteError || isFatal(error) || isTransient(error)
  )
}
