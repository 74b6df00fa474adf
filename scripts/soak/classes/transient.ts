// The old soak's faults, kept as their own class: short 429s, 5xx that do not act, answers slower
// than the client waits (the server still acts), resets, answers dropped after the server acted,
// expired upload URLs, and parts of this store deleted on Printago.
import { finishInProcess, orderAgain } from '../finish'
import { intend, logMark, logSince, planSend, transientFaults, type FaultClass } from '../run'
import { firstSend, openService } from '../service-actor'

export const transient: FaultClass = {
  name: 'transient',
  what: "the old soak's faults: short 429s, 5xx without acting, slow answers, resets, answers dropped after acting, expired URLs, deleted parts",
  async run(ctx) {
    const { world, d } = ctx
    const p = await planSend(ctx)
    intend(ctx, p, 'service')
    if (d.chance(0.15) && world.deletePart(d)) ctx.fired('part deleted')
    const mark = logMark(world)
    for (const f of transientFaults(d)) world.sandbox.injectFault(f)
    const actor = await openService(world, d)
    try {
      await firstSend(world, actor, p.request, p.jobId)
    } finally {
      await actor.close()
    }
    await finishInProcess(ctx, p)
    for (const e of logSince(world, mark))
      if (e.fault) ctx.fired(`${e.fault} ${e.status || ''}`.trim())
    if (d.chance(0.2) && (await orderAgain(ctx, p))) world.count('orders again')
  }
}
