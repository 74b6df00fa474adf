// One send job from its journal record to its end: prepare the parts, queue the build, and write
// how it ended — or, when it was stopped (service shut down, journal lost, build outcome unknown),
// leave it active so that resumePending() continues from its last durable step.
import { anySignal, isAbortError } from '../infra/async'
import { PrintagoError } from '../printago/errors'
import { buildPhase } from './build'
import { isTransient, JournalWriteError, live, type SendContext } from './context'
import { prepareParts } from './prepare'
import { resolveOpenIntent } from './reconcile'
import { describe, firstItemError, notConfirmed, resultOf, type SendResult } from './result'
import type { JobRecord } from './state'

/** Serialises async sections (build calls and their reconciliation). */
export function createMutex(): <T>(fn: () => Promise<T>) => Promise<T> {
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

/** Prepared parts disappearing under the build this many times in a row fails the job. */
const MAX_PREPARE_ROUNDS = 4

export async function runJob(
  ctx: SendContext,
  job: JobRecord,
  buildLock: ReturnType<typeof createMutex>,
  controller: AbortController,
  callerSignal?: AbortSignal
): Promise<SendResult> {
  const serviceSignal = ctx.serviceSignal
  const signal = anySignal([controller.signal, serviceSignal, callerSignal])
  try {
    // A build left in doubt by an earlier run is checked before anything else, even when the
    // job is being cancelled: what Printago did queue is recorded, never forgotten.
    if (job.buildIntent) await buildLock(() => resolveOpenIntent(ctx, job, serviceSignal))
    for (let round = 0; ; round++) {
      if (round >= MAX_PREPARE_ROUNDS)
        throw new Error('parts keep disappearing on Printago; try again')
      signal.throwIfAborted()
      await prepareParts(ctx, job, signal)
      if (live(job).length === 0) break
      const outcome = await buildLock(() => buildPhase(ctx, job, signal))
      if (outcome === 'done') break
    }
    const status = live(job).length === 0 ? 'failed' : 'done'
    const error = status === 'failed' ? firstItemError(job) : undefined
    await ctx.write({ type: 'end', jobId: job.jobId, status, ...(error ? { error } : {}) })
    for (const i of live(job)) ctx.emit(job, i, 'done', { fraction: 1 })
    return resultOf(job)
  } catch (error) {
    const stopped = error instanceof JournalWriteError || serviceSignal?.aborted === true
    const userStop = controller.signal.aborted || callerSignal?.aborted === true
    if (!stopped && !userStop && !job.buildIntent && isTransient(error)) {
      // Printago busy or unreachable: the job waits for the next resume, nothing is failed.
      const info = describe(error)
      const message = `${info.message}; the send is kept and continues on the next try`
      return {
        ...resultOf(job, { ...info, message }),
        status: 'interrupted',
        error: { ...info, message }
      }
    }
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
        await ctx.write({ type: 'end', jobId: job.jobId, status: 'cancelled' })
        for (const i of live(job)) if (!job.items[i]!.partBuildId) ctx.emit(job, i, 'cancelled')
      } else {
        const info = describe(error)
        for (const i of live(job)) {
          if (!job.items[i]!.partBuildId) await ctx.failItem(job, i, error)
        }
        await ctx.write({ type: 'end', jobId: job.jobId, status: 'failed', error: info })
      }
    } catch (writeError) {
      const info = describe(writeError)
      return { ...resultOf(job, info), status: 'interrupted', error: info }
    }
    return resultOf(job)
  }
}
