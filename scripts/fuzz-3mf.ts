// Mutation fuzzer for the 3MF engine: `npm run fuzz:3mf -- --cases N --seed S`.
//
// Two kinds of cases: mutated ZIP containers (byte flips, truncations, lying sizes and offsets,
// methods, flags, entry counts) and archives rebuilt around mutated model XML (truncations, byte
// flips, deep nesting, huge counts and indices, entity-expansion attempts, component cycles,
// odd units and transforms). Case i is derived from (seed, i) alone, so any failure reproduces
// with `--only i`. Options, workers, hangs and the summary are the harness's
// (scripts/fuzz/harness.ts): a case over `--timeout` ms is a hang, an exception or a failed sanity
// check is a crash, an error without a known code is a crash too. The last line is exactly
// `fuzz: <N> cases, <c> crashes, <h> hangs`; exit code 0 only if both 0.
// Long: generators for two input layers.

import {
  detectModelFormat,
  parse3mf,
  summarize3mf,
  THREEMF_ERROR_CODES,
  transferablesOf,
  type ThreeMfLimits
} from '../src/shared/3mf'
import {
  bambuGcode3mf,
  bambuProject,
  CONTENT_TYPES,
  coreComponentsInch,
  modelXml,
  move,
  prusaProject,
  rootRels,
  type ModelSpec
} from '../src/test-support/3mf'
import { zipArchive, type ZipInput } from '../src/test-support/zip-writer'
import { box, sphere, translate } from '../src/test-support/stl'
import { concatBytes } from '../src/test-support/bytes'
import { check, runFuzzer, type FuzzCase, type Verdict } from './fuzz/harness'
import { caseRng, int, pick, type Rng } from './fuzz/random'

// ---------------------------------------------------------------------------------------------
// Seeds.

const enc = new TextEncoder()
const dec = new TextDecoder()

/** Model XML documents the XML mutations start from. */
function xmlSeeds(): Array<{ name: string; spec: ModelSpec }> {
  const cube = box([0, 0, 0], [10, 10, 10])
  return [
    {
      name: 'cube',
      spec: { objects: [{ id: 1, name: 'Cube', mesh: cube }], build: [{ objectid: 1 }] }
    },
    {
      name: 'components',
      spec: {
        unit: 'inch',
        resourcesHead:
          '  <basematerials id="9">\n   <base name="Red" displaycolor="#FF0000"/>\n  </basematerials>\n',
        objects: [
          { id: 1, pid: 9, pindex: 0, mesh: box([0, 0, 0], [1, 1, 1]) },
          {
            id: 2,
            components: [{ objectid: 1 }, { objectid: 1, transform: '-1 0 0 0 1 0 0 0 1 3 0 0' }]
          },
          { id: 3, components: [{ objectid: 2, transform: move(0, 2, 0) }, { objectid: 2 }] }
        ],
        build: [{ objectid: 3, transform: move(10, 10, 0) }, { objectid: 1 }]
      }
    },
    {
      name: 'sphere',
      spec: {
        objects: [{ id: 4, name: 'Ball', mesh: sphere(15, 24, 12) }],
        build: [{ objectid: 4, transform: move(50, 50, 15) }]
      }
    },
    {
      name: 'two-objects',
      spec: {
        metadata: { Title: 'Two & more', Application: 'Fuzz' },
        objects: [
          { id: 1, mesh: cube },
          { id: 2, mesh: translate(box([0, 0, 0], [5, 5, 5]), [20, 0, 0]) }
        ],
        build: [
          { objectid: 1 },
          { objectid: 2, transform: move(0, 0, 1) },
          { objectid: 1, printable: false }
        ]
      }
    }
  ]
}

function archiveAround(xml: string | Uint8Array, stored: boolean): Uint8Array {
  const entries: ZipInput[] = [
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: '_rels/.rels', data: rootRels() },
    { name: '3D/3dmodel.model', data: xml, method: stored ? 0 : 8 }
  ]
  return zipArchive(entries)
}

let byteSeedCache: Array<{ name: string; bytes: Uint8Array }> | null = null

/** Whole archives the container mutations start from. */
function byteSeeds(): Array<{ name: string; bytes: Uint8Array }> {
  if (byteSeedCache) return byteSeedCache
  byteSeedCache = [
    { name: 'bambu', bytes: bambuProject() },
    { name: 'gcode3mf', bytes: bambuGcode3mf() },
    { name: 'core-inch', bytes: coreComponentsInch() },
    { name: 'prusa', bytes: prusaProject() },
    ...xmlSeeds().map((s) => ({
      name: `${s.name}-stored`,
      bytes: archiveAround(modelXml(s.spec), true)
    }))
  ]
  return byteSeedCache
}

