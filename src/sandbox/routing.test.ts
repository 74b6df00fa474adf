// The right thing to the right printer: build-volume fit at slicing, materials loaded in the
// printers' slots (build `materials` and the `filament.type` tag), and the build preview.
import { afterEach, describe, expect, it } from 'vitest'
import type { BuildPreviewV2, PrinterSlot } from '../shared/printago/api-types'
import { boxStl } from '../test-support/stl'
import { MATERIAL, VARIANT } from './materials'
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
import type { SandboxOptions } from './types'

let sb: TestSandbox
afterEach(() => sb?.close())

async function start(opts: SandboxOptions = {}): Promise<TestSandbox> {
  sb = await sandbox(opts)
  return sb
}
const { onlyJob, ticks } = stateReaders(() => sb)
async function checks(jobId: string): Promise<Record<string, Record<string, boolean>>> {
  return Object.fromEntries(
    (await troubleshoot(sb, jobId)).printers.map((p) => [
      p.printerId,
      Object.fromEntries(p.checks.map((c) => [c.code, c.passed]))
    ])
  )
}

describe('build-volume fit', () => {
  it('a part too big for the assigned printer fails at slicing with a clear message and a log', async () => {
    await start()
    const part = await makePart(sb, 'big', boxStl(200, 150, 40))
    const job = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.a1mini}` } })).id
    )
    ticks(3)
    expect(job).toMatchObject({
      status: 'failed',
      logsUri: expect.stringContaining(`/print-jobs/${job.id}/slicer.log`)
    })
    expect(job.errorMessage).toBe(
      'Slicing failed: the model (200.0 × 150.0 × 40.0 mm) does not fit the build volume of A1 mini #1 (180.0 × 180.0 × 180.0 mm)'
    )
    const fits = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.a1}` } })).id
    )
    ticks(5)
    expect(fits.status).toBe('completed')
  })

  it('a model may turn a quarter on the bed; height never turns', async () => {
    await start()
    // H2D: 325 × 320 × 325 mm.
    const turned = await makePart(sb, 'turned', boxStl(319, 324, 10))
    const tall = await makePart(sb, 'tall', boxStl(100, 100, 330))
    const a = onlyJob(
      (await build(sb, turned.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })).id
    )
    ticks(3)
    expect(a.status).toBe('sending-to-printer')
    ticks(2)
    await call(sb, 'PATCH', '/v1/printers/confirm-ready', { ready: true, ids: [PRINTER.h2d] })
    const b = onlyJob((await build(sb, tall.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })).id)
    ticks(3)
    expect(b).toMatchObject({
      status: 'failed',
      errorMessage: expect.stringMatching(/does not fit/)
    })
  })
})

describe('printer.modelName allow-list', () => {
  it('"=A|B" on a single-valued key is one of A, B (the app keeps a big model off small beds)', async () => {
    await start()
    const part = await makePart(sb, 'tray', boxStl(200, 200, 20))
    const job = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.modelName': '=A1|P1S|H2D' } })).id
    )
    ticks(3)
    // The A1 mini is first in the fleet and never printed: without the tag it would get the job.
    expect(job.assignedPrinterId).toBe(PRINTER.a1)
    const c = await checks(
      onlyJob((await build(sb, part.id, { tags: { 'printer.modelName': '=p1s' } })).id).id
    )
    expect(c[PRINTER.p1s1]!['tags-match']).toBe(true)
    expect(c[PRINTER.a1mini]!['tags-match']).toBe(false)
    expect(c[PRINTER.h2d]!['tags-match']).toBe(false)
  })
})

