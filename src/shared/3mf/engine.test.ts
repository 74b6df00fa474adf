import { openAsBlob } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { box } from '../../test-support/stl'
import {
  checkSlicedPlate,
  detectModelFormat,
  parse3mf,
  read3mfBytes,
  slicedPlateModels,
  sniffModelFile,
  transferablesOf,
  type SlicedPlate
} from '.'
import { ModelReader, type MeshBudget } from './model'
import {
  bambuGcode3mf,
  bambuProject,
  CONTENT_TYPES,
  core3mf,
  modelXml,
  move,
  rootRels,
  type ModelSpec
} from '../../test-support/3mf'
import { png, zipArchive } from '../../test-support/zip-writer'
import { binaryStl } from '../../test-support/stl'

const enc = new TextEncoder()
const cubeSpec = {
  objects: [{ id: 1, name: 'Cube', mesh: box([0, 0, 0], [10, 10, 10]) }],
  build: [{ objectid: 1 }]
}
const code = (r: ReturnType<typeof parse3mf>): string => (r.ok ? 'ok' : r.error.code)
const withModel = (xml: string, extra = {}): Uint8Array =>
  zipArchive([
    { name: '[Content_Types].xml', data: CONTENT_TYPES },
    { name: '_rels/.rels', data: rootRels() },
    { name: '3D/3dmodel.model', data: xml, ...extra }
  ])
const budget = (): MeshBudget => ({
  maxElements: 1e6,
  maxInstances: 1e6,
  elements: 0,
  resources: 0
})

describe('ZIP container', () => {
  it('refuses an entry that inflates to more than it declares, without inflating it all', () => {
    // 200 KB of real XML declared as 2 KB: caught while inflating, as damaged.
    const xml = modelXml(cubeSpec).replace(
      '<resources>',
      `<resources>${'<!-- padding -->'.repeat(12000)}`
    )
    const r = parse3mf(withModel(xml, { size: 2000 }))
    expect(code(r)).toBe('corrupt')
    expect(r.ok ? '' : r.error.message).toMatch(
      /expands to more than the 2\.0 KB its header declares/
    )
  })

  it('refuses an entry shorter than it declares', () => {
    const xml = modelXml(cubeSpec)
    expect(code(parse3mf(withModel(xml, { size: xml.length + 10 })))).toBe('corrupt')
  })

  it('refuses invalid deflate data', () => {
    const bytes = withModel(modelXml(cubeSpec))
    // Flip bytes in the middle of the model's compressed data (after its local header).
    const name = enc.encode('3D/3dmodel.model')
    let at = 0
    while (!name.every((c, k) => bytes[at + k] === c)) at++
    for (let i = at + name.length + 20; i < at + name.length + 60; i++) bytes[i] = bytes[i]! ^ 0x5a
    expect(['corrupt', 'malformed-xml', 'invalid-model']).toContain(code(parse3mf(bytes)))
  })

  it('refuses an archive that lists the same name twice', () => {
    const xml = modelXml(cubeSpec)
    const b = zipArchive([
      { name: '_rels/.rels', data: rootRels() },
      { name: '3D/3dmodel.model', data: xml },
      { name: '3d/3DMODEL.model', data: xml }
    ])
    expect(code(parse3mf(b))).toBe('corrupt')
  })

  it('counts the total inflated against maxTotalBytes before inflating', () => {
    expect(code(parse3mf(core3mf(cubeSpec), { maxTotalBytes: 500 }))).toBe('zip-bomb')
  })

  it('bounds the plates a file may list (each costs reads)', () => {
    const gcode = Array.from({ length: 501 }, (_, i) => ({
      name: `Metadata/plate_${i + 1}.gcode`,
      data: 'G28\n'
    }))
    const b = zipArchive([{ name: '3D/3dmodel.model', data: modelXml(cubeSpec) }, ...gcode])
    const r = parse3mf(b)
    expect(r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`).toBe(
      'over-budget: The project lists 501 plates; the limit is 500.'
    )
  })

  it('finds the model without _rels/.rels, with a note', () => {
    const b = zipArchive([{ name: '3D/3dmodel.model', data: modelXml(cubeSpec) }])
    const r = parse3mf(b)
    expect(r.ok && r.value.triangles).toBe(12)
  })
})

describe('production extension', () => {
  const ns = { p: 'http://schemas.microsoft.com/3dmanufacturing/production/2015/06' }

  it('refuses a p:path inside a non-root model part (one level only, §3.2)', () => {
    const b = zipArchive([
      { name: '_rels/.rels', data: rootRels() },
      {
        name: '3D/3dmodel.model',
        data: modelXml({
          namespaces: ns,
          objects: [{ id: 2, components: [{ objectid: 1, path: '/3D/Objects/a.model' }] }],
          build: [{ objectid: 2 }]
        })
      },
      {
        name: '3D/Objects/a.model',
        data: modelXml({
          namespaces: ns,
          objects: [{ id: 1, components: [{ objectid: 1, path: '/3D/Objects/b.model' }] }],
          build: []
        })
      }
    ])
    const r = parse3mf(b)
    expect(r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`).toBe(
      "invalid-model: '3D/Objects/a.model' refers to another model part ('/3D/Objects/b.model'); only the root model may do that."
    )
  })

  it('says which part is missing', () => {
    const b = zipArchive([
      { name: '_rels/.rels', data: rootRels() },
      {
        name: '3D/3dmodel.model',
        data: modelXml({
          namespaces: ns,
          objects: [{ id: 2, components: [{ objectid: 1, path: '/3D/Objects/gone.model' }] }],
          build: [{ objectid: 2 }]
        })
      }
    ])
    const r = parse3mf(b)
    expect(r.ok ? 'ok' : r.error.code).toBe('missing-object')
    expect(r.ok ? '' : r.error.message).toContain("'/3D/Objects/gone.model'")
  })
})

