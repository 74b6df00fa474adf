// What a send job tells its caller: per-file results read from the job's journal record, and every
// error turned into `{ code, message }` data.
import type { SentFile } from '../../shared/send'
import { PrintagoError } from '../printago/errors'
import { diskProblem } from '../infra/fs'
import type { JobMatch } from './match'
import { FileCheckError } from './file-check'
import type { BuildIntent, JobRecord } from './state'
import { SendRequestError } from './validate'

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
  /**
   * Unfinished earlier sends this one resumed instead of queuing their files again (the same
   * file, routing, quantity and label): their job ids and the files (as this request named them).
   */
  resumed?: Array<{ jobId: string; files: string[] }>
  /** Files were queued but the history could not be written (disk full); `error` says why. */
  historyNotSaved?: boolean
}

/** Error code of a build whose outcome is still unknown (sent, never confirmed nor refused). */
export const OUTCOME_UNKNOWN = 'outcome-unknown'
export const NOT_CONFIRMED = 'Printago did not confirm whether the print was queued'

/** Any error as data: a typed one keeps its code, a file-system one names the file. */
export function describe(error: unknown): { code: string; message: string } {
  const disk = diskProblem(error)
  if (disk) return disk
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

/** The error of a build that was sent but neither confirmed nor refused. */
export function notConfirmed(cause: unknown): { code: string; message: string } {
  return { code: OUTCOME_UNKNOWN, message: `${NOT_CONFIRMED} (${describe(cause).message})` }
}

export function firstItemError(job: JobRecord): { code: string; message: string } | undefined {
  return job.items.find((it) => it.error)?.error
}

/** The job's open build intent (a function so TS doesn't narrow it away across awaits). */
export function openIntent(job: JobRecord): BuildIntent | undefined {
  return job.buildIntent
}

/**
 * The job's result from its journal record. `stopReason` explains items left unfinished by an
 * interrupted job; items of an open build intent are always `outcome-unknown`.
 */
export function resultOf(
  job: JobRecord,
  stopReason?: { code: string; message: string }
): SendResult {
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

/**
 * One result for a request that was split between a new job (`fresh`, its files at request
 * indices `index`) and unfinished jobs it resumed: each request file reported once, under the
 * name the request used.
 */
export function mergeResults(args: {
  jobId: string
  request: { items: Array<{ path: string }> }
  fresh: { result: SendResult; index: number[] } | undefined
  resumed: Array<{ match: JobMatch; result: SendResult }>
}): SendResult {
  const { request, fresh, resumed } = args
  if (fresh && resumed.length === 0) return fresh.result
  const files: SentFile[] = [...(fresh?.result.files ?? [])]
  const failures: FailedFile[] = [...(fresh?.result.failures ?? [])].map((f) => ({
    ...f,
    index: fresh!.index[f.index] ?? f.index
  }))
  const unfinished: FailedFile[] = [...(fresh?.result.unfinished ?? [])].map((f) => ({
    ...f,
    index: fresh!.index[f.index] ?? f.index
  }))
  const resumedOut: NonNullable<SendResult['resumed']> = []
  let error = fresh?.result.error
  let historyNotSaved = fresh?.result.historyNotSaved === true
  for (const { match, result } of resumed) {
    const names: string[] = []
    for (const [reqIndex, jobIndex] of match.items) {
      const file = request.items[reqIndex]!.path
      names.push(file)
      const it = match.job.items[jobIndex]!
      if (it.partBuildId) {
        files.push({
          file,
          sha256: it.sha256 ?? '',
          partId: it.partId ?? '',
          partBuildId: it.partBuildId,
          printJobIds: it.printJobIds ?? [],
          reusedPart: it.reusedPart === true
        })
        continue
      }
      const failed = result.failures.find((f) => f.index === jobIndex)
      const open = result.unfinished?.find((f) => f.index === jobIndex)
      if (failed) failures.push({ ...failed, file, index: reqIndex })
      else if (open) unfinished.push({ ...open, file, index: reqIndex })
      else
        unfinished.push({
          file,
          index: reqIndex,
          error: result.error ?? {
            code: 'interrupted',
            message: 'the send stopped before finishing'
          }
        })
    }
    resumedOut.push({ jobId: result.jobId, files: names })
    error ??= result.error
    historyNotSaved ||= result.historyNotSaved === true
  }
  let status: SendResult['status']
  if (unfinished.length > 0)
    status = fresh?.result.status === 'cancelled' ? 'cancelled' : 'interrupted'
  else if (failures.length === 0) status = 'done'
  else status = files.length > 0 ? 'partial' : 'failed'
  const out: SendResult = {
    jobId: fresh?.result.jobId ?? args.jobId,
    status,
    files,
    failures,
    resumed: resumedOut
  }
  if (unfinished.length > 0) out.unfinished = unfinished
  if (error && status !== 'done') out.error = error
  if (historyNotSaved) {
    out.historyNotSaved = true
    out.error = error
  }
  return out
}
