// `npm run soak -- --runs N --seed S [--classes a,b] [--only I] [--min-fired K] [--verbose]`
// Soak v2 of the send pipeline against the sandbox: each run exercises one fault class (round
// robin, choices seeded per run) with in-process services, app sessions and real CLI processes on
// one data folder, all through a relay in front of the sandbox, on a virtual clock. Between runs
// the unfinished sends are usually finished by a clean service, and at the end always.
// The oracle (soak/ledger.ts) then compares the driver's own list of intended file copies with
// the sandbox's builds: each must have exactly one build of ours — extra ones are duplicates,
// missing ones lost jobs, look-alikes of other clients never count and must never be adopted.
// Last line: `soak: <N> runs, <d> duplicate builds, <l> lost jobs`; exit 0 only when both are 0,
// nothing else failed (soak/report.ts) and every class fired when it had the runs to.
import { CLASSES } from './soak/classes'
import { peekJobs } from './soak/journal-files'
import { dice } from './soak/random'
import { render } from './soak/report'
import type { RunContext } from './soak/run'
import { sweep } from './soak/service-actor'
import { createWorld, type World } from './soak/world'
import type { SandboxView } from './soak/ledger'

interface Options {
  runs: number
  seed: number
  classes: string[]
  only?: number
  /** Unset: a quarter of each class's runs, at most 20 (the long soak asks 20 of every class). */
  minFired?: number
  /** Stop at the first run after which a duplicate or a lost job is certain (the mutants). */
  failFast: boolean
  verbose: boolean
}

const USAGE = `Usage: npm run soak -- [--runs N] [--seed S] [--classes a,b] [--only I] [--min-fired K] [--verbose]
  --runs N        runs (default 100); each exercises one class, round robin
  --seed S        seed of every choice (default 1)
  --classes a,b   only these classes (default all): ${CLASSES.map((c) => c.name).join(', ')}
  --only I        replay run I alone (same class and choices as in a full soak)
  --min-fired K   fail if a class fired fewer than K times (once it had 2K runs; default: a
                  quarter of its runs, at most 20 — so 1000 runs ask 20 of every class)
  --fail-fast     stop after the first run that leaves a duplicate, or a lost job with nothing
                  left unfinished (each run then ends with a sweep)
`

function parse(argv: string[]): Options | string {
  const o: Options = {
    runs: 100,
    seed: 1,
    classes: CLASSES.map((c) => c.name),
    failFast: false,
    verbose: false
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const eq = a.indexOf('=')
    const flag = eq >= 0 ? a.slice(0, eq) : a
    const value = (): string => (eq >= 0 ? a.slice(eq + 1) : (argv[++i] ?? ''))
    if (flag === '--runs') o.runs = Number(value())
    else if (flag === '--seed') o.seed = Number(value())
    else if (flag === '--classes') o.classes = value().split(',').filter(Boolean)
    else if (flag === '--only') o.only = Number(value())
    else if (flag === '--min-fired') o.minFired = Number(value())
    else if (flag === '--fail-fast') o.failFast = true
    else if (flag === '--verbose') o.verbose = true
    else if (flag === '--help' || flag === '-h') return ''
    else return `unknown option ${a}`
  }
  if (!Number.isInteger(o.runs) || o.runs < 0) return '--runs must be a whole number'
  if (!Number.isFinite(o.seed)) return '--seed must be a number'
  if (o.only !== undefined && !(Number.isInteger(o.only) && o.only >= 0))
    return '--only must be a run index'
  if (o.minFired !== undefined && !(Number.isInteger(o.minFired) && o.minFired >= 0))
    return '--min-fired must be a whole number'
  const unknown = o.classes.filter((c) => !CLASSES.some((k) => k.name === c))
  if (unknown.length > 0 || o.classes.length === 0) return `unknown class ${unknown.join(', ')}`
  return o
}

