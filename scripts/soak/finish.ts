// Finishing an in-process send after its first attempt was interrupted: fresh services (the app
// started again) either resume the journal's unfinished jobs or — as a user would — send the very
// same request again, which must finish the interrupted job, not queue a second copy.
import { randomUUID } from 'node:crypto'

import type { SendResult } from '../../src/core/send/service'
import type { JobRecord } from '../../src/core/send/state'
import { intend, type PlannedSend, type RunContext } from './run'
import { claimResult, firstSend, openService, type ServiceOptions } from './service-actor'

/** The journal's jobs holding any of the planned send's files. */
export function jobsOf(jobs: Iterable<JobRecord>, p: PlannedSend): JobRecord[] {
  const labels = new Set(p.request.items.map((it) => it.label))
  return [...jobs].filter((j) => j.request.items.some((it) => labels.has(it.label)))
}

export interface FinishOptions {
  rounds?: number
  /** How often a round sends the same request again instead of resuming. */
  repeat?: number
  /** Options of the service opened in round `k` (e.g. a crash while resuming). */
  service?: (k: number) => ServiceOptions
}

/**
 * Runs restarts until no job of `p` is unfinished and it was journaled. Returns the last result
 * seen for it.
 */
export async function finishInProcess(
  ctx: RunContext,
  p: PlannedSend,
  options: FinishOptions = {}
): Promise<SendResult | undefined> {
  const { world, d } = ctx
  let last: SendResult | undefined
  for (let k = 0; k < (options.rounds ?? 4); k++) {
    const actor = await openService(world, d, options.service?.(k) ?? {})
    try {
      const mine = jobsOf(actor.journal.state.jobs.values(), p)
      const open = mine.some((j) => j.status === 'active')
      if (mine.length > 0 && !open) break
      if (mine.length === 0 || d.chance(options.repeat ?? 0.4)) {
        // Never journaled (it died first), or the user sends the same files again: either way
        // the same intent, one build per file.
        if (mine.length > 0) world.count('same send again (must resume)')
        last = (await firstSend(world, actor, p.request, randomUUID())) ?? last
      } else {
        for (const r of await actor.service.resumePending()) {
          claimResult(world, r, 'resume')
          if (mine.some((j) => j.jobId === r.jobId)) last = r
        }
      }
    } finally {
      await actor.close()
    }
  }
  return last
}

/**
 * A deliberate second copy of a finished send (the user orders the same again later): a new job
 * with its own markers, never a "resume" of the finished one. Only once every job of `p` is done.
 */
export async function orderAgain(ctx: RunContext, p: PlannedSend): Promise<boolean> {
  const { world, d } = ctx
  const actor = await openService(world, d)
  try {
    const mine = jobsOf(actor.journal.state.jobs.values(), p)
    if (mine.length === 0 || mine.some((j) => j.status !== 'done')) return false
    const jobId = randomUUID()
    intend(ctx, p, 'order again', jobId)
    const r = await actor.service.send(p.request, undefined, { jobId })
    claimResult(world, r, 'order again')
    return true
  } finally {
    await actor.close()
  }
}
