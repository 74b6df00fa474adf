// Mutation fuzzer for the STL engine: `npm run fuzz:stl -- --cases N --seed S`.
//
// The inputs and the checks of each case; options, workers, hangs and the summary are the
// harness's (scripts/fuzz/harness.ts). The last line is exactly `fuzz: <N> cases, <c> crashes,
// <h> hangs`; the exit code is 0 only when both are 0.

import { analyzeMesh, parseStl, preflightStl, STL_ERROR_CODES } from '../src/shared/stl'
import {
  asciiStl,
  binaryStl,
  box,
  randomBinaryStl,
  sphere,
  tetrahedron,
  translate,
  unitCube,
  utf8,
  type Tri
} from '../src/test-support/stl'
import { concatBytes } from '../src/test-support/bytes'
import { check, runFuzzer, type FuzzCase, type Verdict } from './fuzz/harness'
import { caseRng, int, pick, type Rng } from './fuzz/random'

// ---------------------------------------------------------------------------------------------
// Case generation (pure, deterministic).

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
        b = concatBytes(b.subarray(0, cutA), other.subarray(cutB))
        break
      }
      case 5: {
        // Garbage text lines.
        const line = utf8('\n' + pick(rng, GARBAGE_LINES) + pick(rng, ['\n', '\r\n', '\r', ' ']))
        const at = int(rng, b.length + 1)
        b = concatBytes(b.subarray(0, at), line, b.subarray(at))
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
        const region = b.subarray(from, from + len)
        b = concatBytes(b.subarray(0, from + len), region, b.subarray(from + len))
        break
      }
      case 9: {
        // Padding after the data.
        const pad = pick(rng, [1, 2, 49, 50, 51, 100, 1000])
        const tail = new Uint8Array(pad)
        if (rng() < 0.5) for (let i = 0; i < pad; i++) tail[i] = int(rng, 256)
        b = concatBytes(b, tail)
        break
      }
      case 10: {
        // Delete lines / a byte range.
        const from = int(rng, b.length + 1)
        const len = int(rng, Math.min(200, b.length - from) + 1)
        b = concatBytes(b.subarray(0, from), b.subarray(from + len))
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
export function makeCase(seed: number, index: number): FuzzCase {
  const rng = caseRng(seed, index, 0x5bd1e995)
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

function isCount(n: number): boolean {
  return Number.isInteger(n) && n >= 0
}

/** Parses and analyses one input; throws for broken invariants (a crash). */
export function runCase(index: number, bytes: Uint8Array): Verdict {
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
    return { outcome: 'error', detail: r.error.code }
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
  return { outcome: 'ok', detail: `${p.format} ${p.triangles} tris` }
}

runFuzzer({
  name: 'stl',
  moduleUrl: import.meta.url,
  makeCase,
  runCase,
  timeoutMs: 5000,
  maxWorkers: 4,
  describeOne: (c, r) => [JSON.stringify({ ...r, head: Array.from(c.bytes.subarray(0, 96)) })]
})
