// The send service: hash → signed upload URLs → PUT → part → build, for one or many files, with
// every step recorded durably in the journal before the next one starts. This file wires the
// steps together: context.ts (what they share), prepare.ts and part.ts (up to a part per file),
// build.ts and reconcile.ts (the build, exactly once), job.ts (a job from start to end).
//
// Why it is safe to crash anywhere (see state.ts for what is recorded):
// - hashing and signed URLs have no lasting effect on Printago, so they are simply redone;
// - a PUT to a signed URL overwrites the same object, so it is repeated freely; its bytes are
//   checked against the recorded hash on the way, so a file edited since is never stored;
// - POST /v1/parts is preceded by a `part-intent` entry. If its answer is unknown (timeout,
//   reset, 5xx, crash), the part is looked up by SHA-256 (`fileHashes`) before creating another
//   (a spare part is harmless; the dedupe cache then points at one of them). The sha256 → part
//   id is cached durably the moment a part exists (created, or found by hash), so a cancel right
//   after it still spares the next send the upload. A cancel stops the create only until it has
//   left; after that its answer is awaited. If a job ends without learning a create's answer,
//   the next send of that file looks it up by hash once before uploading again;
// - POST /v2/builds is the step that must never be duplicated: build.ts says how it is made safe.
import type { ProjectFacts } from '../../shared/send-project'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import type { SendProgress, SendRequest } from '../../shared/send'
import { realSleep, type Sleep } from '../infra/async'
import { systemMonotonic, type Monotonic } from '../infra/clock'
import { openJournal, type Journal, type JournalIssue } from '../infra/journal'
import type { PrintagoClient } from '../printago/client'
import { PrintagoError } from '../printago/errors'
import { createSendContext, type UploadTuning } from './context'
import { matchUnfinished } from './match'
import { distrustDamage } from './reconcile'
import { createMemoryDedupeCache, type DedupeCache } from './dedupe-cache'
import { createMutex, runJob } from './job'
import { describe, mergeResults, type SendResult } from './result'
import {
  applySendEntry,
  emptySendState,
  sendStateFromSnapshot,
  sendStateToSnapshot,
  unrecorded,
  type FixedPart,
  type JobRecord,
  type SendJournalState
} from './state'
import { SendRequestError, validateSendRequest } from './validate'

export type { UploadTuning } from './context'
export { OUTCOME_UNKNOWN, type FailedFile, type SendResult } from './result'
export { SendRequestError, uploadFilename, validateSendRequest } from './validate'

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
  /** The clock waits are measured on. Default: the system's monotonic clock. */
  monotonic?: Monotonic
  newId?: () => string
  /** Clock-skew allowance when matching builds to an unmarked (older) intent. Default 2 min. */
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
  /** Check each file with the STL engine (on the same read as its hash). Default true. */
  checkFiles?: boolean
  /**
   * Writes these built files of a job to the history; throws when the history can't be written
   * (disk full). Called once per file: a failed write is tried again on the next resume.
   */
  recordHistory?: (job: JobRecord, indices: number[]) => void
}

/** Print again: files whose part Printago already has, queued as a journaled job. */
export interface ReprintRequest {
  routing: SendRequest['routing']
  items: Array<
    SendRequest['items'][number] & {
      partId: string
      sha256: string
      reprintOf?: string
      project?: ProjectFacts
    }
  >
}

export interface SendOptions {
  /** The id the caller already handed to the UI. */
  jobId?: string
  /** A deliberate second copy: do not resume a matching unfinished send instead. */
  again?: boolean
}

export interface SendService {
  readonly journal: Journal<SendJournalState>
  /** sha256 → part id of this store (the dry run adds the parts it creates; sends reuse them). */
  readonly dedupe: DedupeCache
  /** Problems found while opening the journal (torn tail, quarantined files). */
  readonly issues: JournalIssue[]
  /** PUT requests sent to signed URLs (the client's `apiCalls` counts the REST calls). */
  readonly uploadRequests: number
  /**
   * Validate, journal and run a send. Resolves with per-file results; rejects only for an invalid
   * request (SendRequestError) or when the journal can't record the job. `jobId` lets the caller
   * pick the id it already handed to the UI.
   */
  send(request: SendRequest, signal?: AbortSignal, options?: SendOptions): Promise<SendResult>
  /** Print again (always a new job; no upload): journaled and reconciled like any build. */
  reprint(request: ReprintRequest, options?: { jobId?: string }): Promise<SendResult>
  /** Cancel a running job (before its build is queued). Returns false if it is not running. */
  cancel(jobId: string): boolean
  /**
   * Cancel an unfinished job, running or not: a build in doubt is checked first (what Printago
   * did queue is kept and reported); nothing more is sent. Null when there is no such job.
   */
  cancelPending(jobId: string): Promise<SendResult | null>
  /** Continue every unfinished job in the journal (after a crash or restart). */
  resumePending(): Promise<SendResult[]>
  /** Jobs that are still unfinished in the journal. */
  pendingJobs(): JobRecord[]
  /** Finished jobs whose queued files could not be written to the history yet (disk full). */
  unrecordedJobs(): JobRecord[]
  close(): Promise<void>
}

