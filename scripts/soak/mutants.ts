// Bugs planted one at a time to prove the soak can fail: each is a file, the exact text to find
// (it must occur exactly once, so a refactor cannot silently disarm it) and its replacement, and
// the soak that must catch it — the fault classes that expose it, on the same driver.

export interface Mutant {
  name: string
  /** What the planted bug breaks, in one sentence. */
  breaks: string
  file: string
  find: string
  replace: string
  /** The soak's arguments: the classes that expose it, how many runs at most, a seed. */
  soak: { classes: string[]; runs: number; seed: number }
}

export const MUTANTS: Mutant[] = [
  {
    name: 'skip the settle wait',
    breaks: 'an unconfirmed build is checked at once, while Printago may still be creating it',
    file: 'src/core/send/reconcile.ts',
    find: 'const wait = ctx.answeredIntents.has(intent.intentId) ? 0 : settleWait(ctx, intent)',
    replace: 'const wait = 0',
    soak: { classes: ['crash', 'lookalike', 'clock-jump'], runs: 30, seed: 1 }
  },
  {
    name: 'ignore the marker',
    breaks: "reconciliation takes any build with the user's label as ours",
    file: 'src/core/send/reconcile.ts',
    find: '? markerOf(b.label) === marker',
    replace: "? (b.label ?? '').startsWith(label)",
    soak: { classes: ['lookalike'], runs: 30, seed: 1 }
  },
  {
    name: 'claim without journaling',
    breaks: 'the build request leaves without its intent in the journal',
    file: 'src/core/send/build.ts',
    find: 'beforeSend: () => ctx.write(intent(entries))',
    replace: 'beforeSend: async () => undefined',
    soak: { classes: ['acting-5xx', 'crash'], runs: 30, seed: 1 }
  },
  {
    name: 'retry a POST on 5xx',
    breaks: 'the client repeats a build request a gateway or Printago answered with 5xx',
    file: 'src/core/printago/client.ts',
    find: `} else if (response.status >= 500 || response.status === 408) {
          if (!safe) throw failure`,
    replace: '} else if (response.status >= 500 || response.status === 408) {',
    soak: { classes: ['acting-5xx'], runs: 30, seed: 1 }
  },
  {
    name: 'drop the lock',
    breaks: 'every process and service takes the store folder, held or not',
    file: 'src/core/infra/lock.ts',
    find: 'if (await createWhole(path, me)) {',
    replace: 'if ((await createWhole(path, me)) || true) {',
    soak: { classes: ['concurrency'], runs: 12, seed: 1 }
  },
  {
    name: 'judge every lock stale',
    breaks: 'a live holder of the folder is taken for a dead one and its lock broken',
    file: 'src/core/infra/lock.ts',
    find: 'export function ownerAlive(owner: LockOwner): boolean {',
    replace: 'export function ownerAlive(owner: LockOwner): boolean {\n  if (owner) return false',
    soak: { classes: ['concurrency'], runs: 12, seed: 1 }
  },
  {
    name: 'resume a finished job',
    breaks: 'a new order of the same files "resumes" a finished send instead of queuing them',
    file: 'src/core/send/service.ts',
    find: ': await matchUnfinished(request, active(), {',
    replace: ': await matchUnfinished(request, [...j.state.jobs.values()], {',
    soak: { classes: ['crash', 'transient'], runs: 40, seed: 1 }
  },
  {
    name: 'repeat instead of resume',
    breaks: 'the same send again queues a second copy of an unfinished one',
    file: 'src/core/send/match.ts',
    find: 'if (unfinished.length === 0) return []',
    replace: 'return []',
    soak: { classes: ['kill', 'crash'], runs: 20, seed: 1 }
  },
  {
    name: 'lose entries on compaction',
    breaks: 'compaction drops log entries the .bak lacks, so a damaged snapshot loses sends',
    file: 'src/core/infra/journal.ts',
    find: "return e !== undefined && typeof e.seq === 'number' && e.seq > bakSeq",
    replace: "return e !== undefined && typeof e.seq === 'number' && e.seq > snapSeq",
    soak: { classes: ['damage'], runs: 40, seed: 1 }
  },
  {
    name: 'treat 504 as an answer',
    breaks: "a gateway's 504 with a JSON body is taken for Printago's last word",
    file: 'src/core/printago/errors.ts',
    find: 'const GATEWAY_STATUSES = new Set([502, 503, 504])',
    replace: 'const GATEWAY_STATUSES = new Set([502, 503])',
    soak: { classes: ['acting-5xx', 'lookalike'], runs: 40, seed: 1 }
  },
  {
    name: 'settle on the wall clock',
    breaks: 'the settle wait is measured on the wall clock, which may jump',
    file: 'src/core/send/reconcile.ts',
    find: 'if (intent.mono !== undefined && boot !== null && intent.boot === boot) {',
    replace: 'if (intent.mono === -1) {',
    soak: { classes: ['clock-jump'], runs: 30, seed: 1 }
  },
  {
    name: 'ignore journal write errors',
    breaks: 'a step the journal could not record (disk full) is taken as recorded',
    file: 'src/core/send/context.ts',
    find: 'throw new JournalWriteError(error)',
    replace: 'void error',
    soak: { classes: ['disk-full'], runs: 20, seed: 1 }
  }
]

/** The source with the mutant planted; throws unless its text occurs exactly once. */
export function plantIn(text: string, m: Mutant): string {
  const found = text.split(m.find).length - 1
  if (found !== 1) {
    throw new Error(
      `mutant "${m.name}": its text occurs ${found} times in ${m.file} (must be exactly once):\n  ${m.find}`
    )
  }
  return text.replace(m.find, () => m.replace)
}
