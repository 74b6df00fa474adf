// Look-alike builds while our build is in doubt: another client of the store (a person in
// Printago's UI, or another Printago Send with its own marker) queues the same part with the same
// label and quantity, and Print again from this app queues the same part and label as a new job.
// Now and then the server refuses the label filter the reconciliation reads with, so the pipeline
// sees the part's newest builds and must tell ours apart by the marker alone. None of these may
// ever be taken as ours; our own build must still be found (or sent, once).
import { randomUUID } from 'node:crypto'

import type { JournalEntry } from '../../../src/core/infra/journal'
import type { SendJournalState } from '../../../src/core/send/state'
import type { PartBuildConfigV2 } from '../../../src/shared/printago/api-types'
import { routingTags } from '../../../src/shared/send'
import { cliUntilDone, type KillPlan } from '../cli-actor'
import { peekJobs } from '../journal-files'
import { finishInProcess, jobsOf } from '../finish'
import type { Dice } from '../random'
import {
  inDoubtBuildFault,
  intend,
  planSend,
  type FaultClass,
  type PlannedSend,
  type RunContext
} from '../run'
import { claimResult, firstSend, openService } from '../service-actor'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'

/** Another client's label: the user's text alone, or with another installation's marker. */
function otherLabel(d: Dice, label: string): string {
  if (d.chance(0.5)) return label
  let m = ''
  for (let i = 0; i < 8; i++) m += ALPHABET[d.int(0, 31)]
  return `${label} [ps:${m}]`
}

/** Queues 1–2 look-alikes of file `index` of `p` on `partId`, as another client. */
function plant(ctx: RunContext, p: PlannedSend, index: number, partId: string): void {
  const item = p.request.items[index]!
  for (let k = ctx.d.int(1, 2); k > 0; k--) {
    const entry: PartBuildConfigV2 = {
      partId,
      quantity: item.quantity,
      label: otherLabel(ctx.d, item.label!),
      tags: routingTags(p.request.routing)
    }
    try {
      ctx.world.ledger.lookalike(ctx.world.sandbox.createBuild(entry))
      ctx.fired('another client')
    } catch {
      // The part is gone (a deleted-part fault of an earlier run): nothing to imitate.
    }
  }
}

function refuseLabelFilter(ctx: RunContext): void {
  if (!ctx.d.chance(0.4)) return
  ctx.world.relay.refuse({
    method: 'GET',
    path: '/v1/part-builds',
    param: 'label.endsWith',
    times: 3
  })
}

async function inProcess(ctx: RunContext): Promise<void> {
  const { world, d } = ctx
  const p = await planSend(ctx)
  intend(ctx, p, 'service')
  inDoubtBuildFault(ctx)
  refuseLabelFilter(ctx)
  const printAgain = d.chance(0.4)
  // The service's state, once it is open (the hook runs inside its journal writes).
  const ref: { state?: SendJournalState } = {}
  let planted = false
  const onEntry = (e: JournalEntry): void => {
    if (planted || e.type !== 'build-intent' || e['jobId'] !== p.jobId || !ref.state) return
    planted = true
    const job = ref.state.jobs.get(p.jobId)
    for (const i of e['indices'] as number[]) {
      const partId = job?.items[i]?.partId
      if (partId) plant(ctx, p, i, partId)
    }
  }
  // With Print again, the app dies once the build request has left: the reprint is queued while
  // the first build is still unconfirmed.
  const actor = await openService(world, d, {
    onEntry,
    ...(printAgain
      ? {
          crash: {
            at: (e: JournalEntry) => e.type === 'build-intent' && e['jobId'] === p.jobId,
            when: 'after' as const
          }
        }
      : {})
  })
  ref.state = actor.journal.state
  try {
    await firstSend(world, actor, p.request, p.jobId)
  } finally {
    await actor.close()
  }
  if (printAgain && actor.crashed) {
    const again = await openService(world, d)
    try {
      const job = jobsOf(again.journal.state.jobs.values(), p)[0]
      if (job?.buildIntent) {
        const items = job.buildIntent.indices.filter(
          (i) => job.items[i]?.partId && job.items[i]?.sha256
        )
        if (items.length > 0) {
          const reprint: PlannedSend = {
            request: { routing: p.request.routing, items: items.map((i) => p.request.items[i]!) },
            files: items.map((i) => p.files[i]!),
            jobId: randomUUID(),
            labels: items.map((i) => p.labels[i]!)
          }
          intend(ctx, reprint, 'print again', reprint.jobId)
          ctx.fired('print again')
          const r = await again.service.reprint(
            {
              routing: p.request.routing,
              items: items.map((i) => ({
                ...p.request.items[i]!,
                partId: job.items[i]!.partId!,
                sha256: job.items[i]!.sha256!,
                reprintOf: `history-${p.jobId}-${i}`
              }))
            },
            { jobId: reprint.jobId }
          )
          claimResult(world, r, 'print again')
        }
      }
      for (const r of await again.service.resumePending()) claimResult(world, r, 'resume')
    } finally {
      await again.close()
    }
  }
  world.sandbox.clearFaults()
  world.relay.clearLate()
  await finishInProcess(ctx, p)
}

async function byCli(ctx: RunContext): Promise<void> {
  const { world, d } = ctx
  const p = await planSend(ctx, { max: 2, oneLabel: true })
  intend(ctx, p, 'CLI')
  // The CLI waits 30 s for an answer: an acting gateway error or a late one puts it in doubt.
  const kind = d.pick(['status-after', 'gateway-late'] as const)
  if (kind === 'status-after')
    world.sandbox.injectFault({
      method: 'POST',
      path: '/v2/builds',
      kind: 'status-after',
      status: d.pick([502, 504])
    })
  else
    world.relay.late({
      method: 'POST',
      path: '/v2/builds',
      status: 504,
      body: d.pick(['html', 'json'] as const),
      forwardAfterMs: d.int(20, 300)
    })
  refuseLabelFilter(ctx)
  const watch: KillPlan = {
    state: 'build-intent',
    kill: false,
    onState: async (seen) => {
      // The job's parts, as the CLI journaled them.
      const job = (await peekJobs(world.journalDir)).find((j) => j.jobId === seen.jobId)
      for (const i of (seen.entry['indices'] as number[] | undefined) ?? []) {
        const partId = job?.items[i]?.partId
        if (partId) plant(ctx, p, i, partId)
      }
    }
  }
  await cliUntilDone(
    world,
    {
      files: p.files.map((f) => f.path),
      label: p.labels[0]!,
      quantity: p.request.items[0]!.quantity
    },
    [watch]
  )
}

export const lookalike: FaultClass = {
  name: 'lookalike',
  what: 'look-alike builds (same part, label, quantity) by another client and by Print again while our build is in doubt; label filter refused now and then',
  async run(ctx) {
    if (ctx.d.chance(0.3)) await byCli(ctx)
    else await inProcess(ctx)
  }
}
