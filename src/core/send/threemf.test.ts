// 3MF projects and sliced plates through the send service, over real HTTP against the sandbox:
// part types, per-plate quantities (one job per plate × quantity), sliced G-code kept on its
// printer model and nozzle, dedupe, resume matching and Print again.
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { PRINTER } from '../../sandbox/testing/test-utils'
import { calls, one, sendHarness, type SendHarness } from '../../test-support/send'
import { tempHistory } from '../../test-support/history-store'
import { reprintEntry } from '../history/actions'
import { recordJobFiles } from './record-history'
import { createSendService } from './service'

const FIXTURES = join(__dirname, '../../shared/3mf/fixtures')

let h: SendHarness | undefined
const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
  await h?.close()
  h = undefined
})

async function fixture(name: string, as = name): Promise<string> {
  const path = join(h!.dir, as)
  await copyFile(join(FIXTURES, name), path)
  return path
}

const plateIdsOf = (buildId: string): number[] =>
  [...h!.sandbox.state.printJobs.values()]
    .filter((j) => j.partBuildId === buildId)
    .map((j) => j.extensions?.['3mf']?.plateId ?? -1)
    .sort()

describe('sending a 3MF project', () => {
  it('becomes a 3mf part with the project-settings choice and one job per plate × quantity', async () => {
    h = await sendHarness()
    const file = await fixture('bambu-two-plates.3mf')
    const service = await h.service()
    const result = await service.send(
      one(file, { quantity: 2, plateQuantities: { '1': 2, '2': 1 }, use3MFProcessProfile: true })
    )
    expect(result.status).toBe('done')
    const sent = result.files[0]!
    expect(h.sandbox.state.parts.get(sent.partId)).toMatchObject({
      type: '3mf',
      use3MFProcessProfile: true,
      name: 'bambu-two-plates'
    })
    expect(
      h.sandbox.state.partBuilds.get(sent.partBuildId)?.extensions?.['3mf']?.plateQuantities
    ).toEqual({
      '1': 2,
      '2': 1
    })
    // 2 copies × (2 of plate 1 + 1 of plate 2)
    expect(plateIdsOf(sent.partBuildId)).toEqual([1, 1, 1, 1, 2, 2])
  })

  it('without per-plate quantities prints every plate once per copy', async () => {
    h = await sendHarness()
    const file = await fixture('bambu-two-plates.3mf')
    const result = await (await h.service()).send(one(file))
    expect(plateIdsOf(result.files[0]!.partBuildId)).toEqual([1, 2])
    expect(h.sandbox.state.parts.get(result.files[0]!.partId)).toMatchObject({
      type: '3mf',
      use3MFProcessProfile: false
    })
  })

  it('refuses per-plate quantities naming a plate the project lacks, and on an STL, before any upload', async () => {
    h = await sendHarness()
    const file = await fixture('bambu-two-plates.3mf')
    const stl = await h.stl('cube.stl')
    const m = h.mark()
    const result = await (
      await h.service()
    ).send({
      routing: { mode: 'any' },
      items: [
        { path: file, quantity: 1, plateQuantities: { '7': 1 } },
        { path: stl, quantity: 1, plateQuantities: { '1': 1 } }
      ]
    })
    expect(result.status).toBe('failed')
    expect(result.failures.map((f) => f.error.message)).toEqual([
      expect.stringMatching(/per-plate quantities: it has no plate 7 \(its plates: 1, 2\)/),
      expect.stringMatching(/per-plate quantities: it is an STL, which has no plates/)
    ])
    expect(calls(h.since(m))).toEqual([])
  })

  it('a damaged 3MF fails with the engine words and nothing reaches Printago', async () => {
    h = await sendHarness()
    const file = await fixture('error-missing-object.3mf', 'broken.3mf')
    const m = h.mark()
    const result = await (await h.service()).send(one(file))
    expect(result.status).toBe('failed')
    expect(result.failures[0]?.error).toMatchObject({ code: 'file' })
    expect(result.failures[0]?.error.message).toMatch(/broken\.3mf: .*object/i)
    expect(calls(h.since(m))).toEqual([])
  })

  it('dedupes by the file bytes; the project-settings choice is a part of its own', async () => {
    h = await sendHarness()
    const file = await fixture('bambu-two-plates.3mf')
    const service = await h.service()
    const first = await service.send(one(file))
    let m = h.mark()
    const again = await service.send(one(file, { label: 'again' }))
    expect(calls(h.since(m))).toEqual(['POST /v2/builds'])
    expect(again.files[0]).toMatchObject({ reusedPart: true, partId: first.files[0]!.partId })
    m = h.mark()
    const own = await service.send(one(file, { use3MFProcessProfile: true }))
    expect(calls(h.since(m))).toContain('POST /v1/parts')
    expect(own.files[0]!.partId).not.toBe(first.files[0]!.partId)
    expect(h.sandbox.state.parts.get(own.files[0]!.partId)?.use3MFProcessProfile).toBe(true)
  })

  it('the dry run reports jobs per plate and creates no build', async () => {
    h = await sendHarness()
    const file = await fixture('bambu-two-plates.3mf')
    const { previewSend } = await import('./build-preview')
    const { createMemoryDedupeCache } = await import('./dedupe-cache')
    const preview = await previewSend(
      { client: h.client, dedupe: createMemoryDedupeCache(h.clock.now) },
      one(file, { quantity: 1, plateQuantities: { '1': 3, '2': 0 } })
    )
    expect(preview.jobCount).toBe(3)
    expect(preview.files[0]!.plates).toEqual([
      { id: 1, name: 'Cubes', jobs: 3 },
      { id: 2, name: 'Two-tone', jobs: 0 }
    ])
    expect(h.sandbox.state.partBuilds.size).toBe(0)
  })
})

