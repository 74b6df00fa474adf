// Hot folders through the handler table (the same one IPC, the browser bridge and tests use),
// over real HTTP against the demo sandbox: adding a folder (checked by core), a file that appears
// being sent and moved, the same content again not sent twice unless asked, hold for review,
// pause, a folder that disappears and comes back, a second instance on the same folder, and the
// configuration surviving a restart. Waits are for states, never for time.
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  renameSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Events } from '../../shared/ipc'
import { DEFAULT_WATCH_RULES, type WatchEvent, type WatchView } from '../../shared/watch'
import { createAppCore, type AppCore } from '../app-core'
import { memorySecrets, memorySettings } from '../app-core.test-support'
import { nodeConfFactory } from '../history/store'
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing'
import type { SandboxOptions } from '../../sandbox/types'
import { boxStl, randomStl, truncatedStl } from '../../test-support/stl'
import { waitFor } from '../../test-support/wait'
import { acquireLock } from '../infra/lock'

let root: string
let dataDir: string
let folder: string
let settings: ReturnType<typeof memorySettings>
let views: WatchView[]
let notified: string[]
const cores: AppCore<TestSandbox>[] = []

function makeCore(data = dataDir): AppCore<TestSandbox> {
  const core = createAppCore<TestSandbox, SandboxOptions>({
    dataDir: data,
    settings,
    secrets: memorySecrets(),
    emit: <E extends keyof Events>(event: E, payload: Events[E]) => {
      if (event === 'watch:changed') views.push(payload as WatchView)
    },
    shell: 'web',
    version: 'test',
    demo: { speed: 0, mqtt: false },
    startSandbox: startTestSandbox,
    createConf: nodeConfFactory,
    realtimeUrl: null,
    notify: (title) => void notified.push(title),
    watch: { stableMs: 200, rescanMs: 50 }
  })
  cores.push(core)
  return core
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'watch-handlers-'))
  dataDir = join(root, 'data')
  folder = join(root, 'inbox')
  mkdirSync(folder)
  settings = memorySettings()
  views = []
  notified = []
})
afterEach(async () => {
  for (const c of cores.splice(0)) await c.close()
  rmSync(root, { recursive: true, force: true })
})

const latest = (): WatchView => views.at(-1) ?? { folders: [], events: [] }
const eventsFor = (file: string): WatchEvent[] => latest().events.filter((e) => e.file === file)
const has = (file: string, fate: WatchEvent['fate']): boolean =>
  eventsFor(file).some((e) => e.fate === fate)
const sentBuilds = (core: AppCore<TestSandbox>): number =>
  core.demoSandbox()?.state.partBuilds.size ?? 0

async function demoCoreWithFolder(
  rules: Partial<typeof DEFAULT_WATCH_RULES> = {}
): Promise<{ core: AppCore<TestSandbox>; id: string }> {
  const core = makeCore()
  expect((await core.handlers['store:useDemo'](undefined)).ok).toBe(true)
  const added = await core.handlers['watch:add']({ ...DEFAULT_WATCH_RULES, ...rules, folder })
  if (!added.ok) throw new Error(added.error.message)
  return { core, id: added.value.folders[0]!.config.id }
}

