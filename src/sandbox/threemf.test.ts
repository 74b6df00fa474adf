// 3MF projects and sliced plates: plate metadata on the part, one job per plate × quantity with
// plateQuantities, the preview, gcode3mf plates that only run on the printer model (and nozzle)
// they were sliced for, and split-plates.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type {
  BuildPreviewV2,
  Part,
  PartBuild,
  PartMetadata,
  PrintJob
} from '../shared/printago/api-types'
import { inspect3mf } from '../shared/3mf'
import {
  build,
  call,
  expectConforms,
  makePart,
  PRINTER,
  sandbox,
  stateReaders,
  troubleshoot
} from './testing/test-utils'
import type { TestSandbox } from './testing'

const FIXTURES = join(__dirname, '../shared/3mf/fixtures')
const project = (): Uint8Array => readFileSync(join(FIXTURES, 'bambu-two-plates.3mf'))
const sliced = (): Uint8Array => readFileSync(join(FIXTURES, 'bambu-two-plates.gcode.3mf'))

let sb: TestSandbox
afterEach(() => sb?.close())

const { jobsOf, ticks } = stateReaders(() => sb)
const plateIds = (jobs: PrintJob[]): (number | undefined)[] =>
  jobs.map((j) => j.extensions?.['3mf']?.plateId)
async function signedGet(path: string): Promise<Response> {
  const r = await call<{ signedUrls: string[] }>(sb, 'POST', '/v1/storage/signed-urls', {
    paths: [path]
  })
  return fetch(r.json.signedUrls[0]!)
}

describe('3mf parts', () => {
  it('metadata, materials, per-plate estimates and plate thumbnails after extraction', async () => {
    sb = await sandbox()
    const part = await makePart(sb, 'plates', project(), '3mf', { use3MFProcessProfile: true })
    expect(part).toMatchObject({ type: '3mf', use3MFProcessProfile: true, metadata: null })
    sb.tick()
    const got = (await call<Part>(sb, 'GET', `/v1/parts/${part.id}`)).json
    expectConforms('GET', '/v1/parts/{id}', 200, got)
    expect(got.materials).toEqual([
      { index: 0, color: '#FFFFFF', type: 'PLA' },
      { index: 1, color: '#D32F2F', type: 'PLA' }
    ])
    expect(got.metadata).toMatchObject({
      printerModel: 'Bambu Lab P1S',
      filamentType: ['PLA', 'PLA'],
      nozzleDiameter: '0.4',
      slicerVersion: { engine: 'bambu-studio', version: '02.01.01.52' },
      plates: [
        { id: 1, name: 'Cubes', thumbnailUploadedUri: expect.stringMatching(/plate_1\.png$/) },
        { id: 2, name: 'Two-tone', thumbnailUploadedUri: expect.stringMatching(/plate_2\.png$/) }
      ]
    })
    expect(got.slicingEstimate?.plates?.map((p) => p.plateId)).toEqual([1, 2])
    // The two-tone plate uses both filaments.
    expect(got.slicingEstimate?.plates?.[1]?.materials.map((m) => m.index)).toEqual([0, 1])
    expect(got.thumbnailUri).toMatch(/thumbnail\.png$/)
    const png = await signedGet(got.metadata!.plates![1]!.thumbnailUploadedUri!)
    expect(png.status).toBe(200)
    const meta = await call<PartMetadata>(sb, 'GET', `/v1/parts/${part.id}/metadata`)
    expectConforms('GET', '/v1/parts/{partId}/metadata', 200, meta.json)
    expect(meta.json.metadata3mf?.plates).toHaveLength(2)
  })

  it('one job per plate × quantity, honouring plateQuantities; unknown plates are 400', async () => {
    sb = await sandbox()
    const part = await makePart(sb, 'plates', project(), '3mf')
    sb.tick()
    const all = await build(sb, part.id, { quantity: 2 })
    expect(plateIds(jobsOf(all.id))).toEqual([1, 2, 1, 2])
    expect(jobsOf(all.id).map((j) => [j.quantityIndex, j.quantityTotal])).toEqual([
      [1, 4],
      [2, 4],
      [3, 4],
      [4, 4]
    ])
    expect(all.extensions).toEqual({ '3mf': { plateQuantities: { '1': 1, '2': 1 } } })
    expect(jobsOf(all.id)[1]).toMatchObject({
      extensions: { '3mf': { plateId: 2, gcodeFile: 'Metadata/plate_2.gcode' } },
      thumbnailUri: expect.stringMatching(/plate_2\.png$/)
    })
    const some = await build(sb, part.id, { quantity: 2, plateQuantities: { '2': 3 } })
    expect(plateIds(jobsOf(some.id))).toEqual([2, 2, 2, 2, 2, 2])
    const bad = await call(sb, 'POST', '/v2/builds', {
      parts: [{ partId: part.id, plateQuantities: { '9': 1 } }]
    })
    expect(bad.status).toBe(400)
    expect(sb.state.partBuilds.size).toBe(2)

    const preview = await call<BuildPreviewV2>(sb, 'POST', '/v2/builds/preview', {
      parts: [{ partId: part.id, plateQuantities: { '1': 2, '2': 1 } }]
    })
    expectConforms('POST', '/v2/builds/preview', 201, preview.json)
    expect(preview.json.partBuilds[0]).toMatchObject({ plateQuantities: { '1': 2, '2': 1 } })
    expect(preview.json.partBuilds[0]!.jobs.map((j) => [j.plateId, j.plateName])).toEqual([
      [1, 'Cubes'],
      [1, 'Cubes'],
      [2, 'Two-tone']
    ])
  })

  it("a plate's filaments are its material requirement; plates print and complete", async () => {
    sb = await sandbox()
    const part = await makePart(sb, 'plates', project(), '3mf')
    const pb = await build(sb, part.id, { tags: { 'user.tags': '&=RackA' } })
    const [one, two] = jobsOf(pb.id) as [PrintJob, PrintJob]
    sb.tick()
    // The two-tone plate needs two PLA slots: both RackA printers have them.
    expect(one.assignedPrinterId).toBe(PRINTER.a1mini)
    expect(two.assignedPrinterId).toBe(PRINTER.a1)
    expect(two.materialMapping).toHaveLength(2)
    ticks(4)
    expect([one.status, two.status]).toEqual(['completed', 'completed'])
    const log = await (await signedGet(one.logsUri!)).text()
    expect(log).toMatch(/plate 1/)
    expect(log).toMatch(/store default/)
  })
})