// ---------------------------------------------------------------------------------------------
// Container mutations: the archive's bytes and its header fields.

function u32at(b: Uint8Array, o: number, v: number): void {
  if (o + 4 <= b.length)
    new DataView(b.buffer, b.byteOffset, b.byteLength).setUint32(o, v >>> 0, true)
}
function u16at(b: Uint8Array, o: number, v: number): void {
  if (o + 2 <= b.length)
    new DataView(b.buffer, b.byteOffset, b.byteLength).setUint16(o, v & 0xffff, true)
}

/** Offsets of every record with this signature. */
function records(b: Uint8Array, sig: number): number[] {
  const out: number[] = []
  for (let i = 0; i + 4 <= b.length; i++) {
    if (
      b[i] === (sig & 0xff) &&
      b[i + 1] === ((sig >> 8) & 0xff) &&
      b[i + 2] === ((sig >> 16) & 0xff) &&
      b[i + 3] === sig >>> 24
    ) {
      out.push(i)
    }
  }
  return out
}

const LIES = [0, 1, 2, 100, 1000, 0xffff, 0x7fffffff, 0xfffffffe, 0xffffffff, 1_500_000_000]

function mutateContainer(rng: Rng, input: Uint8Array): Uint8Array {
  let b: Uint8Array = input.slice()
  const ops = 1 + int(rng, 3)
  for (let k = 0; k < ops; k++) {
    const central = records(b, 0x02014b50)
    const local = records(b, 0x04034b50)
    const eocd = records(b, 0x06054b50)
    switch (int(rng, 10)) {
      case 0: {
        const flips = 1 + int(rng, 24)
        for (let f = 0; f < flips && b.length > 0; f++) b[int(rng, b.length)]! ^= 1 << int(rng, 8)
        break
      }
      case 1: {
        const cut = pick(rng, [int(rng, b.length + 1), b.length - 1, b.length - 22, 4, 30])
        b = b.slice(0, Math.max(0, Math.min(b.length, cut)))
        break
      }
      case 2: {
        // Lying sizes in a central record (and maybe the local one too).
        if (central.length === 0) break
        const c = pick(rng, central)
        const field = pick(rng, [20, 24])
        const lie = rng() < 0.5 ? pick(rng, LIES) : int(rng, 2 ** 32)
        u32at(b, c + field, lie)
        if (rng() < 0.5 && local.length > 0) u32at(b, pick(rng, local) + field - 2, lie)
        break
      }
      case 3: {
        // Methods and flags.
        if (central.length === 0) break
        const c = pick(rng, central)
        if (rng() < 0.5) u16at(b, c + 10, pick(rng, [0, 1, 6, 8, 9, 12, 14, 93, 99, 0xffff]))
        else u16at(b, c + 8, pick(rng, [0x1, 0x8, 0x40, 0x41, 0x800, 0xffff]))
        break
      }
      case 4: {
        // Offsets: a local header elsewhere, the directory elsewhere.
        if (central.length > 0 && rng() < 0.5)
          u32at(
            b,
            pick(rng, central) + 42,
            pick(rng, [0, 1, b.length, int(rng, b.length), 0xffffffff])
          )
        else if (eocd.length > 0)
          u32at(b, pick(rng, eocd) + 16, pick(rng, [0, int(rng, b.length), b.length, 0xffffffff]))
        break
      }
      case 5: {
        // Entry counts and directory size in the end record.
        if (eocd.length === 0) break
        const e = pick(rng, eocd)
        if (rng() < 0.5) {
          const n = pick(rng, [0, 1, 2, 0xffff, int(rng, 0x10000)])
          u16at(b, e + 8, n)
          u16at(b, e + 10, n)
        } else u32at(b, e + 12, pick(rng, [0, 46, int(rng, b.length), 0xffffffff]))
        break
      }
      case 6: {
        // Name lengths (names running into the next record or past the end).
        if (central.length === 0) break
        u16at(b, pick(rng, central) + pick(rng, [28, 30, 32]), pick(rng, [0, 1, 200, 0xffff]))
        break
      }
      case 7: {
        // Splice two archives.
        const other = pick(rng, byteSeeds()).bytes
        const a = int(rng, b.length + 1)
        const c = int(rng, other.length + 1)
        b = concatBytes(b.subarray(0, a), other.subarray(c))
        break
      }
      case 8: {
        // Garbage before or after (self-extracting stubs, appended data).
        const pad = new Uint8Array(pick(rng, [1, 22, 100, 70000]))
        for (let i = 0; i < pad.length; i++) pad[i] = int(rng, 256)
        b = rng() < 0.5 ? concatBytes(pad, b) : concatBytes(b, pad)
        break
      }
      default: {
        // Interesting bytes in the compressed data.
        for (let f = 0; f < 1 + int(rng, 8) && b.length > 0; f++)
          b[int(rng, b.length)] = pick(rng, [0, 0xff, 0x3c, 0x3e, 0x22, 0x26])
      }
    }
  }
  return b
}