describe('sending a sliced gcode.3mf', () => {
  it('becomes a gcode3mf part routed only to printers of its model and nozzle', async () => {
    h = await sendHarness()
    const file = await fixture('bambu-two-plates.gcode.3mf')
    const result = await (await h.service()).send(one(file, { plateQuantities: { '1': 1 } }))
    const sent = result.files[0]!
    expect(h.sandbox.state.parts.get(sent.partId)?.type).toBe('gcode3mf')
    const build = h.sandbox.state.partBuilds.get(sent.partBuildId)!
    expect(build.requiredPrinterTags).toEqual({
      'printer.modelName': '=Bambu Lab P1S|P1S|C12',
      'printer.nozzleDiameter': '=0.4'
    })
    expect(plateIdsOf(sent.partBuildId)).toEqual([1])
    h.sandbox.tick()
    const job = [...h.sandbox.state.printJobs.values()].find(
      (j) => j.partBuildId === sent.partBuildId
    )!
    expect(job.assignedPrinterId).toBe(PRINTER.p1s1)
  })

  it('its model restriction replaces a fit allow-list of other models', async () => {
    h = await sendHarness()
    const file = await fixture('bambu-two-plates.gcode.3mf')
    const result = await (await h.service()).send(one(file, { printerModels: ['A1 mini', 'A1'] }))
    const build = h.sandbox.state.partBuilds.get(result.files[0]!.partBuildId)!
    expect(build.requiredPrinterTags?.['printer.modelName']).toBe('=Bambu Lab P1S|P1S|C12')
  })
})

describe('exactly once for a 3MF', () => {
  it('a dropped answer to its build is reconciled without a duplicate, plates intact', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'drop-after' })
    const file = await fixture('bambu-two-plates.3mf')
    const result = await (await h.service()).send(one(file, { plateQuantities: { '2': 2 } }))
    expect(result.status).toBe('done')
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    expect(plateIdsOf(result.files[0]!.partBuildId)).toEqual([2, 2])
  })

  it('a send stopped after hashing resumes from the journal with the project facts', async () => {
    h = await sendHarness()
    const file = await fixture('bambu-two-plates.gcode.3mf')
    // The service stops right after the file is hashed (as a crash would).
    let crash = true
    const journal = await h.journal((entries) => {
      if (crash && entries.some((e) => e.type === 'urls')) throw new Error('crash')
    })
    const first = await h.service({ journal })
    const stopped = await first.send(one(file))
    expect(stopped.status).toBe('interrupted')
    // What the journal kept about the file: its hash and the sliced project's facts.
    const item = [...journal.state.jobs.values()][0]!.items[0]!
    expect(item.project).toMatchObject({ kind: 'gcode3mf', slicedFor: { model: 'Bambu Lab P1S' } })
    await journal.close()
    crash = false
    const service = await h.service()
    const [resumed] = await service.resumePending()
    expect(resumed?.status).toBe('done')
    const build = h.sandbox.state.partBuilds.get(resumed!.files[0]!.partBuildId)!
    expect(build.requiredPrinterTags?.['printer.modelName']).toBe('=Bambu Lab P1S|P1S|C12')
    expect(h.sandbox.state.parts.get(resumed!.files[0]!.partId)?.type).toBe('gcode3mf')
  })
})

describe('Print again of a 3MF', () => {
  it('keeps the plates, the per-plate quantities and the history shows the project', async () => {
    h = await sendHarness()
    const history = await tempHistory(h.sandbox.storeId)
    cleanups.push(history.cleanup)
    const service = await createSendService({
      client: h.client,
      journalDir: join(h.dir, 'journal-history'),
      settleMs: 0,
      recordHistory: (job, indices) =>
        recordJobFiles(history.store, h!.sandbox.storeId, job, indices)
    })
    cleanups.push(() => service.close())
    const file = await fixture('bambu-two-plates.gcode.3mf')
    const first = await service.send(one(file, { plateQuantities: { '2': 2 } }))
    const entry = history.store.list()[0]!
    expect(entry.project).toMatchObject({
      kind: 'gcode3mf',
      plates: [
        { id: 1, name: 'Cubes' },
        { id: 2, name: 'Two-tone' }
      ],
      slicedFor: { model: 'Bambu Lab P1S', nozzleDiameter: 0.4 },
      plateQuantities: { '2': 2 }
    })
    const m = h.mark()
    const again = await reprintEntry(
      {
        store: history.store,
        client: h.client,
        printers: () => [],
        reprint: (r) => service.reprint(r)
      },
      { entryId: entry.id }
    )
    expect(calls(h.since(m))).toEqual(['POST /v2/builds'])
    expect(again.partId).toBe(first.files[0]!.partId)
    expect(again.project).toMatchObject({ kind: 'gcode3mf', plateQuantities: { '2': 2 } })
    const build = h.sandbox.state.partBuilds.get(again.partBuildId)!
    expect(build.requiredPrinterTags?.['printer.modelName']).toBe('=Bambu Lab P1S|P1S|C12')
    expect(plateIdsOf(again.partBuildId)).toEqual([2, 2])
  })
})
