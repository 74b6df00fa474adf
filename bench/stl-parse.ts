// STL parse benchmark: our engine against three.js STLLoader on the same bytes, in one run.
// `benchStlParse()` is called by bench/index.ts; `npx tsx bench/stl-parse.ts` prints JSON lines.
// Inputs are generated in memory (never committed): a 1M-triangle binary, a 200k-triangle ASCII.

import { pathToFileURL } from 'node:url'
import { STLLoader } from 'three/examples/jsm/loaders/STLLoader.js'
import { analyzeMesh, parseStl } from '../src/shared/stl'
import {
  asciiStl,
  prng,
  randomBinaryStl,
  sphereBinaryStl,
  utf8,
  type Tri
} from '../src/test-support/stl'
import { gc, median, round, type BenchResult } from './measure'

const BINARY_TRIANGLES = 1_000_000
const ASCII_TRIANGLES = 200_000
const RUNS = 7

/**
 * Median of several interleaved timings of `a` and `b` after one warm-up each (ms). `setupA`
 * runs untimed before each `a` (fresh input for the in-place parse).
 */
function timePair<S>(
  a: (s: S) => unknown,
  b: () => unknown,
  runs: number,
  setupA: () => S = () => undefined as S
): { a: number; b: number } {
  a(setupA())
  b()
  const ta: number[] = []
  const tb: number[] = []
  for (let i = 0; i < runs; i++) {
    const input = setupA()
    gc()
    let t0 = performance.now()
    a(input)
    ta.push(performance.now() - t0)
    gc()
    t0 = performance.now()
    b()
    tb.push(performance.now() - t0)
  }
  return { a: median(ta), b: median(tb) }
}

function mustParse(bytes: Uint8Array): ReturnType<typeof parseStl> {
  const r = parseStl(bytes)
  if (!r.ok) throw new Error(`bench input did not parse: ${r.error.message}`)
  return r
}

/** ASCII text of random triangles as a typical exporter writes it (`%e`, indented). */
function asciiInput(count: number): Uint8Array {
  const rnd = prng(2)
  const tris: Tri[] = []
  const v = (): [number, number, number] => [rnd() * 200 - 100, rnd() * 200 - 100, rnd() * 200]
  for (let i = 0; i < count; i++) tris.push([v(), v(), v()])
  return utf8(asciiStl(tris, { name: 'bench' }))
}

/** Runs the STL parse benchmarks and returns one result per metric. */
export async function benchStlParse(): Promise<BenchResult[]> {
  const results: BenchResult[] = []
  const loader = new STLLoader()

  const binary = randomBinaryStl(BINARY_TRIANGLES, 1)
  const binBuffer = binary.buffer as ArrayBuffer
  const bin = timePair(
    () => mustParse(binary),
    () => loader.parse(binBuffer),
    RUNS
  )
  const binRatio = bin.b / bin.a
  results.push({
    metric: 'parse_ratio_vs_stlloader',
    format: 'binary',
    value: round(binRatio),
    goal: 2,
    pass: binRatio >= 2,
    triangles: BINARY_TRIANGLES,
    engineMs: round(bin.a),
    stlloaderMs: round(bin.b),
    runs: RUNS,
    statistic: 'median'
  })
  results.push({
    metric: 'parse_ms',
    format: 'binary',
    value: round(bin.a),
    goal: 60,
    pass: bin.a <= 60,
    triangles: BINARY_TRIANGLES,
    fileMB: round(binary.byteLength / 1e6)
  })

  const parsed = mustParse(binary)
  if (!parsed.ok) throw new Error('unreachable')
  const kept = parsed.value.positions.byteLength
  const perByte = kept / binary.byteLength
  results.push({
    metric: 'geometry_bytes_per_file_byte',
    format: 'binary',
    value: round(perByte, 3),
    goal: 0.8,
    pass: perByte <= 0.8,
    geometryBytes: kept,
    fileBytes: binary.byteLength,
    stlloaderBytesPerFileByte: round((BINARY_TRIANGLES * 72) / binary.byteLength, 3)
  })

  // Opt-in in-place mode (ParseOptions.inPlace): no new memory, input destroyed.
  const inPlace = timePair(
    (copy: Uint8Array) => parseStl(copy, undefined, { inPlace: true }),
    () => loader.parse(binBuffer),
    RUNS,
    () => binary.slice()
  )
  const inPlaceRatio = inPlace.b / inPlace.a
  results.push({
    metric: 'parse_ratio_vs_stlloader_in_place',
    format: 'binary',
    value: round(inPlaceRatio),
    goal: 2,
    pass: inPlaceRatio >= 2,
    triangles: BINARY_TRIANGLES,
    engineMs: round(inPlace.a),
    stlloaderMs: round(inPlace.b),
    note: 'parseStl(bytes, limits, { inPlace: true }): positions overwrite the input buffer'
  })

  // Analysis: a realistic closed mesh (welds to ~T/2 vertices) and random soup (worst case).
  const sphere = mustParse(sphereBinaryStl(50, 1000, 501))
  for (const [input, label] of [
    [sphere, 'closed sphere'],
    [parsed, 'random unwelded triangles (worst case)']
  ] as const) {
    if (!input.ok) throw new Error('unreachable')
    gc()
    const t0 = performance.now()
    analyzeMesh(input.value)
    const ms = performance.now() - t0
    results.push({
      metric: 'analyze_ms',
      format: 'binary',
      value: round(ms),
      goal: 2000,
      pass: ms <= 2000,
      triangles: input.value.triangles,
      mesh: label
    })
  }

  const ascii = asciiInput(ASCII_TRIANGLES)
  const asciiBuffer = ascii.buffer as ArrayBuffer
  const asc = timePair(
    () => mustParse(ascii),
    () => loader.parse(asciiBuffer),
    RUNS
  )
  const ascRatio = asc.b / asc.a
  results.push({
    metric: 'parse_ratio_vs_stlloader',
    format: 'ascii',
    value: round(ascRatio),
    goal: 1,
    pass: ascRatio >= 1,
    triangles: ASCII_TRIANGLES,
    engineMs: round(asc.a),
    stlloaderMs: round(asc.b),
    runs: RUNS,
    statistic: 'median'
  })
  const mbps = ascii.byteLength / 1e6 / (asc.a / 1000)
  results.push({
    metric: 'ascii_parse_mb_per_s',
    format: 'ascii',
    value: round(mbps),
    goal: 100,
    pass: mbps >= 100,
    fileMB: round(ascii.byteLength / 1e6)
  })
  return results
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const r of await benchStlParse()) console.log(JSON.stringify(r))
}
