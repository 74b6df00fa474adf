// Mutation fuzzer for the STL engine: `npm run fuzz:stl -- --cases N --seed S`.
//
// Case i is derived from (seed, i) alone, so any failure reproduces with `--only i`. Cases run in
// worker threads; a case that exceeds `--timeout` ms is a hang (the worker is killed and
// replaced), an exception or a failed sanity check is a crash. The last line is exactly
// `fuzz: <N> cases, <c> crashes, <h> hangs`; the exit code is 0 only when both are 0.

import { cpus } from 'node:os'
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads'
import { analyzeMesh, parseStl, preflightStl, STL_ERROR_CODES } from '../src/shared/stl'
import {
  asciiStl,
  binaryStl,
  box,
  prng,
  randomBinaryStl,
  sphere,
  tetrahedron,
  translate,
  unitCube,
  utf8,
  type Tri
} from '../src/test-support/stl'

interface Options {
  cases: number
  seed: number
  timeoutMs: number
  workers: number
  only: number | null
  verbose: boolean
}

interface CaseResult {
  index: number
  name: string
  size: number
  outcome: 'ok' | 'error' | 'crash'
  detail: string
}

// ---------------------------------------------------------------------------------------------
// Case generation (pure, deterministic).

type Rng = () => number

function int(rng: Rng, n: number): number {
  return Math.floor(rng() * n)
}

function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[int(rng, items.length)]!
}

let seedCache: Array<{ name: string; bytes: Uint8Array; ascii: boolean }> | null = null

/** Valid and hand-made inputs the mutations start from. */
function seeds(): Array<{ name: string; bytes: Uint8Array; ascii: boolean }> {
  if (seedCache) return seedCache
  const cube = unitCube()
  const twoCubes = [...box([0, 0, 0], [10, 10, 10]), ...translate(box(), [20, 0, 0])]
  const ball = sphere(20, 24, 12)
  // Pathological topology: one vertex shared by thousands of faces, and one face repeated.
  const fan: Tri[] = []
  for (let i = 0; i < 4000; i++) {
    const a = (i / 4000) * 2 * Math.PI
    const b = ((i + 1) / 4000) * 2 * Math.PI
    fan.push([
      [0, 0, 5],
      [10 * Math.cos(a), 10 * Math.sin(a), 0],
      [10 * Math.cos(b), 10 * Math.sin(b), 0]
    ])
  }
  const soup: Tri[] = Array.from({ length: 3000 }, () => tetrahedron()[3]!)
  seedCache = [
    { name: 'binary-fan', bytes: binaryStl(fan), ascii: false },
    { name: 'binary-soup', bytes: binaryStl(soup), ascii: false },
    { name: 'binary-cube', bytes: binaryStl(cube), ascii: false },
    { name: 'binary-solid-header', bytes: binaryStl(cube, { header: 'solid cube' }), ascii: false },
    { name: 'binary-padded', bytes: binaryStl(tetrahedron(), { padding: 13 }), ascii: false },
    { name: 'binary-sphere', bytes: binaryStl(ball), ascii: false },
    { name: 'binary-two-cubes', bytes: binaryStl(twoCubes), ascii: false },
    { name: 'binary-random', bytes: randomBinaryStl(300, 3), ascii: false },
    { name: 'ascii-cube', bytes: utf8(asciiStl(cube)), ascii: true },
    { name: 'ascii-sphere-crlf', bytes: utf8(asciiStl(ball, { eol: '\r\n' })), ascii: true },
    {
      name: 'ascii-quirky',
      bytes: utf8(
        '\ufeff  SOLID Quirky\n# comment\n' +
          asciiStl(twoCubes, { normals: false, upper: true, indent: '\t', endsolid: false })
      ),
      ascii: true
    },
    {
      name: 'ascii-minified',
      bytes: utf8(asciiStl(tetrahedron(), { number: (n) => n.toFixed(3) }).replace(/\s+/g, ' ')),
      ascii: true
    }
  ]
  return seedCache
}

const GARBAGE_LINES = [
  'facet normal',
  'vertex 1 2',
  'vertex nan inf -inf',
  'vertex 1e999 -1e999 1e-999',
  'endloop',
  'endfacet',
  'outer loop',
  'solid',
  'endsolid x',
  'vertex 1.#QNAN 0 0',
  'vertex 1,5 2,5 3,5',
  'vertex -- ++ ..',
  'facet facet facet',
  '\u0000\u0001\u0002',
  'v 1 2 3',
  'f 1 2 3',
  'G1 X10 Y10',
  'vertex 123456789012345678901234567890 1e-45 4e38'
]