describe('model XML', () => {
  const xml = modelXml({
    metadata: { Title: 'A & B' },
    objects: [{ id: 1, name: 'Caf\u00e9 <1>', mesh: box([0, 0, 0], [1, 2, 3]) }],
    build: [{ objectid: 1 }]
  })

  it('gives the same result whatever the chunk boundaries', () => {
    const bytes = enc.encode(xml)
    const whole = new ModelReader('m', budget())
    whole.push(bytes)
    const ref = whole.finish()
    for (const size of [1, 2, 3, 7, 64, 333]) {
      const r = new ModelReader('m', budget())
      for (let o = 0; o < bytes.length; o += size) r.push(bytes.subarray(o, o + size))
      const part = r.finish()
      const a = part.objects.get(1)!.mesh!
      const b = ref.objects.get(1)!.mesh!
      expect([size, Array.from(a.vertices), Array.from(a.indices)]).toEqual([
        size,
        Array.from(b.vertices),
        Array.from(b.indices)
      ])
      expect(part.objects.get(1)!.name).toBe('Café <1>')
      expect(part.metadata.get('Title')).toBe('A & B')
    }
  })

  it.each([
    ['mismatched end tag', xml.replace('</vertices>', '</vertex>'), 'malformed-xml'],
    ['undefined entity', xml.replace('Title">', 'Title">&xxe;'), 'malformed-xml'],
    [
      'DTD',
      xml.replace('<model', '<!DOCTYPE model SYSTEM "file:///etc/passwd"><model'),
      'malformed-xml'
    ],
    ['truncated document', xml.slice(0, xml.indexOf('</resources>')), 'malformed-xml'],
    ['two roots', xml + '<model/>', 'malformed-xml'],
    ['UTF-8 byte order mark', '\ufeff' + xml, 'ok'],
    ['UTF-16', xml.replace('<?xml', '\u0000<?xml'), 'malformed-xml'],
    ['bad unit', xml.replace('unit="millimeter"', 'unit="furlong"'), 'invalid-model'],
    ['vertex without z', xml.replace(/ z="[^"]*"/, ''), 'invalid-model'],
    ['vertex not a number', xml.replace(/x="[^"]*"/, 'x="1,5"'), 'invalid-model'],
    ['NaN vertex', xml.replace(/x="[^"]*"/, 'x="NaN"'), 'invalid-model'],
    [
      'transform with 11 numbers',
      xml.replace('<item objectid="1"', '<item objectid="1" transform="1 0 0 0 1 0 0 0 1 0 0"'),
      'invalid-model'
    ],
    [
      'infinite transform',
      xml.replace(
        '<item objectid="1"',
        '<item objectid="1" transform="1 0 0 0 1 0 0 0 1 0 0 1e400"'
      ),
      'non-finite'
    ],
    [
      'object defined twice',
      xml.replace('</resources>', '<object id="1"><mesh/></object></resources>'),
      'invalid-model'
    ]
  ])('%s → %s', (_what, doc, expected) => {
    expect(code(parse3mf(withModel(doc)))).toBe(expected)
  })

  it('bounds nesting depth', () => {
    const deep = xml.replace('<build>', `<build>${'<x>'.repeat(100)}${'</x>'.repeat(100)}`)
    const r = parse3mf(withModel(deep))
    expect(r.ok ? '' : r.error.message).toMatch(/nests elements more than 64 deep/)
  })

  it('bounds the length of one tag', () => {
    const long = xml.replace('<build>', `<build><x a="${'y'.repeat(2 << 20)}"/>`)
    expect(code(parse3mf(withModel(long)))).toBe('malformed-xml')
  })

  it('converts every unit to millimetres', () => {
    const sizes: Record<string, number> = {
      micron: 0.001,
      millimeter: 1,
      centimeter: 10,
      inch: 25.4,
      foot: 304.8,
      meter: 1000
    }
    for (const [unit, mm] of Object.entries(sizes)) {
      const r = parse3mf(
        core3mf({ ...cubeSpec, unit, objects: [{ id: 1, mesh: box([0, 0, 0], [2, 2, 2]) }] })
      )
      if (!r.ok) throw new Error(r.error.message)
      expect([unit, r.value.plates[0]!.report!.size[0]]).toEqual([unit, Math.fround(2 * mm)])
    }
  })

  it('enforces the vertex/triangle budget while reading', () => {
    const r = parse3mf(core3mf(cubeSpec), { maxMeshElements: 10 })
    expect(r.ok ? '' : `${r.error.code}: ${r.error.message}`).toBe(
      'over-budget: The model has more than 10 vertices and triangles; the limit is 10.'
    )
  })

  it('bounds component nesting even when objects are reused at growing depths', () => {
    // Object k contains object k−1; items place 1, 2, 3… so each is first met at depth 0.
    const objects: ModelSpec['objects'] = [{ id: 1, mesh: box([0, 0, 0], [1, 1, 1]) }]
    for (let k = 2; k <= 40; k++) objects.push({ id: k, components: [{ objectid: k - 1 }] })
    const build = objects.map((o) => ({ objectid: o.id }))
    const r = parse3mf(core3mf({ objects, build }))
    expect(r.ok ? 'ok' : `${r.error.code}: ${r.error.message}`).toBe(
      'over-budget: The model nests components more than 32 levels deep.'
    )
  })

  it('transforms only the vertices triangles use (many unused vertices, many instances)', () => {
    // 200k vertices, 1 triangle, placed 2,000 times: transforming whole vertex arrays per
    // instance would be 400 million transforms and 4.8 GB of arrays; corners used are 6,000.
    const verts = Array.from(
      { length: 200_000 },
      (_, i) => `<vertex x="${i % 100}" y="${i % 7}" z="${i % 3}"/>`
    )
    const comps = Array.from(
      { length: 2000 },
      (_, i) => `<component objectid="1" transform="${move(i, 0, 0)}"/>`
    )
    const xml =
      `<model xmlns="http://schemas.microsoft.com/3dmanufacturing/core/2015/02"><resources>` +
      `<object id="1"><mesh><vertices>${verts.join('')}</vertices>` +
      `<triangles><triangle v1="0" v2="1" v3="2"/></triangles></mesh></object>` +
      `<object id="2"><components>${comps.join('')}</components></object></resources>` +
      `<build><item objectid="2"/></build></model>`
    const started = performance.now()
    const r = parse3mf(zipArchive([{ name: '3D/3dmodel.model', data: xml }]))
    expect(r.ok && r.value.triangles).toBe(2000)
    expect(performance.now() - started).toBeLessThan(8000)
  })

  it('enforces the triangle budget after instancing', () => {
    const spec = {
      ...cubeSpec,
      build: [{ objectid: 1 }, { objectid: 1, transform: move(20, 0, 0) }]
    }
    expect(code(parse3mf(core3mf(spec), { maxTriangles: 23 }))).toBe('over-budget')
    expect(code(parse3mf(core3mf(spec), { maxTriangles: 24 }))).toBe('ok')
  })

  it('leaves out items marked not printable, with a note', () => {
    const spec = {
      ...cubeSpec,
      build: [{ objectid: 1 }, { objectid: 1, transform: move(20, 0, 0), printable: false }]
    }
    const r = parse3mf(core3mf(spec))
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.triangles).toBe(12)
    expect(r.value.notes).toContain('1 object is marked not printable and was left out.')
  })
})

describe('format detection', () => {
  it('tells STL, 3MF, gcode.3mf and other files apart from bytes', () => {
    expect(detectModelFormat(binaryStl(box())).format).toBe('stl')
    expect(detectModelFormat(bambuProject()).format).toBe('3mf')
    expect(detectModelFormat(bambuGcode3mf()).format).toBe('gcode3mf')
    expect(detectModelFormat(png(2, 2, [0, 0, 0]))).toEqual({
      format: 'other',
      what: 'a PNG image'
    })
    expect(detectModelFormat(zipArchive([{ name: 'a.txt', data: 'x' }])).format).toBe('other')
    expect(detectModelFormat(new Uint8Array(0)).format).toBe('other')
    // A binary STL whose free-text header starts like a ZIP is still an STL (exact size wins).
    const stl = binaryStl(box())
    stl.set([0x50, 0x4b, 0x03, 0x04])
    expect(detectModelFormat(stl).format).toBe('stl')
    // A cut-off 3MF is routed to the 3MF engine, which says it is truncated.
    expect(detectModelFormat(bambuProject().slice(0, 500)).format).toBe('3mf')
  })

  it('reads only slices of a File', async () => {
    const bytes = bambuGcode3mf()
    const read: Array<[number, number]> = []
    const file = {
      size: bytes.length,
      slice: (s = 0, e = bytes.length) => ({
        arrayBuffer: async () => {
          read.push([s, e])
          return bytes.slice(s, e).buffer
        }
      })
    }
    expect((await sniffModelFile(file)).format).toBe('gcode3mf')
    expect(read.length).toBe(3)
  })
})

describe('reading a dropped file', () => {
  it('unreadable when the file went away after the drop', async () => {
    const tmp = await mkdtemp(join(tmpdir(), '3mf-unreadable-'))
    try {
      const path = join(tmp, 'gone.3mf')
      await writeFile(path, bambuProject())
      const file = await openAsBlob(path)
      await rm(path)
      const r = await read3mfBytes(file)
      expect(r.ok ? 'ok' : r.error.code).toBe('unreadable')
      expect(r.ok ? '' : r.error.message).toMatch(/^Could not read this file: \S/)
    } finally {
      await rm(tmp, { recursive: true, force: true })
    }
  })

  it('empty and too-large from the size alone', async () => {
    const fake = (size: number) => ({
      size,
      arrayBuffer: () => Promise.reject(new Error('not read'))
    })
    expect(await read3mfBytes(fake(0))).toMatchObject({ ok: false, error: { code: 'empty' } })
    expect(await read3mfBytes(fake(5000), { maxBytes: 1000 })).toMatchObject({
      ok: false,
      error: { code: 'too-large' }
    })
  })
})

describe('transfer to the renderer', () => {
  it('lists each buffer once: one per placed object, one per thumbnail', () => {
    const r = parse3mf(bambuProject())
    if (!r.ok) throw new Error(r.error.message)
    const buffers = transferablesOf(r.value)
    const objects = r.value.plates.reduce((n, p) => n + p.objects.length, 0)
    // One per placed object, two plate thumbnails and the package thumbnail (read on its own).
    expect(buffers.length).toBe(objects + 3)
    const mc = new MessageChannel()
    mc.port1.postMessage(r.value, buffers)
    mc.port1.close()
    expect(r.value.plates[0]!.objects[0]!.parts[0]!.positions.length).toBe(0) // detached
  })
})

describe('sliced plates go only to their printer model and nozzle', () => {
  const plate = (over: Partial<SlicedPlate> = {}): SlicedPlate => ({
    gcodePath: 'Metadata/plate_1.gcode',
    gcodeBytes: 1,
    printerModel: 'C12',
    printerModelId: 'bambu-p1s',
    nozzleDiameter: 0.4,
    printSeconds: null,
    weightGrams: null,
    filaments: [],
    warnings: [],
    ...over
  })

  it('accepts the same model (any of its names) with the same nozzle', () => {
    expect(checkSlicedPlate(plate(), { modelName: 'Bambu Lab P1S', nozzleDiameter: 0.4 })).toEqual({
      verdict: 'ok'
    })
    expect(checkSlicedPlate(plate(), { modelName: 'C12', nozzleDiameter: 0.4 }).verdict).toBe('ok')
    expect(slicedPlateModels(plate()).map((v) => v.id)).toEqual(['bambu-p1s'])
  })

  it('refuses another model even with the same bed', () => {
    const r = checkSlicedPlate(plate(), { modelName: 'X1 Carbon', nozzleDiameter: 0.4 })
    expect(r).toEqual({
      verdict: 'wrong-model',
      reason: 'The plate was sliced for a Bambu Lab P1S; this printer is a Bambu Lab X1 Carbon.'
    })
  })

  it('refuses another nozzle, and says when the nozzle is unknown', () => {
    expect(checkSlicedPlate(plate(), { modelName: 'P1S', nozzleDiameter: 0.6 }).verdict).toBe(
      'wrong-nozzle'
    )
    expect(checkSlicedPlate(plate(), { modelName: 'P1S' }).verdict).toBe('nozzle-unknown')
    expect(
      checkSlicedPlate(plate({ nozzleDiameter: null }), { modelName: 'P1S', nozzleDiameter: 0.4 })
        .verdict
    ).toBe('nozzle-unknown')
  })

  it('refuses every printer when the plate’s model is unknown', () => {
    const r = checkSlicedPlate(plate({ printerModel: 'Mystery 3000', printerModelId: null }), {
      modelName: 'P1S',
      nozzleDiameter: 0.4
    })
    expect(r.verdict).toBe('wrong-model')
    expect(slicedPlateModels(plate({ printerModel: null, printerModelId: null }))).toEqual([])
  })
})
