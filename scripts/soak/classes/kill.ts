// Real `kill -9` of CLI sends: the process group is killed the moment its job writes a chosen
// journal state (read from the journal, never timed), sometimes with its build request out and
// Printago still working on it; then the same command runs again — it must finish the send, not
// queue it twice — and may be killed again.
import { cliUntilDone, SEND_STATES, type KillPlan } from '../cli-actor'
import { intend, planSend, SLOW_MS, type FaultClass } from '../run'

export const kill: FaultClass = {
  name: 'kill',
  what: 'kill -9 of CLI sends at journal states, then the same command again (must resume, not repeat)',
  async run(ctx) {
    const { world, d } = ctx
    const p = await planSend(ctx, { max: 2, oneLabel: true })
    intend(ctx, p, 'CLI')
    // Widen the windows: a slow build (Printago acts after the kill), a slow upload, or a gateway
    // error that leaves the build in doubt (the CLI waits before it checks).
    const widen = d.pick([
      'slow build',
      'gateway-late',
      'acting 502',
      'slow upload',
      'none'
    ] as const)
    if (widen === 'slow build')
      world.sandbox.injectFault({
        method: 'POST',
        path: '/v2/builds',
        kind: 'delay',
        delayMs: SLOW_MS
      })
    else if (widen === 'gateway-late')
      world.relay.late({
        method: 'POST',
        path: '/v2/builds',
        status: 504,
        body: 'html',
        forwardAfterMs: d.int(10, SLOW_MS)
      })
    else if (widen === 'acting 502')
      world.sandbox.injectFault({
        method: 'POST',
        path: '/v2/builds',
        kind: 'status-after',
        status: 502
      })
    else if (widen === 'slow upload')
      world.sandbox.injectFault({
        method: 'PUT',
        path: /^\/_storage\//,
        kind: 'delay',
        delayMs: SLOW_MS
      })
    const kills: KillPlan[] = [{ state: d.pick(SEND_STATES) }]
    if (d.chance(0.3)) kills.push({ state: d.pick(SEND_STATES) })
    const outs = await cliUntilDone(
      world,
      {
        files: p.files.map((f) => f.path),
        label: p.labels[0]!,
        quantity: p.request.items[0]!.quantity,
        ...(d.chance(0.3) ? { tags: 'PLA' } : {})
      },
      kills
    )
    for (const o of outs) if (o.killedAt) ctx.fired(`at ${o.killedAt}`)
  }
}
