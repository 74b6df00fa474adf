import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { parse3mf, summarize3mf, THREEMF_ERROR_CODES, type ThreeMfProject } from '.'
import { FIXTURES, READ_ERROR_CODES } from '../../test-support/3mf-catalog'

const dir = new URL('./fixtures/', import.meta.url)

async function load(file: string): Promise<ThreeMfProject> {
  const r = parse3mf(new Uint8Array(await readFile(new URL(file, dir))))
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value
}

describe('committed 3MF fixtures', () => {
  it.each(FIXTURES.map((f) => [f.file, f] as const))('%s', async (_name, f) => {
    const committed = new Uint8Array(await readFile(new URL(f.file, dir)))
    // The file on disk is what the builder makes (regenerate with `npm run fixtures:3mf`).
    expect(Buffer.from(committed).equals(Buffer.from(f.bytes()))).toBe(true)
    const r = parse3mf(committed, f.limits)
    if (f.expect.ok) {
      if (!r.ok) throw new Error(r.error.message)
      expect([r.value.kind, r.value.plates.length, r.value.triangles]).toEqual([
        f.expect.kind,
        f.expect.plates,
        f.expect.triangles
      ])
    } else {
      expect(r.ok ? 'ok' : r.error.code).toBe(f.expect.code)
      // A sentence a person can read: starts with a capital or a quote, ends with a full stop.
      if (!r.ok) expect(r.error.message).toMatch(/^['A-Z].*\.$/)
    }
  })

  it('every error code has a fixture (or a read case)', () => {
    const fromFiles = new Set(FIXTURES.flatMap((f) => (f.expect.ok ? [] : [f.expect.code])))
    for (const code of THREEMF_ERROR_CODES) {
      expect([code, fromFiles.has(code) || READ_ERROR_CODES.includes(code)]).toEqual([code, true])
    }
  })
})

describe('Bambu Studio project (two plates, two colours)', () => {
  it('lists the plates with their names, objects and instances', async () => {
    const p = await load('bambu-two-plates.3mf')
    expect([p.kind, p.slicer, p.application, p.title]).toEqual([
      '3mf',
      'bambu-studio',
      'BambuStudio-02.01.01.52',
      'Two plates'
    ])
    expect(
      p.plates.map((pl) => [pl.id, pl.name, pl.objects.map((o) => `${o.name}#${o.instance}`)])
    ).toEqual([
      [1, 'Cubes', ['Cube#0', 'Cube#1']],
      [2, 'Two-tone', ['Two-tone#0']]
    ])
  })

  it('colours parts by filament and leaves the modifier out', async () => {
    const p = await load('bambu-two-plates.3mf')
    expect(p.filaments).toEqual([
      { index: 1, color: '#ffffff', type: 'PLA' },
      { index: 2, color: '#d32f2f', type: 'PLA' }
    ])
    const twoTone = p.plates[1]!.objects[0]!
    expect(twoTone.parts.map((x) => [x.name, x.filament, x.color, x.triangles])).toEqual([
      ['Base', 1, '#ffffff', 12],
      ['Top', 2, '#d32f2f', 12]
    ])
    expect(p.notes.join(' ')).toMatch(/1 modifier, negative or support-blocker part is not printed/)
    expect(p.notes.join(' ')).toMatch(/2 triangles are colour-painted/)
  })

  it('measures each plate: size of its bounding box, summed volume, bed fit', async () => {
    const p = await load('bambu-two-plates.3mf')
    const [one, two] = p.plates
    // Two 20 mm cubes whose centres are 56 mm apart: 76 × 20 × 20, 2 × 8000 mm³.
    expect(one!.report!.size).toEqual([76, 20, 20])
    expect([one!.report!.volume, one!.report!.closed, one!.report!.verdict]).toEqual([
      16000,
      true,
      'ok'
    ])
    // 30 × 20 × 4 slab + 10 × 10 × 10 block on top: 2400 + 1000 mm³.
    expect(two!.report!.size).toEqual([30, 20, 14])
    expect(two!.report!.volume).toBe(3400)
    expect([one!.bedFit['bambu-p1s'], one!.bedFit['voron-0.2']]).toEqual(['fits', 'fits'])
    // Positions are in plate coordinates: plate 2 sits one plate step (256 × 1.2 mm) to the right.
    expect(two!.objects[0]!.bbox.min[0]).toBeCloseTo(128 + 307.2 - 15, 3)
  })

  it('reads the plate and package thumbnails as PNG bytes', async () => {
    const p = await load('bambu-two-plates.3mf')
    expect(p.plates.map((pl) => pl.thumbnail?.path)).toEqual([
      'Metadata/plate_1.png',
      'Metadata/plate_2.png'
    ])
    expect(p.thumbnail?.mime).toBe('image/png')
    expect(Array.from(p.plates[0]!.thumbnail!.bytes.subarray(0, 4))).toEqual([
      0x89, 0x50, 0x4e, 0x47
    ])
  })
})

describe('sliced gcode.3mf', () => {
  it('reads printer, nozzle, time and filament use per plate from slice_info', async () => {
    const p = await load('bambu-two-plates.gcode.3mf')
    expect(p.kind).toBe('gcode3mf')
    const [one, two] = p.plates.map((pl) => pl.sliced!)
    expect([
      one!.printerModel,
      one!.printerModelId,
      one!.nozzleDiameter,
      one!.printSeconds,
      one!.weightGrams
    ]).toEqual(['C12', 'bambu-p1s', 0.4, 3725, 24.6])
    expect(two!.filaments).toEqual([
      { index: 1, type: 'PLA', color: '#ffffff', grams: 11.72, meters: 3.92 },
      { index: 2, type: 'PLA', color: '#d32f2f', grams: 4.18, meters: 1.4 }
    ])
    expect(two!.warnings).toEqual(['bed_temperature_too_high_than_filament'])
    expect(one!.gcodePath).toBe('Metadata/plate_1.gcode')
    expect(p.plates.map((pl) => [pl.name, pl.report, pl.thumbnail?.path])).toEqual([
      ['Cubes', null, 'Metadata/plate_1.png'],
      ['Two-tone', null, 'Metadata/plate_2.png']
    ])
  })
})

describe('core spec: components, mirroring and units', () => {
  it('scales inches to mm, applies component and item transforms, keeps a mirrored copy outward', async () => {
    const p = await load('core-components-inch.3mf')
    expect(p.unit).toBe('inch')
    const o = p.plates[0]!.objects[0]!
    // Block 1 × 1 × 0.5 in at x 0..1 and its mirror at x 2..3, moved 1 in: x 25.4 .. 101.6 mm.
    expect(o.bbox.min.map((v) => +v.toFixed(3))).toEqual([25.4, 25.4, 0])
    expect(o.bbox.max.map((v) => +v.toFixed(3))).toEqual([101.6, 50.8, 12.7])
    // Both copies closed and outward: 2 × 25.4² × 12.7 mm³ (a flipped copy would cancel out).
    expect(o.report.volume).toBeCloseTo(2 * 25.4 * 25.4 * 12.7, 3)
    expect([o.report.closed, o.report.shells, o.report.verdict]).toEqual([true, 2, 'ok'])
    expect(o.parts.map((x) => x.color)).toEqual(['#1e88e5', '#1e88e5'])
  })
})

describe('PrusaSlicer project', () => {
  it('splits volumes by triangle range, with their extruder colours', async () => {
    const p = await load('prusa-two-volumes.3mf')
    expect([p.slicer, p.printerModel, p.nozzleDiameter]).toEqual(['prusaslicer', 'MK4S', 0.4])
    const o = p.plates[0]!.objects[0]!
    expect(o.parts.map((x) => [x.name, x.filament, x.color, x.triangles])).toEqual([
      ['Body', 1, '#ff8000', 12],
      ['Top', 2, '#1e88e5', 12]
    ])
    expect(o.report.volume).toBe(20 * 20 * 10 + 1000)
  })
})

describe('summaries for main and the CLI', () => {
  it('drop geometry and image bytes and survive JSON', async () => {
    const s = summarize3mf(await load('bambu-two-plates.3mf'))
    const json = JSON.parse(JSON.stringify(s)) as typeof s
    expect(json.plates[1]!.objects[0]!.parts[1]).toEqual({
      name: 'Top',
      filament: 2,
      color: '#d32f2f',
      triangles: 12
    })
    expect(json.plates[0]!.thumbnail).toEqual({
      path: 'Metadata/plate_1.png',
      mime: 'image/png',
      bytes: 100
    })
    expect(JSON.stringify(s).length).toBeLessThan(20000)
  })
})
