// Simulated crashes of an in-process service at a journal state: the write of that entry never
// becomes durable (sometimes half of it is on disk, as after a power cut), or it does and the
// process dies at its next step — a build request then reaches Printago without anyone waiting
// for its answer. The app starts again and resumes, or the user sends the same files again (which
// must finish the job, not repeat it); sometimes it dies again while resuming.
import type { JournalEntry } from '../../../src/core/infra/journal'
import { SEND_STATES } from '../cli-actor'
import { finishInProcess, orderAgain } from '../finish'
import { inDoubtBuildFault, intend, planSend, type FaultClass } from '../run'
import { firstSend, openService, type CrashPlan } from '../service-actor'

export const crash: FaultClass = {
  name: 'crash',
  what: 'in-process crashes at journal states (torn writes, requests left in flight), then resume or the same send again',
  async run(ctx) {
    const { world, d } = ctx
    const p = await planSend(ctx)
    intend(ctx, p, 'service')
    const state = d.pick(SEND_STATES)
    const when = d.pick(['before', 'after'] as const)
    const plan: CrashPlan = {
      at: (e: JournalEntry) => e.type === state && e['jobId'] === p.jobId,
      when,
      tear: when === 'before' && d.chance(0.4)
    }
    if (d.chance(0.4)) inDoubtBuildFault(ctx)
    const actor = await openService(world, d, { crash: plan })
    try {
      await firstSend(world, actor, p.request, p.jobId)
    } finally {
      await actor.close()
    }
    if (actor.crashed) ctx.fired(`${when} ${state}`)
    world.sandbox.clearFaults()
    world.relay.clearLate()
    await finishInProcess(ctx, p, {
      rounds: 5,
      // Now and then it dies again while resuming, a few writes in.
      service: (k) => {
        if (k > 1 || !d.chance(0.3)) return {}
        const at = d.int(0, 6)
        return {
          crash: {
            at: (_: JournalEntry, i: number) => i === at,
            when: d.pick(['before', 'after'] as const)
          }
        }
      }
    })
    if (d.chance(0.25) && (await orderAgain(ctx, p))) ctx.fired('ordered again after done')
  }
}
