// The wall clock jumps (NTP, a user setting the time, a VM resumed) — forward or back by a minute
// to two days — while a send runs, above all while its build is in doubt; the monotonic clock
// keeps going. Waits measured on the wall clock would end early (or late): the settle wait must
// not. Sometimes the app also dies after the jump and the next one resumes on the new wall time.
import type { JournalEntry } from '../../../src/core/infra/journal'
import { finishInProcess } from '../finish'
import type { Dice } from '../random'
import { inDoubtBuildFault, intend, planSend, type FaultClass, type RunContext } from '../run'
import { firstSend, openService } from '../service-actor'

const MINUTE = 60_000
const DAY = 86_400_000

function jumpSize(d: Dice): number {
  return d.chance(0.7) ? d.int(1, 120) * MINUTE : d.int(1, 2) * DAY
}

/** Jumps the wall clock one way or the other (toward zero once it is far off). */
function jump(ctx: RunContext, why: string): void {
  const { world, d } = ctx
  const size = jumpSize(d)
  const skew = world.time.skew
  const forward = Math.abs(skew) > 3 * DAY ? skew < 0 : d.chance(0.5)
  world.time.jump(forward ? size : -size)
  ctx.fired(`${forward ? 'forward' : 'back'} ${why}`)
}

export const clockJump: FaultClass = {
  name: 'clock-jump',
  what: 'wall-clock jumps both ways (1 min–2 days) while a build is in doubt; monotonic time keeps going',
  async run(ctx) {
    const { world, d } = ctx
    const p = await planSend(ctx)
    intend(ctx, p, 'service')
    inDoubtBuildFault(ctx)
    const early = d.pick(['hashed', 'part', 'urls'])
    const onEntry = (e: JournalEntry): void => {
      if (e['jobId'] !== p.jobId) return
      if (e.type === 'build-intent') jump(ctx, 'with the build in doubt')
      else if (e.type === early && d.chance(0.3)) jump(ctx, `at ${early}`)
    }
    const dies = d.chance(0.35)
    const actor = await openService(world, d, {
      onEntry,
      ...(dies
        ? {
            crash: {
              at: (e: JournalEntry) => e.type === 'build-intent' && e['jobId'] === p.jobId,
              when: 'after' as const
            }
          }
        : {})
    })
    try {
      await firstSend(world, actor, p.request, p.jobId)
    } finally {
      await actor.close()
    }
    if (actor.crashed) jump(ctx, 'before the app starts again')
    world.sandbox.clearFaults()
    world.relay.clearLate()
    await finishInProcess(ctx, p)
  }
}
