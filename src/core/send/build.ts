// The build step: one POST /v2/builds for every file of the job that has a part and no build yet.
// It is the step that must never be duplicated (Printago has no idempotency key):
//   1. every file's label carries its marker (marker.ts): a value Printago stores and returns, the
//      same for every attempt of that file, so a build can always be proven ours or not ours;
//   2. a `build-intent` entry (client intent id, item indices, wall and monotonic time) is fsync'd
//      right before each HTTP attempt leaves — after any rate-limit wait;
//   3. if the answer is unknown (timeout, reset, a gateway's 502/503/504 or any 5xx that is not
//      Printago's own JSON error, crash), nothing is re-sent until the intent is reconciled
//      (reconcile.ts): first wait until `settleMs` after the request left, on the monotonic clock
//      (a request we gave up on, or a gateway gave up on, may still be running at Printago), then
//      read `GET /v1/part-builds?partId=…` and take the builds whose label carries the file's
//      marker — whatever their time, and never one another job of the journal owns;
//   4. matched files are recorded as built; only files proven absent are sent again.
//   Build calls and their reconciliation are serialised within the process (the service runs this
//   under one lock) and the store's lock (infra/lock.ts) keeps every other process out.
import type { BuildConfigV2, PartBuildConfigV2 } from '../../shared/printago/api-types'
import { defaultLabel } from '../../shared/send'
import { buildErrorNamesPart } from '../printago/client'
import { PrintagoError } from '../printago/errors'
import { partBuildEntry } from './build-entry'
import { JournalWriteError, live, type SendContext } from './context'
import { markerFor, markLabel } from './marker'
import { matchBuilds, recordBuilds, resolveOpenIntent } from './reconcile'
import { notConfirmed, openIntent } from './result'
import type { JobRecord } from './state'

/**
 * Queue the build for every live file that has a part and no build yet. Returns 'stale' when
 * reused parts turned out to be gone (the caller prepares them again), 'done' otherwise; throws
 * when Printago refused the build or its outcome stayed unknown (`job.buildIntent` is then open).
 */
export async function buildPhase(
  ctx: SendContext,
  job: JobRecord,
  userSignal: AbortSignal
): Promise<'done' | 'stale'> {
  // Once the intent is written the build is not user-cancellable: its outcome must be known.
  const signal = ctx.serviceSignal
  let attempts = 0
  let lastError: unknown
  for (;;) {
    if (signal?.aborted) throw signal.reason
    if (job.buildIntent) {
      await resolveOpenIntent(ctx, job, signal)
      continue
    }
    const entries = live(job).filter((i) => job.items[i]!.partId && !job.items[i]!.partBuildId)
    if (entries.length === 0) return 'done'
    if (attempts >= ctx.settings.maxBuildAttempts) {
      throw lastError ?? new Error('Printago kept answering the build request incompletely')
    }
    userSignal.throwIfAborted()
    attempts++
    const outcome = await sendBuild(ctx, job, entries)
    if (outcome.kind === 'again') lastError = outcome.error ?? lastError
    else return outcome.kind
  }
}

type Attempt = { kind: 'done' | 'stale' } | { kind: 'again'; error?: unknown }

/** One build request for `entries`: 'again' when its outcome must be reconciled first. */
async function sendBuild(ctx: SendContext, job: JobRecord, entries: number[]): Promise<Attempt> {
  const signal = ctx.serviceSignal
  const parts = entries.map((i) => buildEntry(job, i))
  const body: BuildConfigV2 = { parts }
  const intentId = ctx.newId()
  const intent = (indices: number[], sent?: { at: number; mono?: number; boot?: string | null }) =>
    ({
      type: 'build-intent',
      jobId: job.jobId,
      intentId,
      indices,
      marked: true,
      ...(sent ?? { mono: ctx.monotonic.now(), boot: ctx.monotonic.bootId })
    }) as const
  for (const i of entries) ctx.emit(job, i, 'queuing')
  try {
    const result = await ctx.client.createBuild(body, {
      ...ctx.callOptions(job, entries, signal),
      // Journaled before every attempt, after any rate-limit wait: the intent's time is
      // when the request really left, which is what the settle delay is measured from.
      beforeSend: () => ctx.write(intent(entries))
    })
    ctx.answeredIntents.add(intentId)
    const builds = matchBuilds(entries, parts, result.partBuilds ?? [])
    if (builds.length === entries.length) {
      await recordBuilds(ctx, job, builds)
      return { kind: 'done' }
    }
    // Printago acted but answered incompletely: reconcile the rest from its state.
    if (builds.length > 0) {
      const open = openIntent(job)
      await recordBuilds(ctx, job, builds)
      const rest = entries.filter((i) => !builds.some((b) => b.index === i))
      // Keep the original send time: the settle wait is measured from it.
      await ctx.write(
        open ? intent(rest, { at: open.at, mono: open.mono, boot: open.boot }) : intent(rest)
      )
    }
    return { kind: 'again' }
  } catch (error) {
    if (error instanceof JournalWriteError || signal?.aborted) throw error
    if (!(error instanceof PrintagoError)) throw error
    if (error.outcomeUnknown) {
      // Only Printago's own answer proves it is done with the request; a gateway's 5xx does not.
      if (error.originAnswered) ctx.answeredIntents.add(intentId)
      // The intent is still open, so the next pass reconciles before repeating.
      for (const i of entries) ctx.emit(job, i, 'retrying', { error: notConfirmed(error) })
      return { kind: 'again', error }
    }
    // A definite refusal: nothing was queued.
    if (openIntent(job)?.intentId === intentId) {
      await ctx.write({ type: 'build-clear', jobId: job.jobId, intentId })
    }
    if (
      (error.code === 'not-found' || error.code === 'validation') &&
      (await markStaleParts(ctx, job, entries, error))
    ) {
      return { kind: 'stale' }
    }
    throw error
  }
}

/** The build entry for one file (build-entry.ts), its label marked as ours. */
function buildEntry(job: JobRecord, index: number): PartBuildConfigV2 {
  const want = job.request.items[index]!
  const label = markLabel(want.label ?? defaultLabel(want.path), markerFor(job.jobId, index))
  const item = job.items[index]!
  return partBuildEntry(want, job.request.routing, item.partId!, label, item.project)
}

/** After a refused build, find reused parts that no longer exist and drop them from the cache. */
async function markStaleParts(
  ctx: SendContext,
  job: JobRecord,
  entries: number[],
  error: PrintagoError
): Promise<boolean> {
  // A part given by Print again is never replaced: its refusal is the job's answer.
  const reused = entries.filter((i) => job.items[i]!.reusedPart && !job.items[i]!.fixedPart)
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
    const reusedIds = reused.map((i) => job.items[i]!.partId!)
    if (!buildErrorNamesPart(error, reusedIds)) return false
    // The error names no specific part: check each reused one.
    gone = []
    for (const i of reused) {
      const part = await ctx.client.getPart(
        job.items[i]!.partId!,
        ctx.callOptions(job, [i], ctx.serviceSignal)
      )
      if (!part) gone.push(i)
    }
  }
  for (const i of gone) {
    await ctx.forget(job.items[i]!.sha256!)
    await ctx.write({ type: 'part-stale', jobId: job.jobId, index: i })
  }
  return gone.length > 0
}
