// Every success response of every implemented endpoint must validate against the OpenAPI subset.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type {
  Material,
  MaterialVariant,
  Part,
  PartBuild,
  PartBuildWithRelation,
  Printer,
  PrinterSlot,
  PrintJob
} from '../shared/printago/api-types'
import { createPrintagoClient } from '../core/printago/client'
import { PENDING_QUEUE_QUERY } from '../core/history/sync-queue'
import { demoFleet } from './index'
import { openapi, schemaFields, schemaValidator } from './spec'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { boxStl } from '../test-support/stl'
import {
  build,
  call,
  expectConforms,
  makePart,
  PRINTER,
  sandbox,
  sha256,
  upload
} from './testing/test-utils'
import type { RunningSandbox } from './types'

let sb: RunningSandbox

beforeAll(async () => {
  sb = await sandbox()
})
afterAll(() => sb.close())

/** Validates every list endpoint, bare and with meta, at the current moment of the lifecycle. */
async function checkAllLists(): Promise<void> {
  const items: Record<string, string> = {
    '/v1/parts': 'Part',
    '/v1/part-builds': 'PartBuildWithRelation',
    '/v1/printers': 'Printer',
    '/v1/print-jobs': 'PrintJob',
    '/v1/materials': 'Material',
    '/v1/material-variants': 'MaterialVariant',
    '/v1/printer-slots': 'PrinterSlot'
  }
  for (const [path, schema] of Object.entries(items)) {
    const bare = await call<unknown[]>(sb, 'GET', `${path}?limit=1000`)
    expect(bare.status).toBe(200)
    expect(Array.isArray(bare.json)).toBe(true)
    // Item by item first: a failing oneOf alone would not say which field is wrong.
    const v = schemaValidator(schema)
    for (const item of bare.json)
      expect(v(item), `${schema}: ${JSON.stringify(v.errors?.[0])}`).toBe(true)
    expectConforms('GET', path, 200, bare.json)
    const meta = await call(sb, 'GET', `${path}?meta=true`)
    expect(meta.status).toBe(200)
    expectConforms('GET', path, 200, meta.json)
  }
}

