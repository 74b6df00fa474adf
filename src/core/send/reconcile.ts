// Steps 2 and 3 of the build's exactly-once rules (build.ts): an open build intent is resolved by
// reading Printago's state — after the settle delay — before anything is sent again. Also how a
// build answer is paired with the files it was for.
import type { PartBuild, PartBuildConfigV2 } from '../../shared/printago/api-types'
import { defaultLabel } from '../../shared/send'
import { boundedWait } from '../infra/clock'
import { PrintagoError } from '../printago/errors'
import { live, type SendContext } from './context'
import { markerFor, markerOf, markLabel } from './marker'
import { NOT_CONFIRMED, OUTCOME_UNKNOWN } from './result'
import type { JobRecord } from './state'

/** A file of the job and the part build Printago made for it. */
export interface BuiltItem {
  index: number
  build: PartBuild
}

/**
 * Resolve the job's open build intent: wait until Printago can no longer be acting on the request
 * (unless it answered), then record the builds found for it as ours, or clear the intent when
 * none is found so that its files may be sent again.
 */
export async function resolveOpenIntent(
  ctx: SendContext,
  job: JobRecord,
  signal: AbortSignal | undefined
): Promise<void> {
  const intent = job.buildIntent!
  const wait = ctx.answeredIntents.has(intent.intentId) ? 0 : settleWait(ctx, intent)
  const unknown = { code: OUTCOME_UNKNOWN, message: NOT_CONFIRMED }
  if (wait > 0) {
    // The request may still be running on Printago: only a later read proves absence.
    // (Reported as a wait before a check, not as a retry: nothing is sent again blindly.)
    for (const i of intent.indices)
      ctx.emit(job, i, 'retrying', { waitSeconds: Math.ceil(wait / 1000), error: unknown })
    await ctx.sleep(wait, signal)
  }
  for (const i of intent.indices) ctx.emit(job, i, 'queuing', { error: unknown })
  const found = await reconcileBuild(ctx, job, signal)
  if (found.length > 0) await recordBuilds(ctx, job, found)
  else await ctx.write({ type: 'build-clear', jobId: job.jobId, intentId: intent.intentId })
}

/**
 * How long Printago may still be acting on the intent's request. Measured on the monotonic clock
 * when it was recorded on this boot (a wall clock set forward must not cut the wait short, one
 * set back must not stretch it); otherwise on the wall clock, never longer than `settleMs`.
 */
function settleWait(ctx: SendContext, intent: NonNullable<JobRecord['buildIntent']>): number {
  const settle = ctx.settings.settleMs
  const boot = ctx.monotonic.bootId
  if (intent.mono !== undefined && boot !== null && intent.boot === boot) {
    return boundedWait(intent.mono, settle, ctx.monotonic.now())
  }
  return boundedWait(intent.at, settle, ctx.now())
}

/**
 * The part builds Printago holds for the open intent's files. A marked intent (every one this
 * version writes) takes the build whose label carries the file's marker, whenever it was made;
 * an older, unmarked one falls back to part id, label and quantity within a time window. Never a
 * build another job of the journal owns; each build is claimed once, oldest first.
 */
