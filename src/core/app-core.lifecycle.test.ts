// The store session's lifecycle through the app core, over real HTTP against the sandbox: the
// store is switched, disconnected, forgotten or the app quits while a send's upload is slow (the
// sandbox delays the storage PUT). The send finishes (or is resumed by the next session), the
// sandbox holds exactly one build for it, and a printer refresh during the close never opens a
// second session of the closing store nor a second send service on its journal.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Events, SendFinished } from '../shared/ipc'
import type { SendProgress } from '../shared/send'
import { startTestSandbox, type TestSandbox } from '../sandbox/testing'
import type { SandboxOptions } from '../sandbox/types'
import { boxStl } from '../test-support/stl'
import { createAppCore, type AppCore } from './app-core'
import { memorySecrets, memorySettings } from './app-core.test-support'
import { nodeConfFactory } from './history/store'
import { storeDataDir } from './infra/data-dir'
import { sendServiceCounts } from './session-senders'

/** Long enough for the store to be closing while the upload is still on its way. */
const SLOW_UPLOAD_MS = 1_500

describe('store session lifecycle during a slow upload', () => {
  let dataDir: string
  let sandbox: TestSandbox
  let settings: ReturnType<typeof memorySettings>
  let secrets: ReturnType<typeof memorySecrets>
  let cores: Array<AppCore<TestSandbox>>
  let events: Array<{ event: keyof Events; payload: unknown }>

  const makeCore = (): AppCore<TestSandbox> => {
    const core = createAppCore<TestSandbox, SandboxOptions>({
      dataDir,
      settings,
      secrets,
      emit: (event, payload) => void events.push({ event, payload }),
      shell: 'web',
      version: 'test',
      demo: { speed: 0 },
      startSandbox: startTestSandbox,
      createConf: nodeConfFactory,
      realtimeUrl: null
    })
    cores.push(core)
    return core
  }

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'core-lifecycle-'))
    sandbox = await startTestSandbox({ port: 0, speed: 0 })
    settings = memorySettings()
    secrets = memorySecrets()
    cores = []
    events = []
  })
  afterEach(async () => {
    for (const core of cores) await core.close()
    await sandbox.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const storeDir = (): string => storeDataDir(dataDir, sandbox.storeId)
  const builds = (): number =>
    sandbox.log.filter((e) => e.method === 'POST' && e.path === '/v2/builds').length
  const finished = (jobId: string): SendFinished[] =>
    events
      .filter((e) => e.event === 'send:finished')
      .map((e) => e.payload as SendFinished)
      .filter((p) => p.jobId === jobId)

  /** Connects the sandbox store and starts a send whose upload the sandbox holds back. */
  async function slowSend(core: AppCore<TestSandbox>): Promise<string> {
    const connected = await core.handlers['store:connect']({
      apiKey: sandbox.apiKey,
      storeId: sandbox.storeId,
      baseUrl: sandbox.url
    })
    expect(connected.ok).toBe(true)
    sandbox.injectFault({
      method: 'PUT',
      path: /^\/_storage\//,
      kind: 'delay',
      delayMs: SLOW_UPLOAD_MS
    })
    const file = join(dataDir, 'cube.stl')
    writeFileSync(file, boxStl(10, 10, 10))
    const started = await core.handlers['send:start']({
      routing: { mode: 'any' },
      items: [{ path: file, quantity: 1 }]
    })
    if (!started.ok) throw new Error(started.error.message)
    const jobId = started.value.jobId
    await expect
      .poll(() =>
        events.some(
          (e) =>
            e.event === 'send:progress' &&
            (e.payload as SendProgress).jobId === jobId &&
            (e.payload as SendProgress).step === 'uploading'
        )
      )
      .toBe(true)
    return jobId
  }

  /** Waits until the active store's session is closing (it waits for the slow upload). */
  async function closing(core: AppCore<TestSandbox>): Promise<void> {
    await expect.poll(() => core.activeSession()?.state, { interval: 5 }).toBe('closing')
  }

  it('switch: the send finishes in the closing session; a refresh meanwhile gets the next store', async () => {
    const core = makeCore()
    const jobId = await slowSend(core)
    const switching = core.handlers['store:switch']({ storeId: 'demo' })
    await closing(core)
    const printers = await core.handlers['printers:list']({ refresh: true })
    // The refresh waited for the close and was answered by the demo store, opened after it.
    expect(finished(jobId)).toHaveLength(1)
    expect(printers.ok && printers.value.printers.length).toBeGreaterThan(0)
    expect(core.demoSandbox()).not.toBeNull()
    expect((await switching).ok).toBe(true)
    expect(core.activeSession()?.status.kind).toBe('demo')
    expect(finished(jobId)[0]!.error).toBeUndefined()
    expect(builds()).toBe(1)
    expect(sendServiceCounts(storeDir())).toEqual({ opened: 1, open: 0, maxOpen: 1 })
    // Back on the store: the journal has nothing left to resume, nothing is sent again.
    await core.handlers['store:switch']({ storeId: sandbox.storeId })
    await core.close()
    expect(builds()).toBe(1)
    expect(finished(jobId)).toHaveLength(1)
  })

  it('disconnect: the send finishes; a refresh during the close gets "no store"', async () => {
    const core = makeCore()
    const jobId = await slowSend(core)
    const disconnecting = core.handlers['store:disconnect'](undefined)
    await closing(core)
    const printers = await core.handlers['printers:list']({ refresh: true })
    expect(!printers.ok && printers.error.code).toBe('no-store')
    expect(finished(jobId)).toHaveLength(1)
    expect((await disconnecting).ok).toBe(true)
    expect(core.activeSession()).toBeNull()
    expect(builds()).toBe(1)
    expect(sendServiceCounts(storeDir())).toEqual({ opened: 1, open: 0, maxOpen: 1 })
  })

  it('forget: the send finishes; a refresh during the close gets "no store"', async () => {
    const core = makeCore()
    const jobId = await slowSend(core)
    const forgetting = core.handlers['store:forget']({ storeId: sandbox.storeId })
    await closing(core)
    const printers = await core.handlers['printers:list']({ refresh: true })
    expect(!printers.ok && printers.error.code).toBe('no-store')
    expect(finished(jobId)).toHaveLength(1)
    const forgot = await forgetting
    expect(forgot.ok && forgot.value).toEqual([])
    expect(secrets.data.size).toBe(0)
    expect(builds()).toBe(1)
    expect(sendServiceCounts(storeDir())).toEqual({ opened: 1, open: 0, maxOpen: 1 })
  })

  it('quit: the send stops unfinished and the next start resumes it into exactly one build', async () => {
    const first = makeCore()
    const jobId = await slowSend(first)
    await first.close()
    expect(finished(jobId)[0]?.files).toEqual([])
    expect(builds()).toBe(0)
    // The next start of the app opens the same store and continues the send from its journal.
    const second = makeCore()
    const status = await second.handlers['store:status'](undefined)
    expect(status.ok && status.value.storeId).toBe(sandbox.storeId)
    await expect.poll(() => finished(jobId).length, { timeout: 10_000 }).toBe(2)
    expect(finished(jobId)[1]!.files).toHaveLength(1)
    // …and says so: the renderer shows "resumed your unfinished send of X".
    expect(finished(jobId)[1]!.resumed).toEqual([
      { jobId, files: [finished(jobId)[1]!.files[0]!.file] }
    ])
    expect(builds()).toBe(1)
    const history = await second.handlers['history:list'](undefined)
    expect(history.ok && history.value.entries.map((e) => e.partBuildId)).toEqual([
      finished(jobId)[1]!.files[0]!.partBuildId
    ])
    expect(sendServiceCounts(storeDir())).toMatchObject({ opened: 2, maxOpen: 1 })
  })
})
