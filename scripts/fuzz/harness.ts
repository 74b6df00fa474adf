// The one harness behind the fuzzers (`scripts/fuzz-*.ts`): options, worker threads with a
// per-case timeout, and the summary. A fuzzer brings only its inputs (`makeCase`) and its checks
// (`runCase`); it calls `runFuzzer` at the end of its module, which runs the whole fuzz in the main
// thread and serves cases in the workers (they load the fuzzer's own module again).
//
// Case i is derived from (seed, i) alone, so any failure reproduces with `--only i`. A case over
// `--timeout` ms is a hang (the worker is killed and replaced); an exception, including a failed
// `check`, is a crash. The last line is exactly `fuzz: <N> cases, <c> crashes, <h> hangs`; the exit
// code is 0 only when both are 0, 2 for bad options.

import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import {
  isMainThread,
  parentPort,
  Worker,
  workerData,
  type ResourceLimits
} from 'node:worker_threads'

export interface FuzzCase {
  name: string
  bytes: Uint8Array
}

/** What a fuzzer's `runCase` says of an input it handled: parsed, or refused with an error code. */
export interface Verdict {
  outcome: 'ok' | 'error'
  /** The error code for 'error' (outcomes are counted by it), a short description for 'ok'. */
  detail: string
}

export interface CaseResult {
  index: number
  name: string
  size: number
  outcome: 'ok' | 'error' | 'crash'
  detail: string
}

export interface Fuzzer {
  /** `stl` for `scripts/fuzz-stl.ts`, run as `npm run fuzz:stl`. */
  name: string
  /** The fuzzer module's `import.meta.url`: the workers load it. */
  moduleUrl: string
  makeCase(seed: number, index: number): FuzzCase
  /** Throws (e.g. through `check`) for a crash. */
  runCase(index: number, bytes: Uint8Array): Verdict
  timeoutMs: number
  maxWorkers: number
  resourceLimits?: ResourceLimits
  /** Lines `--only` prints about its case before the last line. */
  describeOne(c: FuzzCase, r: CaseResult, verbose: boolean): string[]
  /** Name the slowest case in the summary (for engines whose cost varies a lot by input). */
  reportSlowest?: boolean
}

interface Options {
  cases: number
  seed: number
  timeoutMs: number
  workers: number
  only: number | null
  verbose: boolean
}

/** A sanity check inside `runCase`: a broken invariant is a crash. */
export function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`sanity: ${what}`)
}

/** Runs `fuzzer` from the command line (main thread) or serves its cases (its workers). */
export function runFuzzer(fuzzer: Fuzzer): void {
  if (!isMainThread) {
    if ((workerData as { fuzzer?: string } | null)?.fuzzer === fuzzer.name) serve(fuzzer)
    return
  }
  main(fuzzer).then(
    (code) => {
      process.exitCode = code
    },
    (e: unknown) => {
      console.error(e)
      process.exitCode = 1
    }
  )
}

/** Case `index` made and run; whatever either step throws is a crash, never a lost case. */
function runOne(fuzzer: Fuzzer, seed: number, index: number): { c: FuzzCase; r: CaseResult } {
  let c: FuzzCase
  try {
    c = fuzzer.makeCase(seed, index)
  } catch (e) {
    const r: CaseResult = {
      index,
      name: '?',
      size: 0,
      outcome: 'crash',
      detail: `generator: ${String(e)}`
    }
    return { c: { name: '?', bytes: new Uint8Array() }, r }
  }
  const base = { index, name: c.name, size: c.bytes.length }
  try {
    return { c, r: { ...base, ...fuzzer.runCase(index, c.bytes) } }
  } catch (e) {
    const detail = e instanceof Error ? (e.stack ?? e.message) : String(e)
    return { c, r: { ...base, outcome: 'crash', detail } }
  }
}

// ---------------------------------------------------------------------------------------------
// Worker side.

function serve(fuzzer: Fuzzer): void {
  const { seed } = workerData as { seed: number }
  parentPort!.on('message', (index: number) => {
    parentPort!.postMessage(runOne(fuzzer, seed, index).r)
  })
  parentPort!.postMessage('ready')
}

// ---------------------------------------------------------------------------------------------
// Main side.

function parseOptions(fuzzer: Fuzzer, argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      cases: { type: 'string' },
      seed: { type: 'string' },
      timeout: { type: 'string' },
      workers: { type: 'string' },
      only: { type: 'string' },
      verbose: { type: 'boolean', default: false }
    }
  })
  const num = (name: keyof typeof values, fallback: number): number => {
    const raw = values[name]
    if (raw === undefined) return fallback
    const v = Number(raw)
    if (!Number.isFinite(v)) throw new Error(`--${name} needs a number`)
    return v
  }
  return {
    cases: Math.max(0, Math.floor(num('cases', 1000))),
    seed: Math.floor(num('seed', 1)),
    timeoutMs: num('timeout', fuzzer.timeoutMs),
    workers: Math.max(1, Math.floor(num('workers', Math.min(fuzzer.maxWorkers, cpus().length)))),
    only: values.only === undefined ? null : Math.floor(num('only', 0)),
    verbose: values.verbose
  }
}