describe('conformance with openapi.subset.json', () => {
  it('the demo fleet validates against Printer and is varied', () => {
    const v = schemaValidator('Printer')
    const fleet = demoFleet()
    for (const p of fleet) expect(v(p), `${p.name}: ${JSON.stringify(v.errors)}`).toBe(true)
    expect(fleet.length).toBeGreaterThanOrEqual(7)
    const products = fleet.map(
      (p) => (p.metadata as { dev_product_name?: string } | null)?.dev_product_name
    )
    expect(products).toEqual(expect.arrayContaining(['A1 mini', 'A1', 'P1S', 'X1 Carbon', 'H2D']))
    expect(fleet.map((p) => p.provider)).toEqual(
      expect.arrayContaining(['Bambu', 'Prusa', 'Klipper'])
    )
    expect(fleet.flatMap((p) => p.tags ?? [])).toEqual(
      expect.arrayContaining(['PLA', 'PETG', 'RackA', 'RackB', 'Big'])
    )
    expect(fleet.some((p) => !p.isOnline)).toBe(true)
    expect(fleet.some((p) => !p.enabled)).toBe(true)
    expect(fleet.some((p) => p.isOnline && p.isAvailable && !p.confirmedReady)).toBe(true)
    expect(fleet.some((p) => p.isOnline && !p.isAvailable)).toBe(true)
    expect(fleet.every((p) => /^[a-z0-9]{24}$/.test(p.id))).toBe(true)
  })

  it('GET /v1/stores', async () => {
    const r = await call(sb, 'GET', '/v1/stores')
    expect(r.status).toBe(200)
    expectConforms('GET', '/v1/stores', 200, r.json)
    expect(r.json).toEqual([expect.objectContaining({ id: sb.storeId })])
  })

  it('POST /v1/storage/signed-upload-urls → PUT → POST /v1/parts → GET parts', async () => {
    const r = await call<{ signedUrls: { uploadUrl: string; path: string }[] }>(
      sb,
      'POST',
      '/v1/storage/signed-upload-urls',
      { filenames: ['a b.stl', 'ünï/cødé.stl'] }
    )
    expect(r.status).toBe(201)
    expectConforms('POST', '/v1/storage/signed-upload-urls', 201, r.json)
    expect(r.json.signedUrls).toHaveLength(2)
    const [first, second] = r.json.signedUrls
    expect(first?.path).toMatch(new RegExp(`^${sb.storeId}/uploads/[a-z0-9]+/a%20b\\.stl$`))
    expect(second?.path.endsWith('/' + encodeURIComponent('ünï/cødé.stl'))).toBe(true)
    expect(first?.uploadUrl.startsWith(sb.url + '/_storage/')).toBe(true)

    const bytes = 'solid cube\nendsolid cube\n'
    const put = await fetch(second!.uploadUrl, { method: 'PUT', body: bytes })
    expect(put.status).toBe(200)

    const created = await call<Part>(sb, 'POST', '/v1/parts', {
      name: 'cube',
      description: '',
      type: 'stl',
      fileUris: [second!.path],
      parameters: [],
      printTags: {},
      overriddenProcessProfileId: null,
      fileHashes: ['ignored-by-the-server'],
      storeId: 'tolerated extra'
    })
    expect(created.status).toBe(201)
    expectConforms('POST', '/v1/parts', 201, created.json)
    const part = created.json
    expect(part.fileHashes).toEqual([sha256(bytes)])
    expect(part.fileUris).toEqual([
      `${sb.storeId}/parts/${part.id}/${encodeURIComponent('ünï/cødé.stl')}`
    ])
    expect(part.thumbnailUri).toBeNull()
    expect(part.materials).toBeNull()
    expect(part.folderId).toBeNull()

    const one = await call(sb, 'GET', `/v1/parts/${part.id}`)
    expect(one.status).toBe(200)
    expectConforms('GET', '/v1/parts/{id}', 200, one.json)
    expect(one.json).toEqual(part)
  })

  it('POST /v2/builds and legacy POST /v1/builds, GET part-builds', async () => {
    const part = await makePart(sb, 'gear')
    const v2 = await call<{ partBuilds: PartBuild[]; skuBuilds: unknown[] }>(
      sb,
      'POST',
      '/v2/builds',
      {
        parts: [
          {
            partId: part.id,
            quantity: 3,
            label: 'Order 42',
            tags: { 'user.tags': '&=PLA|RackA' },
            parameters: { width: 20, fast: true },
            priority: 1000,
            position: 'front',
            materials: { '0': [{ materialType: 'PLA' }] }
          },
          { partId: part.id }
        ]
      }
    )
    expect(v2.status).toBe(201)
    expectConforms('POST', '/v2/builds', 201, v2.json)
    expect(v2.json.skuBuilds).toEqual([])
    const [pb, pbDefault] = v2.json.partBuilds
    expect(pb?.quantity).toBe(3)
    expect(pb?.requiredPrinterTags).toEqual({ 'user.tags': '&=PLA|RackA' })
    expect(pb?.priority).toBe(1000)
    expect(pb?.position).toBe('front')
    expect(pbDefault?.quantity).toBe(1)
    expect(pbDefault?.label).toBe('gear')

    const v1 = await call(sb, 'POST', '/v1/builds', {
      parts: [
        {
          partId: part.id,
          quantity: 2,
          label: 'Legacy',
          tags: { 'printer.id': `=${PRINTER.h2d}` },
          parameterOverrides: []
        }
      ]
    })
    expect(v1.status).toBe(201)
    expectConforms('POST', '/v1/builds', 201, v1.json)

    const one = await call<PartBuildWithRelation>(sb, 'GET', `/v1/part-builds/${pb!.id}`)
    expect(one.status).toBe(200)
    expectConforms('GET', '/v1/part-builds/{id}', 200, one.json)
    expect(
      one.json.printJobs.map((j) => [j.quantityIndex, j.quantityTotal, j.label, j.partName])
    ).toEqual([
      [1, 3, 'Order 42', 'gear'],
      [2, 3, 'Order 42', 'gear'],
      [3, 3, 'Order 42', 'gear']
    ])
    expect(one.json.steps.length).toBeGreaterThan(0)
  })

  it('GET printers, print-jobs, matching-troubleshoot; PATCH cancel/retry', async () => {
    const printers = await call<Printer[]>(sb, 'GET', '/v1/printers')
    const p = await call(sb, 'GET', `/v1/printers/${printers.json[0]!.id}`)
    expect(p.status).toBe(200)
    expectConforms('GET', '/v1/printers/{id}', 200, p.json)

    const jobs = await call<PrintJob[]>(sb, 'GET', '/v1/print-jobs')
    const job = jobs.json[0]!
    const j = await call(sb, 'GET', `/v1/print-jobs/${job.id}`)
    expect(j.status).toBe(200)
    expectConforms('GET', '/v1/print-jobs/{id}', 200, j.json)

    const t = await call(sb, 'GET', `/v1/print-jobs/${job.id}/matching-troubleshoot`)
    expect(t.status).toBe(200)
    expectConforms('GET', '/v1/print-jobs/{id}/matching-troubleshoot', 200, t.json)

    const cancel = await call(sb, 'PATCH', '/v1/print-jobs/cancel', { printJobIds: [job.id] })
    expect(cancel.status).toBe(200)
    expectConforms('PATCH', '/v1/print-jobs/cancel', 200, cancel.json)
    expect(cancel.json).toEqual([job.id])
    const retry = await call(sb, 'PATCH', '/v1/print-jobs/retry', { printJobIds: [job.id] })
    expect(retry.status).toBe(200)
    expectConforms('PATCH', '/v1/print-jobs/retry', 200, retry.json)
    expect(retry.json).toEqual([job.id])
  })

  it('every list conforms throughout the job lifecycle (all states incl. failed/cancelled)', async () => {
    const part = await makePart(sb, 'lifecycle')
    await call(sb, 'POST', '/v2/builds', {
      parts: [
        { partId: part.id, quantity: 2, tags: { 'printer.id': `=${PRINTER.a1mini}` } },
        {
          partId: part.id,
          quantity: 1,
          label: 'boom [fail]',
          tags: { 'printer.id': `=${PRINTER.a1}` }
        }
      ]
    })
    await checkAllLists()
    for (let i = 0; i < 6; i++) {
      sb.tick()
      await checkAllLists()
    }
    const jobs = await call<PrintJob[]>(sb, 'GET', '/v1/print-jobs?limit=1000')
    const statuses = new Set(jobs.json.map((j) => j.status))
    for (const s of ['completed', 'failed', 'pending']) expect(statuses).toContain(s)
    const upl = await upload(sb, 'later.stl', 'x')
    expect(upl).toContain('/uploads/')
  })
})

