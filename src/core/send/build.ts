// The build step: one POST /v2/builds for every file of the job that has a part and no build yet.
// It is the step that must never be duplicated (Printago has no idempotency key):
//   1. a `build-intent` entry (client intent id, item indices, time) is fsync'd right before each
//      HTTP attempt leaves — after any rate-limit wait — so its time is when the request was sent;
//   2. if the answer is unknown (timeout, reset, 5xx, crash), nothing is re-sent until the intent
//      is reconciled (reconcile.ts): first wait until `settleMs` after that time when Printago never
//      answered (a request we gave up on may still be running there), then read
//      `GET /v1/part-builds?partId=…` and match part id, label and quantity, created no earlier
//      than the intent (server clock from the Date header, minus a 2-minute skew margin), and not
//      already owned by any job in the journal (finished jobs are kept 7 days for this);
//   3. matched entries are recorded as built; only entries proven absent are sent again.
//   Build calls and their reconciliation are serialised within the process (the service runs
//   this under one lock) and the journal lock keeps a second process out, so two of our own
//   intents never compete for one build.
// Labels are sent exactly as the user chose them (default: file name without extension); we do not
// make them unique. Part id + label + quantity + time window + claimed set identify our build; the
// only ambiguity left is another client (web UI, second machine) queueing the same part with the
// same label and quantity inside the window while our own request was in doubt — then we would
// take its build for ours. That needs two people sending the same file under the same label
// within minutes; a random suffix on every label, visible in Printago's queue, costs more.
import type { BuildConfigV2, PartBuildConfigV2 } from '../../shared/printago/api-types'
import { defaultLabel, routingTags } from '../../shared/send'
import { buildErrorNamesPart } from '../printago/client'
import { PrintagoError } from '../printago/errors'
import { JournalWriteError, live, type SendContext } from './context'
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
    if (attempts >= ctx.settings.maxBuildAttempts) throw lastError
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
  for (const i of entries) ctx.emit(job, i, 'queuing')
  try {
    const result = await ctx.client.createBuild(body, {
      ...ctx.callOptions(job, entries, signal),
      // Journaled before every attempt, after any rate-limit wait: the intent's time is
      // when the request really left, which is what the settle delay is measured from.
      beforeSend: () =>
        ctx.write({ type: 'build-intent', jobId: job.jobId, intentId, indices: entries })
    })
    ctx.answeredIntents.add(intentId)
    const builds = matchBuilds(entries, parts, result.partBuilds ?? [])
    if (builds.length === entries.length) {
      await recordBuilds(ctx, job, builds)
      return { kind: 'done' }
    }
    // Printago acted but answered incompletely: reconcile the rest from its state.
    if (builds.length > 0) {
      const intentAt = openIntent(job)?.at
      await recordBuilds(ctx, job, builds)
      await ctx.write({
        type: 'build-intent',
        jobId: job.jobId,
        intentId,
        indices: entries.filter((i) => !builds.some((b) => b.index === i)),
        // Keep the original send time: it bounds the reconciliation window.
        ...(intentAt !== undefined ? { at: intentAt } : {})
      })
    }
    return { kind: 'again' }
  } catch (error) {
    if (error instanceof JournalWriteError || signal?.aborted) throw error
    if (!(error instanceof PrintagoError)) throw error
    if (error.outcomeUnknown) {
      if (error.code === 'server' || error.code === 'bad-response') {
        ctx.answeredIntents.add(intentId)
      }
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

/** The build entry for one file: its part, label, quantity, routing, priority and position. */
function buildEntry(job: JobRecord, index: number): PartBuildConfigV2 {
  const want = job.request.items[index]!
  const entry: PartBuildConfigV2 = {
    partId: job.items[index]!.partId!,
    quantity: want.quantity,
    label: want.label ?? defaultLabel(want.path),
    tags: routingTags(job.request.routing),
    priority: want.priority === 'low' ? 1000 : 100
  }
  if (want.position) entry.position = want.position
  return entry
}

/** After a refused build, find reused parts that no longer exist and drop them from the cache. */
async function markStaleParts(
  ctx: SendContext,
  job: JobRecord,
  entries: number[],
  error: PrintagoError
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