/** One worker thread at a time, replaced after a hang or a crash of the thread itself. */
class Runner {
  private worker: Worker | null = null
  private timer: NodeJS.Timeout | null = null
  private pending: { index: number; resolve: (r: CaseResult | 'hang') => void } | null = null
  private readyWait: Promise<void> | null = null

  constructor(
    private readonly fuzzer: Fuzzer,
    private readonly seed: number,
    private readonly timeoutMs: number
  ) {}

  private spawn(): Promise<void> {
    const api = import.meta.resolve('tsx/esm/api')
    // Worker threads do not inherit tsx's loader: register it, then load the fuzzer as the worker.
    const code =
      `import(${JSON.stringify(api)}).then((m) => { m.register(); ` +
      `return import(${JSON.stringify(this.fuzzer.moduleUrl)}) })`
    const worker = new Worker(code, {
      eval: true,
      workerData: { fuzzer: this.fuzzer.name, seed: this.seed },
      resourceLimits: this.fuzzer.resourceLimits
    })
    this.worker = worker
    return new Promise((resolve, reject) => {
      const onReady = (m: unknown): void => {
        if (m !== 'ready') return
        worker.off('message', onReady)
        worker.on('message', (r: CaseResult) => {
          // Ignore a late answer from a worker that was already replaced after a hang.
          if (this.worker === worker) this.settle(r)
        })
        resolve()
      }
      worker.on('message', onReady)
      worker.once('error', (e) => {
        if (this.worker !== worker) return
        if (this.pending) {
          this.settle({
            index: this.pending.index,
            name: '?',
            size: 0,
            outcome: 'crash',
            detail: `worker error: ${e.message}`
          })
        } else reject(e)
        this.worker = null
      })
    })
  }

  private settle(r: CaseResult | 'hang'): void {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    const p = this.pending
    this.pending = null
    p?.resolve(r)
  }

  async run(index: number): Promise<CaseResult | 'hang'> {
    if (!this.worker) this.readyWait = this.spawn()
    await this.readyWait
    const worker = this.worker!
    return new Promise((resolve) => {
      this.pending = { index, resolve }
      this.timer = setTimeout(() => {
        // A hang: kill the worker (terminate stops even a busy loop) and start a fresh one later.
        this.worker = null
        void worker.terminate()
        this.settle('hang')
      }, this.timeoutMs)
      worker.postMessage(index)
    })
  }

  async close(): Promise<void> {
    if (this.worker) await this.worker.terminate()
    this.worker = null
  }
}

async function main(fuzzer: Fuzzer): Promise<number> {
  let options: Options
  try {
    options = parseOptions(fuzzer, process.argv.slice(2))
  } catch (e) {
    console.error(`fuzz-${fuzzer.name}: ${(e as Error).message}`)
    console.error(
      `usage: fuzz-${fuzzer.name} [--cases N] [--seed S] [--timeout ms] [--workers W] [--only i] [--verbose]`
    )
    return 2
  }
  if (options.only !== null) {
    const { c, r } = runOne(fuzzer, options.seed, options.only)
    for (const line of fuzzer.describeOne(c, r, options.verbose)) console.log(line)
    const crashes = r.outcome === 'crash' ? 1 : 0
    console.log(`fuzz: 1 cases, ${crashes} crashes, 0 hangs`)
    return crashes === 0 ? 0 : 1
  }

  const started = performance.now()
  const runners = Array.from(
    { length: options.workers },
    () => new Runner(fuzzer, options.seed, options.timeoutMs)
  )
  let next = 0
  let crashes = 0
  let hangs = 0
  let slowest = { index: -1, ms: 0 }
  const outcomes = new Map<string, number>()
  const failures: string[] = []
  await Promise.all(
    runners.map(async (runner) => {
      while (next < options.cases) {
        const index = next++
        const t0 = performance.now()
        const r = await runner.run(index)
        const ms = performance.now() - t0
        if (ms > slowest.ms) slowest = { index, ms }
        if (r === 'hang') {
          hangs++
          failures.push(`hang: case ${index} (> ${options.timeoutMs} ms)`)
          continue
        }
        const key = r.outcome === 'error' ? `error:${r.detail}` : r.outcome
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1)
        if (r.outcome === 'crash') {
          crashes++
          failures.push(`crash: case ${index} (${r.name}, ${r.size} bytes): ${r.detail}`)
        } else if (options.verbose) {
          console.log(`case ${index} ${r.name} ${r.size} B → ${r.outcome} ${r.detail}`)
        }
      }
      await runner.close()
    })
  )
  const seconds = (performance.now() - started) / 1000
  for (const f of failures.slice(0, 20)) console.log(f)
  if (failures.length > 0)
    console.log(
      `reproduce one: npm run fuzz:${fuzzer.name} -- --seed ${options.seed} --only <case>`
    )
  const summary = [...outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`)
  const run = `fuzz: seed ${options.seed}, ${seconds.toFixed(1)} s`
  if (fuzzer.reportSlowest) {
    console.log(`${run}, slowest case ${slowest.index} (${Math.round(slowest.ms)} ms)`)
    console.log(`fuzz: outcomes: ${summary.join(', ')}`)
  } else {
    console.log(`${run}, outcomes: ${summary.join(', ')}`)
  }
  console.log(`fuzz: ${options.cases} cases, ${crashes} crashes, ${hangs} hangs`)
  return crashes === 0 && hangs === 0 ? 0 : 1
}
