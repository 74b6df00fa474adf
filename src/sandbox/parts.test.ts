// Part metadata extracted after upload (slicing estimate, thumbnail), GET metadata, re-estimation,
// signed download URLs served by the sandbox's storage, and slicer logs on failed jobs.
import { afterEach, describe, expect, it } from 'vitest'
import type { Part, PartMetadata, PrintJob } from '../shared/printago/api-types'
import { boxStl } from '../test-support/stl'
import { printedVolume } from './estimate'
import { build, call, makePart, PRINTER, sandbox } from './testing/test-utils'
import type { TestSandbox } from './testing'
import { createVirtualClock } from './testing/virtual-clock'
import type { SandboxOptions } from './types'

let sb: TestSandbox
afterEach(() => sb?.close())

async function start(opts: SandboxOptions = {}): Promise<TestSandbox> {
  sb = await sandbox(opts)
  return sb
}

async function signed(paths: string[], duration?: number): Promise<string[]> {
  const r = await call<{ signedUrls: string[] }>(sb, 'POST', '/v1/storage/signed-urls', {
    paths,
    ...(duration === undefined ? {} : { duration })
  })
  expect(r.status).toBe(201)
  return r.json.signedUrls
}

describe('part metadata', () => {
  it('fills slicingEstimate and thumbnailUri asynchronously (on the next tick), from the STL volume', async () => {
    await start()
    const part = await makePart(sb, 'box', boxStl(20, 30, 10))
    expect(part).toMatchObject({ slicingEstimate: null, thumbnailUri: null })
    const before = await call(sb, 'GET', `/v1/parts/${part.id}/metadata`)
    expect(before.status).toBe(200)
    expect(before.json).toBeNull()

    sb.tick()
    const after = (await call<Part>(sb, 'GET', `/v1/parts/${part.id}`)).json
    const est = after.slicingEstimate!
    // 6,000 mm³ box, 2,200 mm² surface: 1,760 mm³ of walls + 15 % of the rest.
    const volume = printedVolume({ size: [20, 30, 10], volume: 6000, area: 2200, triangles: 12 })
    expect(volume).toBeCloseTo(1760 + 0.15 * (6000 - 1760), 6)
    expect(est.totalWeightGrams).toBeCloseTo((volume / 1000) * 1.24, 2)
    expect(est.estimatedPrintTimeSeconds).toBe(Math.round(240 + volume / 8 + 50 * 3))
    expect(est.materials).toEqual([
      expect.objectContaining({ index: 0, materialType: 'PLA', usedGrams: est.totalWeightGrams })
    ])
    expect(after.thumbnailUri).toBe(`${sb.storeId}/parts/${part.id}/thumbnails/thumbnail.png`)

    const meta = (await call<PartMetadata>(sb, 'GET', `/v1/parts/${part.id}/metadata`)).json
    expect(meta).toMatchObject({
      partId: part.id,
      metadata3mf: null,
      slicingEstimate: est,
      inputHash: part.fileHashes[0]
    })

    const [url] = await signed([after.thumbnailUri!])
    const png = await fetch(url!)
    expect(png.status).toBe(200)
    expect(png.headers.get('content-type')).toBe('image/png')
    const bytes = new Uint8Array(await png.arrayBuffer())
    expect([...bytes.slice(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  })

  it('POST /v1/parts/{partId}/estimate re-runs extraction; unknown parts are 404; unreadable files get no estimate', async () => {
    await start()
    const part = await makePart(sb) // placeholder bytes, not a mesh
    const r = await call<{ message: string }>(sb, 'POST', `/v1/parts/${part.id}/estimate`)
    expect(r.status).toBe(201)
    expect(r.json.message).toMatch(/.+/)
    sb.tick()
    expect(sb.state.parts.get(part.id)).toMatchObject({ slicingEstimate: null, thumbnailUri: null })
    expect((await call(sb, 'GET', `/v1/parts/${part.id}/metadata`)).json).toMatchObject({
      partId: part.id,
      slicingEstimate: null
    })
    const missing = 'z'.repeat(24)
    expect((await call(sb, 'POST', `/v1/parts/${missing}/estimate`)).status).toBe(404)
    expect((await call(sb, 'GET', `/v1/parts/${missing}/metadata`)).status).toBe(404)
    expect(
      (
        await call(sb, 'POST', `/v1/parts/${part.id}/estimate`, undefined, {
          key: sb.limitedApiKey
        })
      ).status
    ).toBe(201)
  })

  it('runs a few virtual seconds after upload at speed > 0', async () => {
    const clock = createVirtualClock()
    await start({ clock, speed: 1 })
    const part = await makePart(sb, 'box', boxStl(5, 5, 5))
    const live = sb.state.parts.get(part.id)!
    clock.advance(2_000)
    expect(live.slicingEstimate).toBeNull()
    clock.advance(2_000)
    expect(live.slicingEstimate?.totalWeightGrams).toBeGreaterThan(0)
    sb.setSpeed(0)
  })
})

describe('signed download URLs', () => {
  it('serve stored files until they expire (seconds, on the sandbox clock); 404 unknown paths', async () => {
    const clock = createVirtualClock()
    await start({ clock })
    const part = await makePart(sb, 'cube', 'solid cube\nendsolid cube\n')
    const [file, nothing] = await signed([part.fileUris[0]!, `${sb.storeId}/nope.png`], 60)
    const got = await fetch(file!)
    expect(got.status).toBe(200)
    expect(got.headers.get('content-type')).toBe('model/stl')
    expect(await got.text()).toBe('solid cube\nendsolid cube\n')
    const head = await fetch(file!, { method: 'HEAD' })
    expect([head.status, head.headers.get('content-length')]).toEqual([200, '25'])
    expect((await fetch(nothing!)).status).toBe(404)
    // A download signature is no upload signature.
    expect((await fetch(file!, { method: 'PUT', body: 'x' })).status).toBe(403)
    clock.advance(60_001)
    expect((await fetch(file!)).status).toBe(403)
    const bad = await call(sb, 'POST', '/v1/storage/signed-urls', { paths: ['x'], duration: 0 })
    expect(bad.status).toBe(400)
    expect((await call(sb, 'POST', '/v1/storage/signed-urls', { duration: 5 })).status).toBe(400)
  })
})

describe('slicer logs', () => {
  it('a job whose slicing fails gets errorMessage and a logsUri with the slicer log', async () => {
    await start()
    const part = await makePart(sb)
    const pb = await build(sb, part.id, {
      label: 'bad [slice-fail]',
      tags: { 'printer.id': `=${PRINTER.h2d}` }
    })
    for (let i = 0; i < 3; i++) sb.tick()
    const job = (await call<PrintJob[]>(sb, 'GET', `/v1/print-jobs?partBuildId=${pb.id}`)).json[0]!
    expect(job).toMatchObject({
      status: 'failed',
      errorMessage: expect.stringMatching(/^Slicing failed: /),
      logsUri: `${sb.storeId}/print-jobs/${job.id}/slicer.log`,
      printingStartedAt: null
    })
    // Slicing failed before anything printed: the bed is still clean.
    expect(sb.state.printers.get(PRINTER.h2d)).toMatchObject({
      confirmedReady: true,
      isAvailable: true
    })
    const [url] = await signed([job.logsUri!])
    const log = await (await fetch(url!)).text()
    expect(log).toMatch(/H2D/)
    expect(log).toMatch(/slicing failed/)
  })
})