/** Open the journal (if needed) and create the send service. */
export async function createSendService(options: SendServiceOptions): Promise<SendService> {
  const now = options.now ?? Date.now
  let journal = options.journal
  if (!journal) {
    if (!options.journalDir) throw new Error('createSendService needs journalDir or journal')
    journal = await openJournal<SendJournalState>({
      dir: options.journalDir,
      empty: emptySendState,
      apply: applySendEntry,
      toSnapshot: (s) => sendStateToSnapshot(s, now()),
      fromSnapshot: sendStateFromSnapshot,
      knows: (state, jobId) => state.jobs.has(jobId),
      now
    })
  }
  const j = journal
  for (const [jobId, count] of j.state.orphans ?? []) {
    // Both copies of its start record were damaged: say which send could not be recovered.
    j.issues.push({
      kind: 'corrupt-entry',
      file: join(j.dir, 'journal.log'),
      message: `The send ${jobId} could not be recovered: its start record is damaged (${count} later entr${count === 1 ? 'y' : 'ies'} kept in the journal)`
    })
  }
  const ctx = createSendContext({
    client: options.client,
    journal: j,
    dedupe: options.dedupe ?? createMemoryDedupeCache(now),
    settings: {
      concurrency: Math.max(1, options.concurrency ?? 3),
      hashConcurrency: Math.max(1, options.hashConcurrency ?? 1),
      reconcileMarginMs: options.reconcileMarginMs ?? 120_000,
      settleMs: options.settleMs ?? 60_000,
      maxBuildAttempts: options.maxBuildAttempts ?? 4,
      maxPartAttempts: options.maxPartAttempts ?? 4,
      checkFiles: options.checkFiles ?? true,
      upload: options.upload ?? {}
    },
    now,
    monotonic: options.monotonic ?? systemMonotonic,
    newId: options.newId ?? randomUUID,
    sleep: options.sleep ?? realSleep,
    serviceSignal: options.signal,
    onProgress: options.onProgress
  })
  // Damaged entries skipped at open: unfinished jobs check Printago before sending again.
  await distrustDamage(ctx)
  const running = new Map<string, { controller: AbortController; done: Promise<SendResult> }>()
  const buildLock = createMutex()
  // Sends still writing their first journal entry: close() waits for them too.
  const starting = new Set<Promise<unknown>>()
  // Requests as given (thumbnails included) for the history of jobs started by this process.
  const originals = new Map<string, SendRequest>()

  /** Writes the job's built files to the history, then journals that they are there. */
  const record = async (job: JobRecord): Promise<{ code: string; message: string } | undefined> => {
    const todo = unrecorded(job)
    if (!options.recordHistory || todo.length === 0) return undefined
    try {
      const request = originals.get(job.jobId) ?? job.request
      options.recordHistory({ ...job, request }, todo)
    } catch (error) {
      return describe(error)
    }
    try {
      await ctx.write({ type: 'recorded', jobId: job.jobId, indices: todo })
    } catch {
      // The history has them; writing them again on the next resume changes nothing.
    }
    return undefined
  }

  const start = (job: JobRecord, callerSignal?: AbortSignal): Promise<SendResult> => {
    const existing = running.get(job.jobId)
    if (existing) return existing.done
    const controller = new AbortController()
    if (callerSignal?.aborted) controller.abort(callerSignal.reason)
    const done = runJob(ctx, job, buildLock, controller, callerSignal)
      .then(async (result) => {
        const problem = await record(job)
        // A queued job the history could not keep is an error to report, not a success.
        return problem ? { ...result, error: problem, historyNotSaved: true } : result
      })
      .finally(() => running.delete(job.jobId))
    running.set(job.jobId, { controller, done })
    return done
  }
  const active = (): JobRecord[] => [...j.state.jobs.values()].filter((x) => x.status === 'active')

  /** Journal a new job (its record twice: one damaged copy must not lose it). */
  const createJob = async (
    request: SendRequest,
    jobId: string,
    fixed?: FixedPart[]
  ): Promise<JobRecord> => {
    if (j.state.jobs.has(jobId)) throw new SendRequestError(`job ${jobId} already exists`)
    const clean: SendRequest = structuredClone(request)
    // Thumbnails are for the history view, not for recovery: keep the journal small.
    for (const item of clean.items) if (item.meta) delete item.meta.thumbnail
    const entry = {
      type: 'job' as const,
      jobId,
      request: clean,
      createdAt: now(),
      // Only a service that writes a history tracks it (its jobs are kept until recorded).
      ...(options.recordHistory ? { history: true } : {}),
      ...(fixed ? { fixed } : {})
    }
    await ctx.write(entry)
    // The second copy: once the first is durable the job exists, so a failure here (a crash, a
    // full disk) only means the job runs into the same failure and is left to resume.
    await ctx.write(entry).catch(() => undefined)
    originals.set(jobId, request)
    const job = j.state.jobs.get(jobId)!
    job.items.forEach((_, i) => ctx.emit(job, i, 'queued-locally'))
    return job
  }

  const guard = <T>(work: Promise<T>): Promise<T> => {
    starting.add(work)
    const forget = (): void => void starting.delete(work)
    work.then(forget, forget)
    return work
  }

  return {
    journal: j,
    dedupe: ctx.dedupe,
    issues: j.issues,
    get uploadRequests() {
      return ctx.uploadRequests
    },
    send(request, signal, sendOptions = {}) {
      return guard(
        (async () => {
          const problem = validateSendRequest(request)
          if (problem) throw new SendRequestError(problem)
          const jobId = sendOptions.jobId ?? ctx.newId()
          if (j.state.jobs.has(jobId)) throw new SendRequestError(`job ${jobId} already exists`)
          const matches = sendOptions.again
            ? []
            : await matchUnfinished(request, active(), {
                checkFiles: ctx.settings.checkFiles,
                signal
              })
          const taken = new Set(matches.flatMap((m) => [...m.items.keys()]))
          const rest = request.items.filter((_, i) => !taken.has(i))
          for (const m of matches) ctx.resumedJobs.add(m.job.jobId)
          // The caller follows this send under its own id: the resumed files report there too.
          const resumed = matches.map((m) => {
            const unfollow = ctx.follow(
              m.job.jobId,
              jobId,
              new Map([...m.items].map(([reqIndex, jobIndex]) => [jobIndex, reqIndex]))
            )
            return start(m.job).finally(unfollow)
          })
          const fresh =
            rest.length > 0
              ? start(await createJob({ ...request, items: rest }, jobId), signal)
              : undefined
          const freshIndex = request.items.flatMap((_, i) => (taken.has(i) ? [] : [i]))
          return mergeResults({
            jobId,
            request,
            fresh: fresh ? { result: await fresh, index: freshIndex } : undefined,
            resumed: await Promise.all(
              matches.map(async (m, k) => ({ match: m, result: await resumed[k]! }))
            )
          })
        })()
      )
    },
    reprint(request, reprintOptions = {}) {
      return guard(
        (async () => {
          const plain: SendRequest = {
            routing: request.routing,
            items: request.items.map(
              // eslint-disable-next-line @typescript-eslint/no-unused-vars
              ({ partId, sha256, reprintOf, project, ...item }) => item
            )
          }
          const problem = validateSendRequest(plain)
          if (problem) throw new SendRequestError(problem)
          const fixed: FixedPart[] = request.items.map((it, index) => ({
            index,
            partId: it.partId,
            sha256: it.sha256,
            ...(it.reprintOf ? { reprintOf: it.reprintOf } : {}),
            ...(it.project ? { project: it.project } : {})
          }))
          const job = await createJob(plain, reprintOptions.jobId ?? ctx.newId(), fixed)
          return start(job)
        })()
      )
    },
    cancel(jobId) {
      const run = running.get(jobId)
      if (!run) return false
      run.controller.abort(new PrintagoError({ code: 'cancelled', message: 'Send cancelled' }))
      return true
    },
    async cancelPending(jobId) {
      const job = j.state.jobs.get(jobId)
      if (!job || job.status !== 'active') return null
      const run = running.get(jobId)
      if (run) {
        run.controller.abort(new PrintagoError({ code: 'cancelled', message: 'Send cancelled' }))
        return run.done
      }
      const cancelled = new AbortController()
      cancelled.abort(new PrintagoError({ code: 'cancelled', message: 'Send cancelled' }))
      return start(job, cancelled.signal)
    },
    async resumePending() {
      // Finished jobs whose history write failed (disk full) get it now.
      for (const job of j.state.jobs.values()) {
        if (job.status !== 'active' && !running.has(job.jobId)) await record(job)
      }
      const jobs = active()
      for (const job of jobs) ctx.resumedJobs.add(job.jobId)
      return Promise.all(jobs.map((job) => start(job)))
    },
    pendingJobs: active,
    unrecordedJobs: () =>
      [...j.state.jobs.values()].filter(
        (x) => x.status !== 'active' && !running.has(x.jobId) && unrecorded(x).length > 0
      ),
    async close() {
      while (starting.size > 0) await Promise.allSettled([...starting])
      await Promise.allSettled([...running.values()].map((r) => r.done))
      if (!options.journal) await j.close()
    }
  }
}