// ---------------------------------------------------------------------------------------------
// XML mutations: the model part's text, then a fresh valid archive around it.

const INSERTS = [
  '<!DOCTYPE model [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
  '<!ENTITY x SYSTEM "file:///etc/passwd">',
  '&a;',
  '&#0;',
  '&#x110000;',
  '&amp',
  '<![CDATA[ ]]>',
  '<!-- -- -->',
  '<?pi x?>',
  '<vertex x="1" y="2" z="3"/>',
  '<vertex x="NaN" y="Infinity" z="-0"/>',
  '<vertex x="1e308" y="-1e308" z="1e-400"/>',
  '<triangle v1="0" v2="1" v3="4294967296"/>',
  '<triangle v1="-1" v2="0" v3="1"/>',
  '<component objectid="1"/>',
  '<component objectid="3" transform="0 0 0 0 0 0 0 0 0 0 0 0"/>',
  '<item objectid="2" transform="1e300 0 0 0 1e300 0 0 0 1e300 0 0 0"/>',
  '<object id="1"><mesh/></object>',
  '<object id="99" type="other"><components><component objectid="99"/></components></object>',
  '<m:colorgroup id="7"><m:color color="#zzz"/></m:colorgroup>',
  '</model>',
  '<model>',
  '"',
  "'",
  '<',
  '>',
  '\u0000',
  '\ufffd'
]

function mutateXml(rng: Rng, xml: string): Uint8Array {
  let s = xml
  const ops = 1 + int(rng, 3)
  for (let k = 0; k < ops; k++) {
    switch (int(rng, 10)) {
      case 0:
        s = s.slice(0, int(rng, s.length + 1))
        break
      case 1: {
        const at = int(rng, s.length + 1)
        s = s.slice(0, at) + pick(rng, INSERTS) + s.slice(at)
        break
      }
      case 2: {
        // Deep nesting.
        const depth = pick(rng, [63, 64, 65, 200, 5000])
        const at = s.indexOf('<build>') >= 0 ? s.indexOf('<build>') + 7 : int(rng, s.length)
        s =
          s.slice(0, at) +
          '<x>'.repeat(depth) +
          '</x>'.repeat(rng() < 0.8 ? depth : depth - 1) +
          s.slice(at)
        break
      }
      case 3: {
        // Huge numbers and counts in attribute values.
        s = s.replace(/"(-?\d+(\.\d+)?)"/g, (m) =>
          rng() < 0.15
            ? `"${pick(rng, ['1e999', '-1e999', '4294967295', '2147483648', '-1', '', ' 1 ', '0x10', '1.5', '1e5', '00000000001'])}"`
            : m
        )
        break
      }
      case 4: {
        // Object ids and references shuffled (cycles, missing objects, self-references).
        s = s.replace(/(objectid|id)="(\d+)"/g, (m, a: string) =>
          rng() < 0.3 ? `${a}="${pick(rng, [1, 2, 3, 4, 9, 99])}"` : m
        )
        break
      }
      case 5: {
        // Many copies of a vertex or triangle line (huge counts, bounded here by the case size).
        const lines = s.split('\n')
        const idx = int(rng, lines.length)
        const copies = pick(rng, [10, 1000, 20000])
        lines.splice(idx, 0, ...Array(copies).fill(lines[idx] ?? ''))
        s = lines.join('\n')
        break
      }
      case 6:
        s = s.replace(
          /unit="[^"]*"/,
          `unit="${pick(rng, ['micron', 'meter', 'foot', 'parsec', '', 'MILLIMETER'])}"`
        )
        break
      case 7: {
        // Attribute quoting and names broken.
        const at = int(rng, s.length)
        s =
          s.slice(0, at) + s.slice(at).replace(/=\s*"/, pick(rng, ['="', "='", '=', ' = "', '=""']))
        break
      }
      case 8: {
        // Delete a range.
        const a = int(rng, s.length + 1)
        s = s.slice(0, a) + s.slice(a + int(rng, 400))
        break
      }
      default: {
        const b = enc.encode(s)
        for (let f = 0; f < 1 + int(rng, 16) && b.length > 0; f++)
          b[int(rng, b.length)]! ^= 1 << int(rng, 8)
        return b
      }
    }
  }
  return enc.encode(s)
}