/** The sandbox's state as the oracle reads it. */
function view(world: World): SandboxView {
  return {
    builds: world.sandbox.state.partBuilds.values(),
    shaOfPart: (id) => world.shaOfPart(id)
  }
}

async function main(): Promise<number> {
  const opts = parse(process.argv.slice(2))
  if (typeof opts === 'string') {
    process.stderr.write(opts ? `soak: ${opts}\n${USAGE}` : USAGE)
    return opts ? 2 : 0
  }
  const started = performance.now()
  const classes = opts.classes.map((n) => CLASSES.find((c) => c.name === n)!)
  const world = await createWorld(opts.seed, opts.verbose)
  const errors: string[] = []
  const onRejection = (e: unknown): void =>
    void errors.push(`unhandled: ${(e as Error)?.stack ?? String(e)}`)
  process.on('unhandledRejection', onRejection)
  const runsOf = new Map(classes.map((c) => [c.name, 0]))
  const indices = opts.only !== undefined ? [opts.only] : [...Array(opts.runs).keys()]
  let stuck = 0
  try {
    for (const run of indices) {
      const cls = classes[run % classes.length]!
      runsOf.set(cls.name, (runsOf.get(cls.name) ?? 0) + 1)
      const d = dice(opts.seed, run)
      const ctx: RunContext = {
        world,
        d,
        run,
        cls: cls.name,
        fired: (variant) => {
          world.fire(cls.name)
          if (variant) world.fire(`${cls.name}: ${variant}`)
        }
      }
      try {
        await cls.run(ctx)
      } catch (error) {
        errors.push(`run ${run} (${cls.name}): ${(error as Error)?.stack ?? String(error)}`)
      }
      world.sandbox.clearFaults()
      world.relay.clearLate()
      // Usually the run's unfinished sends are finished now; sometimes the next runs find them.
      if (opts.failFast || d.chance(0.8)) {
        const left = await sweep(world, d).catch((e: unknown) => {
          errors.push(`sweep after run ${run}: ${String(e)}`)
          return 1
        })
        if (opts.failFast) {
          const v = world.ledger.judge(view(world))
          if (v.duplicates > 0 || (v.lost > 0 && left === 0)) {
            process.stderr.write(`stopping after run ${run}: ${v.problems[0] ?? ''}\n`)
            indices.length = indices.indexOf(run) + 1
            break
          }
        }
      }
      const done = indices.indexOf(run) + 1
      if (done % 50 === 0) {
        process.stderr.write(
          `… ${done} runs (${((performance.now() - started) / 1000).toFixed(1)} s)\n`
        )
      }
    }
    stuck = await sweep(world, dice(opts.seed, -1), 8)
    // What the journal says each file was built as must be ours too.
    for (const job of await peekJobs(world.journalDir)) {
      for (const it of job.items) world.ledger.claim(it.partBuildId, `journal, job ${job.jobId}`)
      // Every fault is transient: a job that failed turned one into a permanent error.
      if (job.status === 'failed') {
        world.count('jobs failed')
        world.verbose(`job ${job.jobId} failed: ${job.error?.message ?? '?'}`)
      }
    }
  } catch (error) {
    errors.push(`soak: ${(error as Error)?.stack ?? String(error)}`)
  }
  const verdict = world.ledger.judge(view(world))
  world.count('virtual minutes', Math.round(world.time.advanced / 60_000))
  world.count('sandbox requests', world.sandbox.log.length)
  await world.close()
  process.off('unhandledRejection', onRejection)
  const report = render({
    runs: indices.length,
    seconds: (performance.now() - started) / 1000,
    runsOf,
    fired: world.fired,
    counts: world.counts,
    verdict,
    stuck,
    errors,
    minFired:
      opts.minFired ?? Math.min(20, Math.max(1, Math.floor(Math.min(...runsOf.values()) / 4))),
    needRuns: 2
  })
  process.stderr.write(report.details)
  process.stdout.write(report.summary)
  return report.code
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak failed: ${(error as Error).stack ?? String(error)}\n`)
    process.exit(1)
  }
)
