// Damaged journal files between runs: one flipped byte in the snapshot, in its .bak, inside a log
// line or on the newline between two lines — never a second damage before the journal healed the
// first (a compaction rewrites the snapshot, the .bak and the log). An unfinished send (died at
// some state, maybe with its build in doubt) waits in the journal, often right after a
// compaction; the next process (a service or a CLI) must still finish it exactly once.
import type { JournalEntry } from '../../../src/core/infra/journal'
import { openJournal } from '../../../src/core/infra/journal'
import {
  applySendEntry,
  emptySendState,
  sendStateFromSnapshot,
  sendStateToSnapshot
} from '../../../src/core/send/state'
import { cliUntilDone, SEND_STATES } from '../cli-actor'
import { finishInProcess } from '../finish'
import { damageJournal, journalHealthy, type DamageTarget } from '../journal-files'
import { inDoubtBuildFault, intend, planSend, type FaultClass, type RunContext } from '../run'
import { firstSend, openService } from '../service-actor'

/** Opens the journal as the app would and compacts it `times` times (a snapshot, its .bak). */
async function compact(ctx: RunContext, times: number): Promise<void> {
  const { world } = ctx
  const j = await openJournal({
    dir: world.journalDir,
    empty: emptySendState,
    apply: applySendEntry,
    toSnapshot: (s) => sendStateToSnapshot(s, world.time.wall()),
    fromSnapshot: sendStateFromSnapshot,
    now: world.time.wall,
    lockWaitMs: 120_000
  })
  try {
    for (let k = 0; k < times; k++) await j.compact()
  } finally {
    await j.close()
  }
}

export const damage: FaultClass = {
  name: 'damage',
  what: 'one flipped byte in journal.snapshot, its .bak, a log line or a line break, with an unfinished send in the journal',
  async run(ctx) {
    const { world, d } = ctx
    const p = await planSend(ctx)
    intend(ctx, p, 'service')
    const state = d.pick(SEND_STATES.slice(0, -1))
    if (d.chance(0.5)) inDoubtBuildFault(ctx)
    const actor = await openService(world, d, {
      crash: {
        at: (e: JournalEntry) => e.type === state && e['jobId'] === p.jobId,
        when: d.pick(['before', 'after'] as const)
      }
    })
    try {
      await firstSend(world, actor, p.request, p.jobId)
    } finally {
      await actor.close()
    }
    world.sandbox.clearFaults()
    world.relay.clearLate()
    // The unfinished send's entries right behind a fresh snapshot (and .bak), as often as not.
    if (d.chance(0.6)) await compact(ctx, d.int(1, 2))
    if (!(await journalHealthy(world.journalDir))) {
      // An earlier damage not healed yet: heal first (two at once is beyond what it promises).
      world.count('damage skipped (journal still healing)')
      await compact(ctx, 1)
    }
    if (await journalHealthy(world.journalDir)) {
      const target = d.pick([
        'snapshot',
        'snapshot',
        'bak',
        'log-line',
        'log-line',
        'log-newline'
      ] as DamageTarget[])
      const what = await damageJournal(world.journalDir, target, d)
      if (what) {
        world.verbose(`run ${ctx.run}: damaged ${what}`)
        ctx.fired(target)
      }
    }
    if (d.chance(0.3)) {
      // The next process is a CLI: its send finishes the unfinished one too.
      const q = await planSend(ctx, { max: 1, oneLabel: true })
      intend(ctx, q, 'CLI')
      await cliUntilDone(
        world,
        {
          files: q.files.map((f) => f.path),
          label: q.labels[0]!,
          quantity: q.request.items[0]!.quantity
        },
        []
      )
    }
    await finishInProcess(ctx, p)
  }
}