/** Builds case `index` of a run with `seed`. */
export function makeCase(seed: number, index: number): FuzzCase {
  const rng = caseRng(seed, index, 0x3bd1e995)
  const roll = rng()
  if (roll < 0.05) {
    const size = pick(rng, [0, 1, 4, 22, 30, 100, 4096])
    const bytes = new Uint8Array(size)
    for (let i = 0; i < size; i++) bytes[i] = int(rng, 256)
    if (size >= 4 && rng() < 0.5) bytes.set([0x50, 0x4b, 0x03, 0x04])
    return { name: `random-${size}`, bytes }
  }
  if (roll < 0.08) {
    const base = pick(rng, byteSeeds())
    return { name: `${base.name}-unmutated`, bytes: base.bytes.slice() }
  }
  if (roll < 0.5) {
    const base = pick(rng, byteSeeds())
    return { name: `${base.name}-zip`, bytes: mutateContainer(rng, base.bytes) }
  }
  const base = pick(rng, xmlSeeds())
  const xml = mutateXml(rng, modelXml(base.spec))
  const stored = rng() < 0.3
  return { name: `${base.name}-xml${stored ? '-stored' : ''}`, bytes: archiveAround(xml, stored) }
}

// ---------------------------------------------------------------------------------------------
// Running one case (in a worker) with sanity checks.

/** Parses one input; throws for broken invariants and uncoded errors (a crash). */
export function runCase(index: number, bytes: Uint8Array): Verdict {
  // Every 5th case runs with small limits so the budget paths get exercised too.
  const limits: ThreeMfLimits | undefined =
    index % 5 === 2
      ? {
          maxTriangles: 1 + (index % 300),
          maxMeshElements: 50 + (index % 700),
          maxInstances: 5 + (index % 50),
          maxModelEntryBytes: 2000 + ((index * 37) % 50000),
          maxTotalBytes: 5000 + ((index * 101) % 100000)
        }
      : undefined
  const detected = detectModelFormat(bytes)
  check(['stl', '3mf', 'gcode3mf', 'other'].includes(detected.format), 'detected format')
  const r = parse3mf(bytes, limits)
  if (!r.ok) {
    check(THREEMF_ERROR_CODES.includes(r.error.code), `unknown error code ${String(r.error.code)}`)
    check(typeof r.error.message === 'string' && r.error.message.length > 0, 'empty message')
    // Quoted file content may say anything; the engine's own words must not leak placeholders.
    const own = r.error.message.replace(/"[^"]*"|'[^']*'|\("[^)]*\)/g, '')
    check(!/undefined|NaN|\[object/.test(own), `message reads badly: ${r.error.message}`)
    return { outcome: 'error', detail: r.error.code }
  }
  const p = r.value
  let triangles = 0
  for (const plate of p.plates) {
    for (const o of plate.objects) {
      let sum = 0
      for (const part of o.parts) {
        check(part.positions instanceof Float32Array, 'positions is a Float32Array')
        check(part.positions.length === part.triangles * 9, 'triangles*9 == positions.length')
        for (let i = 0; i < part.positions.length; i++)
          check(Number.isFinite(part.positions[i]!), 'finite positions')
        sum += part.triangles
      }
      check(sum === o.triangles && o.report.triangles === o.triangles, 'object triangles add up')
      check(
        o.size.every((s) => Number.isFinite(s) && s >= 0),
        'object size'
      )
      check(
        o.report.volume === null || (Number.isFinite(o.report.volume) && o.report.volume >= 0),
        'volume'
      )
      triangles += o.triangles
    }
    if (plate.report) {
      check(
        plate.report.triangles === plate.objects.reduce((n, o) => n + o.triangles, 0),
        'plate triangles'
      )
      check(
        plate.report.size.every((s) => Number.isFinite(s) && s >= 0),
        'plate size'
      )
    }
    check(Number.isInteger(plate.id) && plate.id >= 1, 'plate id')
  }
  check(triangles === p.triangles, 'project triangles add up')
  if (limits?.maxTriangles !== undefined)
    check(triangles <= limits.maxTriangles, 'triangle budget kept')
  check(
    p.notes.every((n) => typeof n === 'string' && n.length > 0),
    'notes are sentences'
  )
  JSON.stringify(summarize3mf(p))
  transferablesOf(p)
  return {
    outcome: 'ok',
    detail: `${p.kind} ${p.plates.length} plates ${p.triangles} tris`
  }
}

runFuzzer({
  name: '3mf',
  moduleUrl: import.meta.url,
  makeCase,
  runCase,
  timeoutMs: 10000,
  maxWorkers: 2,
  // A case that allocated without bound would end the worker here, counted as a crash.
  resourceLimits: { maxOldGenerationSizeMb: 1024 },
  describeOne: (c, r, verbose) => [
    JSON.stringify(r),
    ...(verbose ? [dec.decode(c.bytes.subarray(0, 2000))] : [])
  ],
  reportSlowest: true
})
