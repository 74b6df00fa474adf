// Steps 2 and 3 of the build's exactly-once rules (build.ts): an open build intent is resolved by
// reading Printago's state — after the settle delay — before anything is sent again. Also how a
// build answer is paired with the files it was for.
import type { PartBuild, PartBuildConfigV2 } from '../../shared/printago/api-types'
import { defaultLabel } from '../../shared/send'
import type { SendContext } from './context'
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
  const answered = ctx.answeredIntents.has(intent.intentId)
  const wait = answered ? 0 : intent.at + ctx.settings.settleMs - ctx.now()
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
 * The part builds Printago holds for the open intent's files: same part id, label and quantity,
 * created no earlier than the intent (server clock, minus the skew margin), and not owned by any
 * job in the journal. Each build is claimed once, oldest first.
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
    if (!item?.partId || item.partBuildId) continue
    let builds = byPart.get(item.partId)
    if (!builds) {
      builds = await ctx.client.listPartBuilds(
        { partId: item.partId, sort: 'createdAt:desc', limit: 200 },
        ctx.callOptions(job, [index], signal)
      )
      byPart.set(item.partId, builds)
    }
    // The server clock is learnt from the answer we just got.
    const since = intent.at + ctx.client.serverTimeOffsetMs - ctx.settings.reconcileMarginMs
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
      found.push({ index, build: match })
    }
  }
  return found
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
  await ctx.write({
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