describe('gcode3mf parts', () => {
  it("plates sliced for a P1S go to P1S printers only (with the plate's filament loaded) and skip slicing", async () => {
    sb = await sandbox()
    const part = await makePart(sb, 'sliced', sliced(), 'gcode3mf')
    const pb = await build(sb, part.id)
    const [one, two] = jobsOf(pb.id) as [PrintJob, PrintJob]
    sb.tick()
    expect(one.assignedPrinterId).toBe(PRINTER.p1s1) // not the A1 mini, first in the fleet
    expect(two.status).toBe('pending') // the other P1S has a dirty bed
    const t = await troubleshoot(sb, two.id)
    const a1mini = t.printers.find((p) => p.printerId === PRINTER.a1mini)!
    expect(a1mini).toMatchObject({ compatible: false, firstFailedCheck: 'profiles-configured' })
    expect(a1mini.checks.find((c) => c.code === 'profiles-configured')?.explanation).toMatch(
      /sliced for a Bambu Lab P1S/
    )
    expect(t.printers.find((p) => p.printerId === PRINTER.p1s2)?.firstFailedCheck).toBe('ready')
    sb.tick()
    expect(one).toMatchObject({
      status: 'sending-to-printer', // no slicing step for G-code
      isGcodeCached: true,
      slicedGcodeUri: part.fileUris[0]
    })
    // P1S #2 has its bed cleared, but one spool (PETG): the two-tone plate needs two PLA slots.
    await call(sb, 'PATCH', '/v1/printers/confirm-ready', { ready: true, ids: [PRINTER.p1s2] })
    ticks(4)
    expect(one.status).toBe('completed')
    expect(two.status).toBe('pending')
    const again = await troubleshoot(sb, two.id)
    const p1s2 = again.printers.find((p) => p.printerId === PRINTER.p1s2)!
    expect(p1s2.firstFailedCheck).toBe('slots-loaded')
    expect(p1s2.checks.find((c) => c.code === 'material-match')?.passed).toBe(false)
    await call(sb, 'PATCH', '/v1/printers/confirm-ready', { ready: true, ids: [PRINTER.p1s1] })
    ticks(4)
    expect(two).toMatchObject({ assignedPrinterId: PRINTER.p1s1, status: 'completed' })
  })

  it('a printer of the same model with another nozzle never gets the plate', async () => {
    sb = await sandbox()
    sb.updatePrinter(PRINTER.p1s1, { nozzleDiameter: '0.6' })
    const part = await makePart(sb, 'sliced', sliced(), 'gcode3mf')
    const pb = await build(sb, part.id, { plateQuantities: { '1': 1 } })
    const job = jobsOf(pb.id)[0]!
    ticks(3)
    expect(job.status).toBe('pending')
    const t = await troubleshoot(sb, job.id)
    const p1s1 = t.printers.find((p) => p.printerId === PRINTER.p1s1)!
    expect(p1s1.checks.find((c) => c.code === 'profiles-configured')?.explanation).toMatch(
      /0\.4 mm nozzle; this printer has a 0\.6 mm nozzle/
    )
  })

  it('split-plates stores one gcode.3mf per plate in gcodePlateUris; later jobs print them', async () => {
    sb = await sandbox()
    const part = await makePart(sb, 'sliced', sliced(), 'gcode3mf')
    const r = await call<Part>(sb, 'POST', `/v1/parts/${part.id}/split-plates`)
    expect(r.status).toBe(201)
    expectConforms('POST', '/v1/parts/{id}/split-plates', 201, r.json)
    const uris = r.json.gcodePlateUris!
    expect(Object.keys(uris)).toEqual(['1', '2'])
    const bytes = new Uint8Array(await (await signedGet(uris['2']!)).arrayBuffer())
    const plate2 = inspect3mf(bytes)
    expect(plate2.ok && plate2.value.kind).toBe('gcode3mf')
    expect(
      plate2.ok && plate2.value.plates.filter((p) => p.sliced).map((p) => p.sliced!.gcodePath)
    ).toEqual(['Metadata/plate_2.gcode'])
    const pb = await call<{ partBuilds: PartBuild[] }>(sb, 'POST', '/v2/builds', {
      parts: [{ partId: part.id, plateQuantities: { '2': 1 } }]
    })
    const job = jobsOf(pb.json.partBuilds[0]!.id)[0]!
    ticks(2)
    expect(job.slicedGcodeUri).toBe(uris['2'])

    const stl = await makePart(sb)
    expect((await call(sb, 'POST', `/v1/parts/${stl.id}/split-plates`)).status).toBe(400)
    expect((await call(sb, 'POST', `/v1/parts/${'z'.repeat(24)}/split-plates`)).status).toBe(404)
    expect(
      (
        await call(sb, 'POST', `/v1/parts/${part.id}/split-plates`, undefined, {
          key: sb.limitedApiKey
        })
      ).status
    ).toBe(201)
  })
})