describe('conformance: the operator loop, part metadata, storage, materials', () => {
  /** Calls and validates a success answer against the spec; returns the body. */
  async function ok<T = unknown>(
    method: string,
    path: string,
    specPath: string,
    body?: unknown,
    status = method === 'POST' ? 201 : 200
  ): Promise<T> {
    const r = await call<T>(sb, method, path, body)
    expect(r.status, `${method} ${path}: ${r.text}`).toBe(status)
    expectConforms(method, specPath, status, r.json)
    return r.json
  }

  it('printers: confirm-ready, continuous print, maintenance mode, search, delete', async () => {
    await ok('PATCH', '/v1/printers/confirm-ready', '/v1/printers/confirm-ready', {
      ready: true,
      ids: [PRINTER.p1s2]
    })
    await ok('PATCH', '/v1/printers/continous-print', '/v1/printers/continous-print', {
      enabled: true,
      jobLimit: 5,
      ids: [PRINTER.h2d]
    })
    await ok('PATCH', '/v1/maintenance/mode', '/v1/maintenance/mode', {
      printerIds: [PRINTER.mk4],
      enabled: true
    })
    await ok('PATCH', '/v1/maintenance/mode', '/v1/maintenance/mode', {
      printerIds: [PRINTER.mk4],
      enabled: false
    })
    for (const body of [
      {},
      { filter: { isOnline: { eq: true } }, sort: 'name:asc', hints: true }
    ]) {
      await ok('POST', '/v1/printers/search', '/v1/printers/search', body)
    }
    const v = schemaValidator('Printer')
    for (const p of (await call<Printer[]>(sb, 'GET', '/v1/printers')).json) expect(v(p)).toBe(true)
  })

  it('print jobs: search, pause/resume/clear/move-to-front, PATCH, reorder (no schema: empty)', async () => {
    const part = await makePart(sb, 'ops')
    const pb = await build(sb, part.id, { quantity: 3, tags: { 'printer.id': `=${PRINTER.x1c}` } })
    const running = await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.a1mini}` } })
    await call(sb, 'PATCH', '/v1/printers/confirm-ready', { ready: true, ids: [PRINTER.a1mini] })
    for (let i = 0; i < 4; i++) sb.tick()
    const jobs = (await call<PrintJob[]>(sb, 'GET', `/v1/print-jobs?partBuildId=${pb.id}`)).json
    const run = (await call<PrintJob[]>(sb, 'GET', `/v1/print-jobs?partBuildId=${running.id}`))
      .json[0]!
    const ids = { printJobIds: jobs.map((j) => j.id) }
    await ok('POST', '/v1/print-jobs/search', '/v1/print-jobs/search', {
      filter: { or: [{ status: { in: ['pending', 'printing'] } }, { hidden: { eq: true } }] },
      limit: 10,
      offset: 0,
      meta: true
    })
    await ok(
      'PATCH',
      '/v1/print-jobs/move-to-queue-front',
      '/v1/print-jobs/move-to-queue-front',
      ids
    )
    await ok('PATCH', '/v1/print-jobs/pause', '/v1/print-jobs/pause', { printJobIds: [run.id] })
    await ok('PATCH', '/v1/print-jobs/resume', '/v1/print-jobs/resume', { printJobIds: [run.id] })
    sb.tick()
    await ok('PATCH', '/v1/print-jobs/clear', '/v1/print-jobs/clear', { printJobIds: [run.id] })
    await ok('PATCH', `/v1/print-jobs/${jobs[0]!.id}`, '/v1/print-jobs/{id}', {
      label: 'renamed',
      priority: 1000
    })
    const reorder = await call(sb, 'PATCH', `/v1/print-jobs/${jobs[1]!.id}/reorder`, {
      newQueueOrder: 0
    })
    expect(reorder.status).toBe(200)
    expect(reorder.text).toBe('')
    await ok('POST', '/v1/parts/search', '/v1/parts/search', { filter: { type: { eq: 'stl' } } })
    await ok('POST', '/v1/part-builds/search', '/v1/part-builds/search', {
      filter: { quantity: { gte: 1 } },
      fields: 'id,label,status'
    })
  })

  it('parts: metadata (null, then extracted), estimate, signed download URLs, delete', async () => {
    const part = await makePart(sb, 'meta', boxStl(12, 8, 4))
    expect(
      await ok('GET', `/v1/parts/${part.id}/metadata`, '/v1/parts/{partId}/metadata')
    ).toBeNull()
    await ok('POST', `/v1/parts/${part.id}/estimate`, '/v1/parts/{partId}/estimate')
    sb.tick()
    const meta = await ok('GET', `/v1/parts/${part.id}/metadata`, '/v1/parts/{partId}/metadata')
    expect(meta).not.toBeNull()
    const analysed = await ok<Part>('GET', `/v1/parts/${part.id}`, '/v1/parts/{id}')
    expect(analysed.slicingEstimate).not.toBeNull()
    const urls = await ok<{ signedUrls: string[] }>(
      'POST',
      '/v1/storage/signed-urls',
      '/v1/storage/signed-urls',
      { paths: [analysed.thumbnailUri!, analysed.fileUris[0]!], duration: 600 }
    )
    expect(urls.signedUrls).toHaveLength(2)
    const other = await makePart(sb, 'to-delete')
    expect(await ok('DELETE', `/v1/parts/${other.id}`, '/v1/parts/{id}')).toEqual([other.id])
  })

  it('materials, variants and printer slots (every alias)', async () => {
    const materials = await ok<Material[]>('GET', '/v1/materials', '/v1/materials')
    expect(materials.map((m) => m.type)).toEqual(expect.arrayContaining(['PLA', 'PETG']))
    const m = materials[0]!
    await ok('GET', `/v1/materials/${m.id}`, '/v1/materials/{id}')
    const variants = await ok<MaterialVariant[]>(
      'GET',
      '/v1/materials/variants',
      '/v1/materials/variants'
    )
    await ok('GET', `/v1/materials/variants/${variants[0]!.id}`, '/v1/materials/variants/{id}')
    const ofM = await ok<MaterialVariant[]>(
      'GET',
      `/v1/materials/${m.id}/variants`,
      '/v1/materials/{materialId}/variants'
    )
    expect(ofM.every((x) => x.materialId === m.id)).toBe(true)
    await ok('GET', '/v1/material-variants?meta=true', '/v1/material-variants')
    const slots = await ok<PrinterSlot[]>('GET', '/v1/printer-slots', '/v1/printer-slots')
    expect(await ok('GET', '/v1/materials/printer-slots', '/v1/materials/printer-slots')).toEqual(
      slots
    )
    await ok('GET', `/v1/printer-slots?printerId=${PRINTER.h2d}&meta=true`, '/v1/printer-slots')
    expect((await call(sb, 'GET', `/v1/materials/${'z'.repeat(24)}`)).status).toBe(404)
  })

  it('deleting printers (one and bulk)', async () => {
    await ok('DELETE', `/v1/printers/${PRINTER.voron}`, '/v1/printers/{id}')
    expect(await ok('DELETE', '/v1/printers', '/v1/printers', { ids: [PRINTER.mk4] })).toEqual([
      PRINTER.mk4
    ])
  })

  it('3MF: parts with plate metadata, preview by plate, split-plates', async () => {
    const fixture = (name: string): Uint8Array =>
      readFileSync(join(__dirname, '../shared/3mf/fixtures', name))
    const project = await makePart(sb, 'project', fixture('bambu-two-plates.3mf'), '3mf')
    const gcode = await makePart(sb, 'gcode', fixture('bambu-two-plates.gcode.3mf'), 'gcode3mf')
    sb.tick()
    for (const p of [project, gcode]) {
      await ok('GET', `/v1/parts/${p.id}`, '/v1/parts/{id}')
      await ok('GET', `/v1/parts/${p.id}/metadata`, '/v1/parts/{partId}/metadata')
    }
    await ok('POST', '/v2/builds/preview', '/v2/builds/preview', {
      parts: [
        { partId: project.id, quantity: 2 },
        { partId: gcode.id, plateQuantities: { '2': 2 } },
        { partId: project.id, quantity: 0 }
      ]
    })
    await ok('POST', '/v2/builds', '/v2/builds', { parts: [{ partId: project.id }] })
    await ok('POST', `/v1/parts/${gcode.id}/split-plates`, '/v1/parts/{id}/split-plates')
    await checkAllLists()
  })
})

describe('conformance: the calls of the operator loop, made by the app client', () => {
  // The app's own client makes each call as the app does; every answer is checked against the
  // spec. Projected reads (`fields=`) cannot carry the required fields they leave out: those
  // answers are checked to name only fields the schema has.
  const cleanups: Array<() => Promise<void>> = []
  afterAll(async () => {
    for (const c of cleanups) await c()
  })
  const templates = Object.keys(openapi.paths).map((t) => ({
    t,
    re: new RegExp(`^${t.replace(/\{[^}]+\}/g, '[^/]+')}$`)
  }))
  const templateOf = (path: string): string =>
    templates
      .filter((x) => x.re.test(path))
      // A literal segment beats a parameter (/v1/print-jobs/pause before /v1/print-jobs/{id}).
      .sort((a, b) => (a.t.match(/\{/g)?.length ?? 0) - (b.t.match(/\{/g)?.length ?? 0))[0]!.t

  it('every answer the operator features read conforms', async () => {
    // A farm of its own: the other tests' jobs would take the printers first.
    const sb = await sandbox()
    cleanups.push(() => sb.close())
    const seen: Array<{ method: string; url: URL; status: number; body: unknown }> = []
    const client = createPrintagoClient({
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      storeId: sb.storeId,
      limiter: null,
      fetch: async (input, init) => {
        const res = await fetch(input, init)
        const text = await res.clone().text()
        seen.push({
          method: init?.method ?? 'GET',
          url: new URL(String(input)),
          status: res.status,
          body: text ? JSON.parse(text) : undefined
        })
        return res
      }
    })
    const part = await makePart(sb, 'operator', boxStl(10, 10, 10))
    const pb = await build(sb, part.id, { quantity: 2, tags: { 'printer.id': `=${PRINTER.x1c}` } })
    const run = await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.a1mini}` } })
    const jobs = [...sb.state.printJobs.values()]
    const queued = jobs.filter((j) => j.partBuildId === pb.id).map((j) => j.id)
    const running = jobs.find((j) => j.partBuildId === run.id)!.id

    await client.listStores()
    await client.listPrinters({ limit: 1 })
    await client.confirmReady([PRINTER.p1s2, PRINTER.a1mini])
    const { fields: _projection, ...queueQuery } = PENDING_QUEUE_QUERY
    await client.listPrintJobs(queueQuery)
    await client.listPrintJobs(PENDING_QUEUE_QUERY)
    await client.listPrintJobs({ 'partBuildId.in': `${pb.id},${run.id}`, limit: 1000 })
    await client.moveToQueueFront(queued.slice(1))
    for (let i = 0; i < 8; i++) sb.tick()
    expect(sb.state.printJobs.get(running)!.status).toBe('completed')
    await client.clearPrintJobs([running])
    await client.getPrintJob(running)
    await client.requestPartEstimate(part.id)
    sb.tick()
    await client.listParts({ 'id.in': part.id, limit: 40 })
    const [analysed] = await client.listParts({
      'id.in': part.id,
      fields: 'id,slicingEstimate,thumbnailUri',
      limit: 40
    })
    const job = await client.getPrintJob(running)
    await client.signedDownloadUrls([analysed!.thumbnailUri!, job!.logsUri!], 300)
    // Pause and resume need a printing job.
    const third = await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })
    const printing = [...sb.state.printJobs.values()].find((j) => j.partBuildId === third.id)!
    while (sb.state.printJobs.get(printing.id)!.status !== 'printing') sb.tick()
    expect(await client.pausePrintJobs([printing.id])).toEqual([printing.id])
    expect(await client.resumePrintJobs([printing.id])).toEqual([printing.id])

    const checked = new Set<string>()
    for (const x of seen) {
      expect(x.status, `${x.method} ${x.url.pathname}`).toBeLessThan(300)
      const template = templateOf(x.url.pathname)
      checked.add(`${x.method} ${template}`)
      const fields = x.url.searchParams.get('fields')
      if (!fields) {
        expectConforms(x.method, template, x.status, x.body)
        continue
      }
      const allowed = new Set([...schemaFields('Part'), ...schemaFields('PrintJob')])
      for (const item of x.body as Array<Record<string, unknown>>)
        for (const k of Object.keys(item)) expect(allowed.has(k), k).toBe(true)
    }
    expect([...checked].sort()).toEqual([
      'GET /v1/parts',
      'GET /v1/print-jobs',
      'GET /v1/print-jobs/{id}',
      'GET /v1/printers',
      'GET /v1/stores',
      'PATCH /v1/print-jobs/clear',
      'PATCH /v1/print-jobs/move-to-queue-front',
      'PATCH /v1/print-jobs/pause',
      'PATCH /v1/print-jobs/resume',
      'PATCH /v1/printers/confirm-ready',
      'POST /v1/parts/{partId}/estimate',
      'POST /v1/storage/signed-urls'
    ])
  })
})
