// Two services and two real processes on one data folder at once, with unfinished sends waiting
// in the journal (an in-process send that died, a CLI send killed): the store's lock must let one
// of them in at a time. A CLI that finds the folder busy says so and exits; the driver runs it
// again. A second service in this process waits for the lock. Every unfinished send is finished
// exactly once, by whoever gets there first.
import type { JournalEntry } from '../../../src/core/infra/journal'
import { cliUntilDone, SEND_STATES, type CliSend } from '../cli-actor'
import { finishInProcess } from '../finish'
import { jobWithLabel, peekJobs } from '../journal-files'
import { intend, planSend, type FaultClass, type RunContext } from '../run'
import {
  claimResult,
  firstSend,
  openService,
  tryOpenService,
  type ServiceActor
} from '../service-actor'

async function cliSend(ctx: RunContext, via: string): Promise<CliSend> {
  const p = await planSend(ctx, { max: 2, oneLabel: true })
  intend(ctx, p, via)
  return {
    files: p.files.map((f) => f.path),
    label: p.labels[0]!,
    quantity: p.request.items[0]!.quantity
  }
}

/** A service that resumes what is unfinished and sends its own files; waits its turn. */
async function serviceActor(ctx: RunContext, name: string): Promise<void> {
  const { world, d } = ctx
  const p = await planSend(ctx)
  intend(ctx, p, name)
  let actor: ServiceActor | null = await tryOpenService(world, d)
  if (!actor) {
    world.count('services waiting for the lock')
    ctx.fired('a service waited for the lock')
    actor = await openService(world, d, { waitForLock: true })
  }
  try {
    const [resumed, sent] = await Promise.all([
      actor.service.resumePending(),
      actor.service.send(p.request, undefined, { jobId: p.jobId })
    ])
    for (const r of resumed) claimResult(world, r, `${name} resume`)
    claimResult(world, sent, name)
  } finally {
    await actor.close()
  }
}

export const concurrency: FaultClass = {
  name: 'concurrency',
  what: 'two services and two CLI processes on one data folder at once, with unfinished sends in its journal',
  async run(ctx) {
    const { world, d } = ctx
    // An unfinished in-process send, died at some state (maybe with its build request out).
    const u = await planSend(ctx)
    intend(ctx, u, 'service (died)')
    const state = d.pick(SEND_STATES.slice(0, -1))
    const dying = await openService(world, d, {
      crash: {
        at: (e: JournalEntry) => e.type === state && e['jobId'] === u.jobId,
        when: d.pick(['before', 'after'] as const)
      }
    })
    try {
      await firstSend(world, dying, u.request, u.jobId)
    } finally {
      await dying.close()
    }
    // Maybe a killed CLI send too: its unfinished job waits for whichever sender comes first.
    if (d.chance(0.5)) {
      const send = await cliSend(ctx, 'CLI (killed)')
      const outs = await cliUntilDone(world, send, [{ state: d.pick(SEND_STATES.slice(0, -1)) }], {
        maxRuns: 1
      })
      const job = jobWithLabel(await peekJobs(world.journalDir), send.label)
      if (outs[0]?.killedAt && job?.status === 'active') ctx.fired('killed CLI send waiting')
      // Killed before its job was journaled: nothing to resume, so the command runs again now.
      else if (!job) await cliUntilDone(world, send, [])
    }
    const busy = world.counts.get('CLI busy answers') ?? 0
    const fresh = { rerunUnfinished: false, maxRuns: 12 }
    await Promise.all([
      cliUntilDone(world, await cliSend(ctx, 'CLI 1'), [], fresh),
      cliUntilDone(world, await cliSend(ctx, 'CLI 2'), [], fresh),
      serviceActor(ctx, 'service A'),
      serviceActor(ctx, 'service B')
    ])
    // The died send, if its job was never journaled, is sent again (its files are one intent).
    await finishInProcess(ctx, u)
    const refused = (world.counts.get('CLI busy answers') ?? 0) - busy
    if (refused > 0) ctx.fired('a CLI process found the folder busy')
    ctx.fired('four senders at once')
  }
}