function mutate(rng: Rng, input: Uint8Array, ascii: boolean, others: Uint8Array[]): Uint8Array {
  let b: Uint8Array = input.slice()
  const ops = 1 + int(rng, 3)
  for (let k = 0; k < ops; k++) {
    switch (int(rng, 12)) {
      case 0: {
        // Bit flips.
        const flips = 1 + int(rng, 16)
        for (let f = 0; f < flips && b.length > 0; f++) b[int(rng, b.length)]! ^= 1 << int(rng, 8)
        break
      }
      case 1: {
        // Interesting bytes.
        const values = [0, 0xff, 0x7f, 0x80, 0x0a, 0x0d, 0x20, 0x2d, 0x2e, 0x65, 0x23]
        for (let f = 0; f < 1 + int(rng, 8) && b.length > 0; f++) {
          b[int(rng, b.length)] = pick(rng, values)
        }
        break
      }
      case 2: {
        // Truncation, sometimes right at structural boundaries.
        const cut = pick(rng, [int(rng, b.length + 1), 0, 83, 84, 134, 208, b.length - 1])
        b = b.subarray(0, Math.max(0, Math.min(b.length, cut))).slice()
        break
      }
      case 3: {
        // Count edits, including huge counts on tiny files.
        if (b.length < 84) break
        const n = new DataView(b.buffer, b.byteOffset).getUint32(80, true)
        const count = pick(rng, [
          0,
          1,
          n + 1,
          n - 1,
          n * 2,
          0xffffffff,
          20_000_000,
          int(rng, 2 ** 32)
        ])
        new DataView(b.buffer, b.byteOffset).setUint32(80, count >>> 0, true)
        break
      }
      case 4: {
        // Splice with another seed.
        const other = pick(rng, others)
        const cutA = int(rng, b.length + 1)
        const cutB = int(rng, other.length + 1)
        const out = new Uint8Array(cutA + other.length - cutB)
        out.set(b.subarray(0, cutA))
        out.set(other.subarray(cutB), cutA)
        b = out
        break
      }
      case 5: {
        // Garbage text lines.
        const line = utf8('\n' + pick(rng, GARBAGE_LINES) + pick(rng, ['\n', '\r\n', '\r', ' ']))
        const at = int(rng, b.length + 1)
        const out = new Uint8Array(b.length + line.length)
        out.set(b.subarray(0, at))
        out.set(line, at)
        out.set(b.subarray(at), at + line.length)
        b = out
        break
      }
      case 6: {
        // NaN / Inf injection.
        if (ascii) {
          const text = new TextDecoder().decode(b)
          const word = pick(rng, ['nan', 'inf', '-inf', 'NaN', '1e999', '-1.#IND', 'Infinity'])
          let count = 0
          const replaced = text.replace(/-?\d+\.?\d*(e[+-]?\d+)?/gi, (m) =>
            rng() < 0.2 && count++ < 50 ? word : m
          )
          b = utf8(replaced)
        } else if (b.length >= 84 + 50) {
          const view = new DataView(b.buffer, b.byteOffset, b.byteLength)
          const tris = Math.floor((b.length - 84) / 50)
          const howMany = rng() < 0.2 ? tris * 12 : 1 + int(rng, 12)
          for (let f = 0; f < howMany; f++) {
            const t = int(rng, tris)
            view.setFloat32(
              84 + 50 * t + 4 * int(rng, 12),
              pick(rng, [NaN, Infinity, -Infinity, 3.4e38]),
              true
            )
          }
        }
        break
      }
      case 7: {
        // "solid" headers on anything.
        const header = utf8(
          pick(rng, ['solid ', 'SOLID', '\ufeffsolid x\n', 'solid\n', '  solid a'])
        )
        if (b.length < header.length) break
        b.set(header, 0)
        break
      }
      case 8: {
        // Duplicate a region (bounded growth).
        const from = int(rng, b.length + 1)
        const len = Math.min(int(rng, b.length - from + 1), 1 << 20)
        const out = new Uint8Array(b.length + len)
        out.set(b.subarray(0, from + len))
        out.set(b.subarray(from, from + len), from + len)
        out.set(b.subarray(from + len), from + 2 * len)
        b = out
        break
      }
      case 9: {
        // Padding after the data.
        const pad = pick(rng, [1, 2, 49, 50, 51, 100, 1000])
        const out = new Uint8Array(b.length + pad)
        out.set(b)
        if (rng() < 0.5) for (let i = b.length; i < out.length; i++) out[i] = int(rng, 256)
        b = out
        break
      }
      case 10: {
        // Delete lines / a byte range.
        const from = int(rng, b.length + 1)
        const len = int(rng, Math.min(200, b.length - from) + 1)
        const out = new Uint8Array(b.length - len)
        out.set(b.subarray(0, from))
        out.set(b.subarray(from + len), from)
        b = out
        break
      }
      default: {
        // Random upper/lower case flips in text.
        for (let f = 0; f < 20 && b.length > 0; f++) {
          const i = int(rng, b.length)
          const c = b[i]!
          if ((c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) b[i] = c ^ 0x20
        }
      }
    }
  }
  return b
}

/** Builds case `index` of a run with `seed`. */
export function makeCase(seed: number, index: number): { name: string; bytes: Uint8Array } {
  const rng = prng(
    (Math.imul(seed ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(index + 1, 0x85ebca6b)) >>> 0
  )
  const all = seeds()
  const roll = rng()
  if (roll < 0.08) {
    // Fixed sizes: 0/83/84/208 bytes of zeros, random bytes or a `solid` stub.
    const size = pick(rng, [0, 1, 5, 83, 84, 85, 133, 134, 208])
    const bytes = new Uint8Array(size)
    const fill = int(rng, 3)
    if (fill === 1) for (let i = 0; i < size; i++) bytes[i] = int(rng, 256)
    if (fill === 2) bytes.set(utf8('solid x\n').subarray(0, size))
    if (size >= 84 && rng() < 0.5) new DataView(bytes.buffer).setUint32(80, int(rng, 5), true)
    return { name: `fixed-${size}-${fill}`, bytes }
  }
  if (roll < 0.12) {
    // Pure random bytes, sometimes text-like.
    const size = int(rng, 4096)
    const bytes = new Uint8Array(size)
    const text = rng() < 0.5
    for (let i = 0; i < size; i++) bytes[i] = text ? 0x20 + int(rng, 95) : int(rng, 256)
    return { name: text ? 'random-text' : 'random-bytes', bytes }
  }
  const base = pick(rng, all)
  const others = all.map((s) => s.bytes)
  if (roll < 0.15) return { name: `${base.name}-unmutated`, bytes: base.bytes.slice() }
  return { name: `${base.name}-mutated`, bytes: mutate(rng, base.bytes, base.ascii, others) }
}

// ---------------------------------------------------------------------------------------------
// Running one case (in a worker) with sanity checks.

function check(cond: boolean, what: string): void {
  if (!cond) throw new Error(`sanity: ${what}`)
}

function isCount(n: number): boolean {
  return Number.isInteger(n) && n >= 0
}

/** Parses and analyses one input; returns 'crash' for exceptions and broken invariants. */
export function runCase(index: number, name: string, bytes: Uint8Array): CaseResult {
  const base = { index, name, size: bytes.length }
  try {
    // Every 7th case runs with small limits so the too-large paths get exercised too.
    const limits =
      index % 7 === 3
        ? { maxTriangles: 1 + (index % 500), maxBytes: 100 + ((index * 37) % 20000) }
        : undefined
    const r = parseStl(bytes, limits)
    // The worker's early answer from the size and first 84 bytes must be the engine's own.
    const early = preflightStl(bytes.length, bytes.subarray(0, 84), limits)
    if (early) {
      check(!r.ok, `preflight said ${early.code} but the file parses`)
      if (!r.ok) {
        check(
          r.error.code === early.code && r.error.message === early.message,
          `preflight said ${early.code} (${early.message}), the engine ${r.error.code} (${r.error.message})`
        )
      }
    }
    if (!r.ok) {
      check(STL_ERROR_CODES.includes(r.error.code), `unknown error code ${String(r.error.code)}`)
      check(typeof r.error.message === 'string' && r.error.message.length > 0, 'empty message')
      return { ...base, outcome: 'error', detail: r.error.code }
    }
    const p = r.value
    check(p.positions instanceof Float32Array, 'positions is a Float32Array')
    check(
      p.triangles > 0 && p.triangles * 9 === p.positions.length,
      'triangles*9 == positions.length'
    )
    check(p.format === 'binary' || p.format === 'ascii', 'format')
    for (let k = 0; k < 3; k++) {
      check(Number.isFinite(p.bbox.min[k]!) && Number.isFinite(p.bbox.max[k]!), 'finite bbox')
      check(p.bbox.min[k]! <= p.bbox.max[k]!, 'bbox min <= max')
    }
    const m = analyzeMesh(p)
    check(m.triangles === p.triangles, 'report triangles')
    for (const [k, v] of Object.entries({
      openEdges: m.openEdges,
      nonManifoldEdges: m.nonManifoldEdges,
      inconsistentEdges: m.inconsistentEdges,
      degenerate: m.degenerate,
      nonFiniteVertices: m.nonFiniteVertices,
      shells: m.shells
    })) {
      check(isCount(v), `${k} is a count`)
    }
    check(
      m.size.every((s) => Number.isFinite(s) && s >= 0),
      'size finite and >= 0'
    )
    check(Number.isFinite(m.surfaceArea) && m.surfaceArea >= 0, 'surface area')
    check(m.volume === null || (Number.isFinite(m.volume) && m.volume >= 0), 'volume')
    check(m.volume !== null || typeof m.volumeNote === 'string', 'null volume has a note')
    check(!m.closed || m.openEdges + m.nonManifoldEdges === 0, 'closed means no open edges')
    check(['ok', 'warning', 'error'].includes(m.verdict), 'verdict')
    check(
      m.notes.every((n) => typeof n === 'string' && n.length > 0),
      'notes are sentences'
    )
    return { ...base, outcome: 'ok', detail: `${p.format} ${p.triangles} tris` }
  } catch (e) {
    return {
      ...base,
      outcome: 'crash',
      detail: e instanceof Error ? (e.stack ?? e.message) : String(e)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Worker side.

if (!isMainThread && (workerData as { fuzzStl?: boolean } | null)?.fuzzStl) {
  const { seed } = workerData as { seed: number }
  parentPort!.on('message', (index: number) => {
    let result: CaseResult
    try {
      const c = makeCase(seed, index)
      result = runCase(index, c.name, c.bytes)
    } catch (e) {
      result = { index, name: '?', size: 0, outcome: 'crash', detail: `generator: ${String(e)}` }
    }
    parentPort!.postMessage(result)
  })
  parentPort!.postMessage('ready')
}

// ---------------------------------------------------------------------------------------------
// Main side.

function parseOptions(argv: string[]): Options {
  const o: Options = {
    cases: 1000,
    seed: 1,
    timeoutMs: 5000,
    workers: Math.max(1, Math.min(4, cpus().length)),
    only: null,
    verbose: false
  }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const next = (): number => {
      const v = Number(argv[++i])
      if (!Number.isFinite(v)) throw new Error(`${a} needs a number`)
      return v
    }
    if (a === '--cases') o.cases = Math.max(0, Math.floor(next()))
    else if (a === '--seed') o.seed = Math.floor(next())
    else if (a === '--timeout') o.timeoutMs = next()
    else if (a === '--workers') o.workers = Math.max(1, Math.floor(next()))
    else if (a === '--only') o.only = Math.floor(next())
    else if (a === '--verbose') o.verbose = true
    else throw new Error(`unknown option ${a}`)
  }
  return o
}

class Runner {
  private worker: Worker | null = null
  private timer: NodeJS.Timeout | null = null
  private pending: { index: number; resolve: (r: CaseResult | 'hang') => void } | null = null
  private readyWait: Promise<void> | null = null

  constructor(
    private readonly seed: number,
    private readonly timeoutMs: number
  ) {}

  private spawn(): Promise<void> {
    const api = import.meta.resolve('tsx/esm/api')
    // Worker threads do not inherit tsx's loader: register it, then load this file as the worker.
    const code =
      `import(${JSON.stringify(api)}).then((m) => { m.register(); ` +
      `return import(${JSON.stringify(import.meta.url)}) })`
    const worker = new Worker(code, { eval: true, workerData: { fuzzStl: true, seed: this.seed } })
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
    if (!this.worker) {
      this.readyWait = this.spawn()
    }
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

async function main(): Promise<number> {
  let options: Options
  try {
    options = parseOptions(process.argv.slice(2))
  } catch (e) {
    console.error(`fuzz-stl: ${(e as Error).message}`)
    console.error(
      'usage: fuzz-stl [--cases N] [--seed S] [--timeout ms] [--workers W] [--only i] [--verbose]'
    )
    return 2
  }
  if (options.only !== null) {
    const c = makeCase(options.seed, options.only)
    const r = runCase(options.only, c.name, c.bytes)
    console.log(JSON.stringify({ ...r, head: Array.from(c.bytes.subarray(0, 96)) }))
    const crashes = r.outcome === 'crash' ? 1 : 0
    console.log(`fuzz: 1 cases, ${crashes} crashes, 0 hangs`)
    return crashes === 0 ? 0 : 1
  }

  const started = performance.now()
  const runners = Array.from(
    { length: options.workers },
    () => new Runner(options.seed, options.timeoutMs)
  )
  let next = 0
  let crashes = 0
  let hangs = 0
  const outcomes = new Map<string, number>()
  const failures: string[] = []
  await Promise.all(
    runners.map(async (runner) => {
      while (next < options.cases) {
        const index = next++
        const r = await runner.run(index)
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
    console.log(`reproduce one: npm run fuzz:stl -- --seed ${options.seed} --only <case>`)
  const summary = [...outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`)
  console.log(
    `fuzz: seed ${options.seed}, ${seconds.toFixed(1)} s, outcomes: ${summary.join(', ')}`
  )
  console.log(`fuzz: ${options.cases} cases, ${crashes} crashes, ${hangs} hangs`)
  return crashes === 0 && hangs === 0 ? 0 : 1
}

if (isMainThread) {
  main().then(
    (code) => {
      process.exitCode = code
    },
    (e: unknown) => {
      console.error(e)
      process.exitCode = 1
    }
  )
}