describe('materials', () => {
  it('filament.type matches loaded material, not printer tags; troubleshoot says why', async () => {
    await start()
    const part = await makePart(sb)
    const petg = onlyJob((await build(sb, part.id, { tags: { 'filament.type': '=PETG' } })).id)
    sb.tick()
    // A1 mini (least recently used, first in the fleet) has only PLA loaded.
    expect(petg.assignedPrinterId).toBe(PRINTER.a1)
    expect(petg.materialMapping).toEqual([
      expect.objectContaining({ amsIndex: 0, materialType: 'PLA' })
    ])
    const abs = onlyJob((await build(sb, part.id, { tags: { 'filament.type': '=ABS' } })).id)
    ticks(3)
    expect(abs.status).toBe('pending')
    const c = await checks(abs.id)
    expect(c[PRINTER.h2d]).toMatchObject({
      'slots-loaded': true,
      'material-match': false,
      'tags-match': true
    })
    const h2d = (await troubleshoot(sb, abs.id)).printers.find((p) => p.printerId === PRINTER.h2d)!
    expect(h2d.firstFailedCheck).toBe('material-match')
    expect(h2d.checks.find((x) => x.code === 'material-match')?.explanation).toMatch(
      /filament.type =ABS; printer has PLA, PETG loaded/
    )
  })

  it('build materials per channel need distinct loaded slots; the mapping names them', async () => {
    await start()
    const part = await makePart(sb)
    const pb = await build(sb, part.id, {
      materials: { '0': [{ materialType: 'PETG' }], '1': [{ variantId: VARIANT.plaRed }] }
    })
    const job = onlyJob(pb.id)
    sb.tick()
    // Only the H2D has PETG and red PLA at once (A1 mini: no PETG, A1 and P1S: no red).
    expect(job.assignedPrinterId).toBe(PRINTER.h2d)
    expect(job.materialMapping).toEqual([
      expect.objectContaining({
        amsIndex: 1,
        slotIndex: 0,
        materialType: 'PETG',
        materialId: MATERIAL.petgHf
      }),
      expect.objectContaining({
        amsIndex: 0,
        slotIndex: 2,
        variantId: VARIANT.plaRed,
        color: '#C12E1FFF'
      })
    ])
    const twoReds = onlyJob(
      (
        await build(sb, part.id, {
          materials: { '0': [{ variantId: VARIANT.plaRed }], '1': [{ variantId: VARIANT.plaRed }] }
        })
      ).id
    )
    ticks(3)
    expect(twoReds.status).toBe('pending') // one red spool cannot serve two channels
    const c = await checks(twoReds.id)
    expect(c[PRINTER.a1mini]).toMatchObject({ 'slots-loaded': true, 'material-match': false })
  })

  it('unknown material or variant ids and material groups are 404 before anything is created', async () => {
    await start()
    const part = await makePart(sb)
    for (const spec of [
      { materialId: 'z'.repeat(24) },
      { variantId: 'z'.repeat(24) },
      { groupId: 'z'.repeat(24) }
    ]) {
      const r = await call(sb, 'POST', '/v2/builds', {
        parts: [{ partId: part.id, materials: { '0': [spec] } }]
      })
      expect(r.status).toBe(404)
    }
    expect(sb.state.partBuilds.size).toBe(0)
    const ok = await call(sb, 'POST', '/v2/builds', {
      parts: [{ partId: part.id, materials: { '0': [{ materialId: MATERIAL.prusamentPetg }] } }]
    })
    expect(ok.status).toBe(201)
  })

  it('GET /v1/printer-slots: AMS units and external spools of the demo farm', async () => {
    await start()
    const all = (await call<PrinterSlot[]>(sb, 'GET', '/v1/printer-slots?limit=1000')).json
    const of = (id: string): PrinterSlot[] => all.filter((s) => s.printerId === id)
    expect(of(PRINTER.h2d).map((s) => s.amsIndex)).toEqual(expect.arrayContaining([0, 1]))
    expect(of(PRINTER.p1s2)).toEqual([
      expect.objectContaining({ amsIndex: -1, materialType: 'PETG', expectedData: null })
    ])
    expect(of(PRINTER.p1s1).some((s) => s.materialType === null)).toBe(true) // an empty AMS slot
    const filtered = await call<PrinterSlot[]>(
      sb,
      'GET',
      `/v1/printer-slots?printerId=${PRINTER.mk4}`
    )
    expect(filtered.json).toHaveLength(1)
    const custom = await sandbox({
      printers: [sb.state.printers.get(PRINTER.voron)!],
      printerSlots: []
    })
    try {
      const slots = (await call<PrinterSlot[]>(custom, 'GET', '/v1/printer-slots')).json
      expect(slots).toEqual([
        expect.objectContaining({ amsIndex: -1, variantId: VARIANT.plaBlack })
      ])
    } finally {
      await custom.close()
    }
  })
})

describe('POST /v2/builds/preview', () => {
  it('answers the part builds and jobs a build would create, creates nothing, counts against the limit', async () => {
    await start({ ratePerMinute: 4 })
    const part = await makePart(sb, 'gear')
    const before = { builds: sb.state.partBuilds.size, jobs: sb.state.printJobs.size, events: 0 }
    sb.events.on('entity', () => before.events++)
    const r = await call<BuildPreviewV2>(sb, 'POST', '/v2/builds/preview', {
      parts: [
        {
          partId: part.id,
          quantity: 3,
          label: 'Order 9',
          materials: { '0': [{ materialType: 'PLA' }] }
        },
        { partId: part.id }
      ]
    })
    expect(r.status).toBe(201)
    expectConforms('POST', '/v2/builds/preview', 201, r.json)
    expect(r.json.summary).toEqual({ partBuildCount: 2, skuBuildCount: 0, jobCount: 4 })
    expect(r.json.partBuilds[0]).toMatchObject({
      source: 'part',
      partId: part.id,
      partName: 'gear',
      label: 'Order 9',
      quantity: 3,
      materials: { '0': [{ materialType: 'PLA' }] },
      plateQuantities: null
    })
    expect(
      r.json.partBuilds[0]!.jobs.map((j) => [j.quantityIndex, j.quantityTotal, j.label])
    ).toEqual([
      [1, 3, 'Order 9'],
      [2, 3, 'Order 9'],
      [3, 3, 'Order 9']
    ])
    expect(r.json.partBuilds[1]).toMatchObject({ label: 'gear', quantity: 1 })
    expect([sb.state.partBuilds.size, sb.state.printJobs.size, before.events]).toEqual([
      before.builds,
      before.jobs,
      0
    ])
    const missing = await call(sb, 'POST', '/v2/builds/preview', {
      parts: [{ partId: 'z'.repeat(24) }]
    })
    expect(missing.status).toBe(404)
    // makePart used two calls and the previews two more (a 404 for a part counts, as any
    // answer after the limiter): the fifth call in the minute is refused.
    expect(sb.log.filter((e) => e.rateLimited)).toHaveLength(4)
    const refused = await call(sb, 'POST', '/v2/builds/preview', { parts: [{ partId: part.id }] })
    expect(refused.status).toBe(429)
  })
})
