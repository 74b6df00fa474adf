// The right thing to the right printer, through the app core's handlers against the demo
// sandbox over HTTP: files read in inches are sent scaled, a model kept off beds too small for it,
// a material routes to the printers that have it loaded, and the dry run counts the jobs.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Events, MaterialsView } from '../../shared/ipc'
import type { SendFinished } from '../../shared/ipc'
import { inspectStl } from '../../shared/stl'
import { VARIANT } from '../../sandbox/materials'
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing'
import { PRINTER } from '../../sandbox/testing/test-utils'
import type { SandboxOptions } from '../../sandbox/types'
import { boxStl } from '../../test-support/stl'
import { createAppCore, type AppCore } from '../app-core'
import { memorySecrets, memorySettings } from '../app-core.test-support'
import { nodeConfFactory } from '../history/store'

let dataDir: string
let core: AppCore<TestSandbox>
const events: Array<{ event: keyof Events; payload: unknown }> = []

beforeEach(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'core-right-'))
  events.length = 0
  core = createAppCore<TestSandbox, SandboxOptions>({
    dataDir,
    settings: memorySettings(),
    secrets: memorySecrets(),
    emit: (event, payload) => void events.push({ event, payload }),
    shell: 'web',
    version: 'test',
    demo: { speed: 0 },
    startSandbox: startTestSandbox,
    createConf: nodeConfFactory,
    realtimeUrl: null
  })
  expect((await core.handlers['store:useDemo'](undefined)).ok).toBe(true)
})
afterEach(async () => {
  await core.close()
  rmSync(dataDir, { recursive: true, force: true })
})

const demo = (): TestSandbox => core.demoSandbox()!
function file(name: string, bytes: Uint8Array): string {
  const path = join(dataDir, name)
  writeFileSync(path, bytes)
  return path
}
async function finished(jobId: string): Promise<SendFinished> {
  await expect
    .poll(
      () =>
        events.some(
          (e) => e.event === 'send:finished' && (e.payload as SendFinished).jobId === jobId
        ),
      {
        timeout: 10_000
      }
    )
    .toBe(true)
  return events.find(
    (e) => e.event === 'send:finished' && (e.payload as SendFinished).jobId === jobId
  )!.payload as SendFinished
}
async function send(payload: unknown): Promise<SendFinished> {
  const r = await core.handlers['send:start'](payload)
  if (!r.ok) throw new Error(r.error.message)
  return finished(r.value.jobId)
}
const builds = () => [...demo().state.partBuilds.values()]
const jobsOf = (buildId: string) =>
  [...demo().state.printJobs.values()].filter((j) => j.partBuildId === buildId)

describe('units', () => {
  it('a file read in inches reaches Printago as its 25.4× copy; the history keeps both', async () => {
    const path = file('bracket.stl', boxStl(2, 1, 0.5))
    const done = await send({
      routing: { mode: 'any' },
      items: [{ path, quantity: 1, unit: 'inch', meta: { size: [50.8, 25.4, 12.7] } }]
    })
    expect(done.error).toBeUndefined()
    // The result names the file the renderer sent, not the copy.
    expect(done.files[0]!.file).toBe(path)
    const part = demo().state.parts.get(done.files[0]!.partId)!
    const stored = demo().state.uploads.get(part.fileUris[0]!)!
    const report = inspectStl(new Uint8Array(readFileSync(stored.file)))
    expect(report.ok && report.value.size.map((v) => Math.round(v * 100) / 100)).toEqual([
      50.8, 25.4, 12.7
    ])
    const history = await core.handlers['history:list'](undefined)
    const entry = history.ok ? history.value.entries[0]! : null
    expect(entry).toMatchObject({
      fileName: 'bracket.stl',
      sha256: stored.sha256,
      original: { file: path, fileName: 'bracket.stl', unit: 'inch' }
    })
    expect(entry!.original!.sha256).not.toBe(stored.sha256)
  })
})