async function reconcileBuild(
  ctx: SendContext,
  job: JobRecord,
  signal: AbortSignal | undefined
): Promise<BuiltItem[]> {
  const intent = job.buildIntent!
  const claimed = new Set<string>()
  for (const other of ctx.journal.state.jobs.values()) {
    for (const it of other.items) if (it.partBuildId) claimed.add(it.partBuildId)
  }
  const byPart = new Map<string, PartBuild[]>()
  const found: BuiltItem[] = []
  for (const index of intent.indices) {
    const item = job.items[index]
    if (!item || item.partBuildId) continue
    // A file whose part record was lost (a damaged journal line) is looked for by marker alone.
    const partId = item.partId
    if (!partId && !intent.marked) continue
    const marker = markerFor(job.jobId, index)
    const key = intent.marked ? `${partId ?? '*'}|${marker}` : partId!
    let builds = byPart.get(key)
    if (!builds) {
      const query = { ...(partId ? { partId } : {}), sort: 'createdAt:desc', limit: 200 }
      const options = ctx.callOptions(job, [index], signal)
      builds = intent.marked
        ? await listByMarker(ctx, query, markLabel('', marker), options)
        : await ctx.client.listPartBuilds(query, options)
      byPart.set(key, builds)
    }
    const want = job.request.items[index]!
    const label = want.label ?? defaultLabel(want.path)
    // Unmarked (older) intents only: the server clock is learnt from the answer we just got.
    const since = intent.at + ctx.client.serverTimeOffsetMs - ctx.settings.reconcileMarginMs
    const ours = (b: PartBuild): boolean =>
      intent.marked
        ? markerOf(b.label) === marker
        : b.label === label && b.quantity === want.quantity && Date.parse(b.createdAt) >= since
    const match = builds
      .filter((b) => (!partId || b.partId === partId) && !claimed.has(b.id) && ours(b))
      .sort((a, b) => a.createdAt.localeCompare(b.createdAt))[0]
    if (match) {
      claimed.add(match.id)
      found.push({ index, build: match })
    }
  }
  return found
}

/**
 * The part's builds whose label ends with the marker (Printago's `label.endsWith` filter), or,
 * from a server that refuses that filter, the part's newest builds (checked by label anyway).
 */
async function listByMarker(
  ctx: SendContext,
  query: Record<string, string | number>,
  suffix: string,
  options: ReturnType<SendContext['callOptions']>
): Promise<PartBuild[]> {
  try {
    return await ctx.client.listPartBuilds({ ...query, 'label.endsWith': suffix }, options)
  } catch (error) {
    if (!(error instanceof PrintagoError) || error.code !== 'validation') throw error
    return ctx.client.listPartBuilds(query, options)
  }
}

/**
 * After the journal skipped damaged entries, any of them may have been the intent of a build
 * request that did reach Printago (or the record of a part it was for). So every unfinished job
 * with files not built yet gets a new open intent for all of them: nothing is sent again before
 * Printago was read by marker, after the settle wait measured from now. (Left open: a crash in the
 * moment between the open that rewrote the damaged lines away and these entries.)
 */
export async function distrustDamage(ctx: SendContext): Promise<void> {
  if (!ctx.journal.issues.some((i) => i.kind === 'corrupt-entry')) return
  for (const job of ctx.journal.state.jobs.values()) {
    if (job.status !== 'active') continue
    const indices = live(job).filter((i) => !job.items[i]!.partBuildId)
    if (indices.length === 0) continue
    await ctx.write({
      type: 'build-intent',
      jobId: job.jobId,
      intentId: ctx.newId(),
      indices,
      marked: true,
      mono: ctx.monotonic.now(),
      boot: ctx.monotonic.bootId
    })
  }
}

/** Pair a build answer with our entries: by position when it lines up, else by part and label. */
export function matchBuilds(
  entries: number[],
  parts: PartBuildConfigV2[],
  builds: PartBuild[]
): BuiltItem[] {
  const out: BuiltItem[] = []
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

/** Record these files as built. This closes the job's open build intent, whole. */
export async function recordBuilds(
  ctx: SendContext,
  job: JobRecord,
  built: BuiltItem[]
): Promise<void> {
  // A file found by marker alone gets its part back from the build.
  const parts = built.flatMap(({ index, build }) =>
    !job.items[index]?.partId && typeof build.partId === 'string'
      ? [{ type: 'part' as const, jobId: job.jobId, index, partId: build.partId, reused: true }]
      : []
  )
  await ctx.write(...parts, {
    type: 'build',
    jobId: job.jobId,
    builds: built.map(({ index, build }) => ({
      index,
      partBuildId: build.id,
      printJobIds: printJobIdsOf(build)
    }))
  })
}

function printJobIdsOf(b: PartBuild): string[] {
  const jobs = (b as { printJobs?: Array<{ id?: unknown }> }).printJobs
  return Array.isArray(jobs)
    ? jobs.map((x) => x.id).filter((x): x is string => typeof x === 'string')
    : []
}
