// 5xx answers after the server acted: the sandbox performs the request and then answers 500, 502,
// 503 or 504 — with Printago's own JSON body (Printago answered: it is done with the request) or a
// gateway's HTML or text page (it may still be working). And a gateway that answers 502/503/504 at
// once while the request reaches Printago only later (the relay's late rule), also with a JSON
// body: a gateway status is never Printago's last word, whatever its body looks like.
import { cliUntilDone } from '../cli-actor'
import { finishInProcess } from '../finish'
import {
  intend,
  logMark,
  logSince,
  planSend,
  gatewayLate,
  type FaultClass,
  type RunContext
} from '../run'
import { firstSend, openService } from '../service-actor'

/** One fault on the build (acting, or a gateway that answers first), maybe one elsewhere. */
function inject(ctx: RunContext): void {
  const { world, d } = ctx
  const acting = (method: string, path: string): void =>
    world.sandbox.injectFault({
      method,
      path,
      kind: 'status-after',
      status: d.pick([500, 502, 503, 504]),
      bodyStyle: d.pick(['json', 'html', 'text'] as const)
    })
  if (d.chance(0.5)) world.relay.late(gatewayLate(d, '/v2/builds'))
  else acting('POST', '/v2/builds')
  if (d.chance(0.4)) acting('POST', d.pick(['/v1/parts', '/v1/storage/signed-upload-urls']))
}

export const acting5xx: FaultClass = {
  name: 'acting-5xx',
  what: '5xx after the server acted (500/502/503/504, JSON/HTML/text), and gateway 5xx answered before the request reaches Printago',
  async run(ctx) {
    const { world, d } = ctx
    const mark = logMark(world)
    const lateBefore = world.relay.lateAnswers
    const viaCli = d.chance(0.3)
    const p = await planSend(ctx, viaCli ? { max: 2, oneLabel: true } : {})
    intend(ctx, p, viaCli ? 'CLI' : 'service')
    inject(ctx)
    if (viaCli) {
      await cliUntilDone(
        world,
        {
          files: p.files.map((f) => f.path),
          label: p.labels[0]!,
          quantity: p.request.items[0]!.quantity
        },
        []
      )
    } else {
      const actor = await openService(world, d)
      try {
        await firstSend(world, actor, p.request, p.jobId)
      } finally {
        await actor.close()
      }
      world.sandbox.clearFaults()
      world.relay.clearLate()
      await finishInProcess(ctx, p)
    }
    for (const e of logSince(world, mark)) {
      if (e.fault === 'status-after')
        ctx.fired(`${e.method} ${e.path} acted ${e.actedStatus} → ${e.status}`)
    }
    const late = world.relay.lateAnswers - lateBefore
    if (late > 0) ctx.fired('gateway 5xx, Printago acts later')
  }
}