describe('watch handlers', () => {
  it('refuses a folder that is not there, a file, a relative path, the root and the data folder', async () => {
    const core = makeCore()
    const file = join(root, 'a.stl')
    writeFileSync(file, 'x')
    mkdirSync(dataDir, { recursive: true })
    for (const [path, words] of [
      [join(root, 'nope'), 'There is no folder'],
      [file, 'is a file, not a folder'],
      ['inbox', 'full path'],
      ['/', 'too broad'],
      [dataDir, 'its own data']
    ] as const) {
      const r = await core.handlers['watch:add']({ ...DEFAULT_WATCH_RULES, folder: path })
      expect(r).toMatchObject({ ok: false, error: { code: 'watch-folder' } })
      if (!r.ok) expect(r.error.message).toContain(words)
    }
    const bad = await core.handlers['watch:add']({ ...DEFAULT_WATCH_RULES, folder, quantity: 0 })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-payload' } })
  })

  it('sends a file that appears, moves it to Sent/, and does not send the same content twice', async () => {
    const { core, id } = await demoCoreWithFolder()
    await waitFor(() => latest().folders[0]?.state === 'watching', 20_000, 'watching')
    const bytes = randomStl(30, 7)
    writeFileSync(join(folder, 'benchy.stl'), bytes)
    writeFileSync(join(folder, 'notes.txt'), 'hello')
    await waitFor(() => has('benchy.stl', 'sent'), 20_000, 'benchy sent')
    expect(readdirSync(join(folder, 'Sent'))).toEqual(['benchy.stl'])
    expect(sentBuilds(core)).toBe(1)
    expect(has('notes.txt', 'ignored')).toBe(true)
    expect(latest().folders[0]!.counts.sent).toBe(1)

    // The same bytes under another name: remembered, not sent again…
    writeFileSync(join(folder, 'benchy-copy.stl'), bytes)
    await waitFor(() => has('benchy-copy.stl', 'duplicate'), 20_000, 'duplicate')
    expect(sentBuilds(core)).toBe(1)
    // …unless the user asks.
    expect((await core.handlers['watch:sendAgain']({ id, file: 'benchy-copy.stl' })).ok).toBe(true)
    await waitFor(() => has('benchy-copy.stl', 'sent'), 20_000, 'sent again')
    expect(sentBuilds(core)).toBe(2)
  })

  it('a 3MF project and a sliced gcode.3mf are sent like STL files: every plate, sliced routing', async () => {
    const { core } = await demoCoreWithFolder()
    await waitFor(() => latest().folders[0]?.state === 'watching', 20_000, 'watching')
    const fixtures = join(__dirname, '../../shared/3mf/fixtures')
    copyFileSync(join(fixtures, 'bambu-two-plates.3mf'), join(folder, 'project.3mf'))
    copyFileSync(join(fixtures, 'bambu-two-plates.gcode.3mf'), join(folder, 'sliced.gcode.3mf'))
    await waitFor(() => has('project.3mf', 'sent'), 30_000, 'project sent')
    await waitFor(() => has('sliced.gcode.3mf', 'sent'), 30_000, 'sliced sent')
    const state = core.demoSandbox()!.state
    const partOf = (type: string) => [...state.parts.values()].find((p) => p.type === type)
    const project = partOf('3mf')
    const sliced = partOf('gcode3mf')
    expect(project && sliced).toBeTruthy()
    const buildOf = (partId: string) =>
      [...state.partBuilds.values()].find((b) => b.partId === partId)!
    const plates = (partBuildId: string): number[] =>
      [...state.printJobs.values()]
        .filter((j) => j.partBuildId === partBuildId)
        .map((j) => j.extensions?.['3mf']?.plateId ?? -1)
        .sort()
    expect(plates(buildOf(project!.id).id)).toEqual([1, 2])
    expect(buildOf(sliced!.id).requiredPrinterTags?.['printer.modelName']).toBe(
      '=Bambu Lab P1S|P1S|C12'
    )
    expect(readdirSync(join(folder, 'Sent')).sort()).toEqual(['project.3mf', 'sliced.gcode.3mf'])
  })

  it('a broken file goes to Failed/ with its reason beside it', async () => {
    const { core } = await demoCoreWithFolder()
    writeFileSync(join(folder, 'broken.stl'), truncatedStl())
    await waitFor(() => has('broken.stl', 'failed'), 20_000, 'failed')
    expect(readdirSync(join(folder, 'Failed')).sort()).toEqual(['broken.stl', 'broken.stl.txt'])
    expect(sentBuilds(core)).toBe(0)
    expect(notified).toEqual(['Hot folder: broken.stl was not sent'])
  })

  it('fit is part of routing: kept off beds too small, refused when too big for all', async () => {
    const { core } = await demoCoreWithFolder()
    writeFileSync(join(folder, 'tray.stl'), boxStl(200, 200, 20))
    await waitFor(() => has('tray.stl', 'sent'), 20_000, 'tray sent')
    const [build] = [...core.demoSandbox()!.state.partBuilds.values()]
    const models = build!.requiredPrinterTags?.['printer.modelName'] ?? ''
    expect(models).toMatch(/^=/)
    expect(models).toContain('P1S')
    expect(models).not.toContain('A1 mini')

    writeFileSync(join(folder, 'huge.stl'), boxStl(400, 400, 20))
    await waitFor(() => has('huge.stl', 'failed'), 20_000, 'huge refused')
    expect(eventsFor('huge.stl')[0]!.message).toContain('400 × 400 × 20 mm it is too big')
    expect(readdirSync(join(folder, 'Failed'))).toContain('huge.stl.txt')
    expect(sentBuilds(core)).toBe(1)
  })

  it('changed rules apply to the next file; a removed folder is no longer watched', async () => {
    const { core, id } = await demoCoreWithFolder()
    const changed = await core.handlers['watch:update']({
      id,
      rules: { quantity: 2, labelPattern: 'farm-{name}', priority: 'low' }
    })
    expect(changed.ok && changed.value.folders[0]!.config).toMatchObject({
      quantity: 2,
      labelPattern: 'farm-{name}'
    })
    expect(settings.data['watchFolders']).toMatchObject([{ quantity: 2, priority: 'low' }])
    writeFileSync(join(folder, 'gear.stl'), randomStl(10, 9))
    await waitFor(() => has('gear.stl', 'sent'), 20_000, 'sent with the new rules')
    const [build] = [...core.demoSandbox()!.state.partBuilds.values()]
    expect(build).toMatchObject({ quantity: 2 })
    expect(build!.label).toContain('farm-gear')

    const removed = await core.handlers['watch:remove']({ id })
    expect(removed.ok && removed.value.folders).toEqual([])
    expect(settings.data['watchFolders']).toEqual([])
    const unknown = await core.handlers['watch:pause']({ id, paused: true })
    expect(unknown).toMatchObject({ ok: false, error: { code: 'watch-folder' } })
  })

  it('hold for review: listed as held, sent when released', async () => {
    const { core, id } = await demoCoreWithFolder({ mode: 'hold', afterSend: 'leave' })
    writeFileSync(join(folder, 'held.stl'), randomStl(10, 3))
    await waitFor(() => latest().folders[0]?.held.includes('held.stl') === true, 20_000, 'held')
    expect(sentBuilds(core)).toBe(0)
    await core.handlers['watch:release']({ id, file: 'held.stl' })
    await waitFor(() => has('held.stl', 'sent'), 20_000, 'released and sent')
    // Left in place (the user's choice) and remembered: not sent again on the next scans.
    expect(readdirSync(folder)).toContain('held.stl')
    expect(sentBuilds(core)).toBe(1)
  })

  it('paused sends nothing; a vanished folder is an error in words and is watched again when back', async () => {
    const { core, id } = await demoCoreWithFolder()
    await core.handlers['watch:pause']({ id, paused: true })
    writeFileSync(join(folder, 'wait.stl'), randomStl(10, 4))
    await waitFor(() => latest().folders[0]?.state === 'paused', 20_000, 'paused')
    await core.handlers['watch:pause']({ id, paused: false })
    await waitFor(() => has('wait.stl', 'sent'), 20_000, 'sent after resume')

    renameSync(folder, `${folder}-away`)
    await waitFor(() => latest().folders[0]?.state === 'error', 20_000, 'error state')
    expect(latest().folders[0]!.message).toContain('is not there')
    renameSync(`${folder}-away`, folder)
    writeFileSync(join(folder, 'back.stl'), randomStl(10, 5))
    await waitFor(() => has('back.stl', 'sent'), 20_000, 'sent after the folder came back')
    expect(sentBuilds(core)).toBe(2)
  })

  it('another instance holding the folder: this one stands by and sends nothing', async () => {
    const lock = await acquireLock(join(folder, '.printago-watch.lock'))
    // The lock is this process's: a second app core would share it, so fake another owner.
    writeFileSync(
      lock.path,
      JSON.stringify({ pid: 1, start: null, boot: null, host: 'another-machine' })
    )
    const { core } = await demoCoreWithFolder()
    writeFileSync(join(folder, 'mine.stl'), randomStl(10, 6))
    await waitFor(() => latest().folders[0]?.state === 'error', 20_000, 'stands by')
    expect(latest().folders[0]!.message).toContain('Another Printago Send')
    expect(sentBuilds(core)).toBe(0)
    rmSync(lock.path)
    await waitFor(() => has('mine.stl', 'sent'), 20_000, 'sent once the lock is free')
  })

  it('the folders are saved with the settings and watched again after a restart', async () => {
    const { core } = await demoCoreWithFolder({ labelPattern: '{folder}-{name}', quantity: 2 })
    await core.close()
    cores.splice(cores.indexOf(core), 1)
    views = []
    const again = makeCore()
    const list = await again.handlers['watch:list'](undefined)
    expect(list.ok && list.value.folders[0]?.config).toMatchObject({
      folder,
      labelPattern: '{folder}-{name}',
      quantity: 2
    })
  })
})
