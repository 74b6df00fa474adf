// `npm run soak:mutants [-- --only <name part>] [--control] [--jobs N] [--seed S]`: proves the
// soak can fail.
// Each planted bug (soak/mutants.ts) is applied to a temporary copy of the source — never to the
// working tree — and a short soak (its classes, `--fail-fast`) runs against that copy, CLI
// processes included. A mutant is caught when the soak reports a duplicate build or a lost job; a
// soak that crashes, hangs or fails otherwise does not count. A mutant whose text is not found
// exactly once fails the whole run at once (a refactor must not disarm it silently).
// `--control` also runs every distinct soak of the list on the unmutated copy: each must pass.
// Last line: `mutants: <k> of <n> caught`; exit 0 only when all are (and the controls passed).
import { cp, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { REPO_ROOT, runScript } from '../src/test-support/processes'
import { MUTANTS, plantIn, type Mutant } from './soak/mutants'

interface Options {
  only?: string
  /** Another seed for every mutant's soak (to see that catching them is not luck). */
  seed?: number
  control: boolean
  jobs: number
}

function parse(argv: string[]): Options | string {
  const o: Options = { control: false, jobs: 1 }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    if (a === '--only') o.only = argv[++i]
    else if (a === '--control') o.control = true
    else if (a === '--seed') o.seed = Number(argv[++i])
    else if (a === '--jobs') o.jobs = Number(argv[++i])
    else return `unknown option ${a}`
  }
  if (!Number.isInteger(o.jobs) || o.jobs < 1) return '--jobs must be a whole number ≥ 1'
  return o
}

/** A copy of what the soak runs (src, scripts, configs) with node_modules linked. */
async function copyTree(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'printago-mutant-'))
  for (const name of ['src', 'scripts'])
    await cp(join(REPO_ROOT, name), join(dir, name), { recursive: true })
  for (const name of [
    'package.json',
    'tsconfig.json',
    'tsconfig.base.json',
    'tsconfig.node.json'
  ]) {
    await cp(join(REPO_ROOT, name), join(dir, name)).catch(() => undefined)
  }
  await symlink(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir')
  return dir
}

/** Plants the mutant in the copy; throws unless its text occurs exactly once. */
async function plant(dir: string, m: Mutant): Promise<void> {
  const file = join(dir, m.file)
  await writeFile(file, plantIn(await readFile(file, 'utf8'), m))
}

interface Outcome {
  summary: string
  duplicates: number
  lost: number
  code: number | null
  seconds: number
  tail: string
}

async function soak(dir: string, s: Mutant['soak'], failFast: boolean): Promise<Outcome> {
  const t0 = performance.now()
  const args = [
    '--runs',
    String(s.runs),
    '--seed',
    String(s.seed),
    '--classes',
    s.classes.join(',')
  ]
  const r = await runScript('scripts/soak.ts', failFast ? [...args, '--fail-fast'] : args, {
    cwd: dir,
    timeoutMs: 15 * 60_000
  })
  const m = /soak: (\d+) runs, (\d+) duplicate builds, (\d+) lost jobs/.exec(r.stdout)
  return {
    summary: m?.[0] ?? '(no summary line)',
    duplicates: m ? Number(m[2]) : 0,
    lost: m ? Number(m[3]) : 0,
    code: r.code,
    seconds: (performance.now() - t0) / 1000,
    tail: r.stderr.trim().split('\n').slice(-12).join('\n')
  }
}

/** Runs `work` over `items` with at most `jobs` at once, in order of the results. */
async function pool<T, R>(items: T[], jobs: number, work: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length)
  let next = 0
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++
      out[i] = await work(items[i]!)
    }
  }
  await Promise.all(Array.from({ length: Math.min(jobs, items.length) }, worker))
  return out
}

async function main(): Promise<number> {
  const opts = parse(process.argv.slice(2))
  if (typeof opts === 'string') {
    process.stderr.write(`soak:mutants: ${opts}\n`)
    return 2
  }
  const started = performance.now()
  const mutants = MUTANTS.filter((m) => !opts.only || m.name.includes(opts.only)).map((m) =>
    opts.seed === undefined ? m : { ...m, soak: { ...m.soak, seed: opts.seed } }
  )
  // Every mutant's text is checked before any soak runs: a disarmed one fails at once.
  try {
    for (const m of MUTANTS) plantIn(await readFile(join(REPO_ROOT, m.file), 'utf8'), m)
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`)
    process.stdout.write(`mutants: 0 of ${mutants.length} caught\n`)
    return 1
  }
  let controlsFailed = 0
  if (opts.control) {
    const configs = [...new Map(mutants.map((m) => [JSON.stringify(m.soak), m.soak])).values()]
    const results = await pool(configs, opts.jobs, async (s) => {
      const dir = await copyTree()
      try {
        return { s, o: await soak(dir, s, false) }
      } finally {
        await rm(dir, { recursive: true, force: true })
      }
    })
    for (const { s, o } of results) {
      const ok = o.code === 0
      if (!ok) controlsFailed++
      process.stderr.write(
        `control ${ok ? 'passed' : 'FAILED'}: ${s.classes.join(',')} ×${s.runs} seed ${s.seed}: ${o.summary} (${o.seconds.toFixed(1)} s)\n${ok ? '' : `${o.tail}\n`}`
      )
    }
  }
  const results = await pool(mutants, opts.jobs, async (m) => {
    const dir = await copyTree()
    try {
      await plant(dir, m)
      return { m, o: await soak(dir, m.soak, true) }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  })
  let caught = 0
  for (const { m, o } of results) {
    const hit = o.duplicates + o.lost > 0
    if (hit) caught++
    process.stderr.write(
      `${hit ? 'caught' : 'MISSED'}: ${m.name} (${m.file}; ${m.soak.classes.join(',')}) — ${o.summary} in ${o.seconds.toFixed(1)} s\n${hit ? '' : `  ${o.tail.replace(/\n/g, '\n  ')}\n`}`
    )
  }
  process.stderr.write(`${((performance.now() - started) / 1000).toFixed(1)} s\n`)
  process.stdout.write(`mutants: ${caught} of ${mutants.length} caught\n`)
  return caught === mutants.length && controlsFailed === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak:mutants failed: ${(error as Error).stack ?? String(error)}\n`)
    process.exit(1)
  }
)