describe('fit and material routing', () => {
  it('printer models keep a big tray off the A1 mini; a variant goes to a printer that has it', async () => {
    const tray = file('tray.stl', boxStl(200, 200, 50))
    const cube = file('cube.stl', boxStl(20, 20, 20))
    const done = await send({
      routing: { mode: 'any' },
      items: [
        { path: tray, quantity: 1, printerModels: ['A1', 'P1S', 'X1 Carbon', 'H2D'] },
        {
          path: cube,
          quantity: 1,
          material: {
            kind: 'variant',
            variantId: VARIANT.petgWhite,
            materialId: 'sbxmaterial0000000000002',
            type: 'PETG',
            name: 'PETG HF White'
          }
        }
      ]
    })
    expect(done.error).toBeUndefined()
    const [trayBuild, cubeBuild] = done.files.map((f) =>
      builds().find((b) => b.id === f.partBuildId)
    )
    expect(trayBuild!.requiredPrinterTags).toEqual({
      'printer.modelName': '=A1|P1S|X1 Carbon|H2D'
    })
    expect(cubeBuild!.materialAssignments).toEqual({ '0': [{ variantId: VARIANT.petgWhite }] })
    for (let i = 0; i < 3; i++) demo().tick()
    // The A1 mini (first in the fleet, never printed) would take either without the routing.
    expect(jobsOf(trayBuild!.id)[0]!.assignedPrinterId).not.toBe(PRINTER.a1mini)
    expect(jobsOf(trayBuild!.id)[0]!.assignedPrinterId).not.toBeNull()
    // Only the H2D has PETG HF White loaded.
    expect(jobsOf(cubeBuild!.id)[0]!.assignedPrinterId).toBe(PRINTER.h2d)
    const history = await core.handlers['history:list'](undefined)
    const entries = history.ok ? history.value.entries : []
    expect(entries.find((e) => e.fileName === 'cube.stl')!.material).toMatchObject({
      kind: 'variant',
      name: 'PETG HF White'
    })
    expect(entries.find((e) => e.fileName === 'tray.stl')!.printerModels).toEqual([
      'A1',
      'P1S',
      'X1 Carbon',
      'H2D'
    ])
  })

  it('printers:materials: the catalogue and what each printer has loaded', async () => {
    const r = await core.handlers['printers:materials'](undefined)
    expect(r.ok).toBe(true)
    const view = (r as { value: MaterialsView }).value
    expect(view.types).toEqual(['PETG', 'PLA'])
    expect(view.options.find((o) => o.variantId === VARIANT.plaRed)).toMatchObject({
      type: 'PLA',
      name: 'PLA Basic Red',
      color: '#C12E1FFF'
    })
    expect(view.loaded[PRINTER.p1s2]).toEqual([
      expect.objectContaining({ type: 'PETG', name: 'PETG HF Black', where: 'spool' })
    ])
    expect(view.loaded[PRINTER.a1mini]!.map((s) => s.where)).toEqual([
      'AMS 1 slot 1',
      'AMS 1 slot 2',
      'AMS 1 slot 3',
      'AMS 1 slot 4'
    ])
    // Within its budget: a second call is the cached answer.
    const calls = demo().log.length
    await core.handlers['printers:materials'](undefined)
    expect(demo().log.length).toBe(calls)
  })
})

describe('send:preview (the dry run)', () => {
  it('counts the jobs; the send that follows reuses the parts it uploaded', async () => {
    const a = file('a.stl', boxStl(10, 10, 10))
    const b = file('b.stl', boxStl(1, 1, 1))
    const request = {
      routing: { mode: 'any' },
      items: [
        { path: a, quantity: 3, label: 'Order 7' },
        { path: b, quantity: 2, unit: 'inch' }
      ]
    }
    const preview = await core.handlers['send:preview'](request)
    if (!preview.ok) throw new Error(preview.error.message)
    expect(preview.value).toEqual({
      files: [
        { path: a, label: 'Order 7', jobs: 3, jobLabels: ['Order 7', 'Order 7', 'Order 7'] },
        { path: b, label: 'b (from inches)', jobs: 2, jobLabels: expect.any(Array) }
      ],
      jobCount: 5,
      uploaded: 2
    })
    expect(builds()).toHaveLength(0)
    const puts = (): number => demo().log.filter((e) => e.method === 'PUT').length
    const before = puts()
    const again = await core.handlers['send:preview'](request)
    expect(again.ok && again.value.uploaded).toBe(0)
    const done = await send(request)
    expect(done.files.map((f) => f.reusedPart)).toEqual([true, true])
    expect(puts()).toBe(before)
    expect(
      builds()
        .map((b) => jobsOf(b.id).length)
        .sort()
    ).toEqual([2, 3])
  })
})
