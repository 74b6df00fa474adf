// The operator's loop through the handler table, against the demo store and the sandbox: a job
// waiting for a bed clear is told with a "Mark bed clear" action that asks in the app; the bed is
// marked clear; a key without printer.ready hears why in words; a failed copy's slicer log is
// fetched by main; queue operations answer as data.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Events } from '../shared/ipc'
import { startTestSandbox, type TestSandbox } from '../sandbox/testing'
import { PRINTER } from '../sandbox/testing/test-utils'
import type { SandboxOptions } from '../sandbox/types'
import { boxStl } from '../test-support/stl'
import { createAppCore, type AppCore, type NotificationAction } from './app-core'
import { memorySecrets, memorySettings } from './app-core.test-support'
import { nodeConfFactory } from './history/store'

describe('the operator loop through the app core', () => {
  let dataDir: string
  let core: AppCore<TestSandbox>
  const events: Array<{ event: keyof Events; payload: unknown }> = []
  const shown: Array<{ title: string; body: string; actions: NotificationAction[] }> = []

  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'core-operator-'))
    events.length = 0
    shown.length = 0
    core = createAppCore<TestSandbox, SandboxOptions>({
      dataDir,
      settings: memorySettings(),
      secrets: memorySecrets(),
      emit: (event, payload) => void events.push({ event, payload }),
      shell: 'electron',
      version: 'test',
      demo: { speed: 0 },
      startSandbox: startTestSandbox,
      createConf: nodeConfFactory,
      realtimeUrl: null,
      notify: (title, body, _onClick, actions = []) => void shown.push({ title, body, actions })
    })
  })
  afterEach(async () => {
    await core.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  const entries = async () => {
    const l = await core.handlers['history:list'](undefined)
    return l.ok ? l.value.entries : []
  }

  async function send(label: string, quantity: number, printerId: string): Promise<void> {
    const file = join(dataDir, `${label.replace(/\W/g, '')}.stl`)
    writeFileSync(file, boxStl(20, 20, 10))
    const started = await core.handlers['send:start']({
      routing: { mode: 'printer', printerId },
      items: [{ path: file, quantity, label }]
    })
    expect(started.ok).toBe(true)
    await expect
      .poll(
        async () =>
          (await entries()).some((e) => e.copies.length === quantity && e.label === label),
        {
          timeout: 10_000
        }
      )
      .toBe(true)
  }

  it('tells when my job waits for a bed; its action asks in the app; the bed is marked clear', async () => {
    await core.handlers['store:useDemo'](undefined)
    await core.handlers['printers:list']({})
    await send('Order 7', 3, PRINTER.p1s2)
    await expect.poll(() => shown.length, { timeout: 10_000 }).toBe(1)
    expect(shown[0]).toMatchObject({
      title: 'Waiting for a bed clear: Order 7',
      body: '3 copies will start once the bed of P1S #2 is cleared.'
    })
    // The button does not clear anything itself: it asks the app to confirm.
    expect(shown[0]!.actions.map((a) => a.label)).toEqual(['Mark bed clear'])
    shown[0]!.actions[0]!.run()
    expect(events.find((e) => e.event === 'printers:askBedClear')?.payload).toMatchObject({
      printerId: PRINTER.p1s2
    })
    const demo = core.demoSandbox()!
    expect(demo.state.printers.get(PRINTER.p1s2)!.confirmedReady).toBe(false)

    const cleared = await core.handlers['printers:confirmReady']({ printerId: PRINTER.p1s2 })
    expect(cleared).toMatchObject({ ok: true, value: { id: PRINTER.p1s2, state: 'ready' } })
    expect(demo.state.printers.get(PRINTER.p1s2)!.confirmedReady).toBe(true)
    demo.tick()
    await expect
      .poll(async () => (await entries())[0]!.copies.filter((c) => c.status !== 'pending').length, {
        timeout: 10_000
      })
      .toBe(1)
    // Nothing waits for a bed now: no second notification.
    expect(shown).toHaveLength(1)
  })

  it('a failed copy shows Printago’s message and its slicer log, fetched by main', async () => {
    await core.handlers['store:useDemo'](undefined)
    await send('Boom [slice-fail]', 1, PRINTER.h2d)
    const demo = core.demoSandbox()!
    for (let i = 0; i < 3; i++) demo.tick()
    await expect.poll(async () => (await entries())[0]!.status, { timeout: 10_000 }).toBe('failed')
    const copy = (await entries())[0]!.copies[0]!
    expect(copy.errorMessage).toMatch(/^Slicing failed/)
    const log = await core.handlers['history:slicerLog']({ printJobId: copy.printJobId })
    expect(log).toMatchObject({
      ok: true,
      value: { printJobId: copy.printJobId, truncated: false }
    })
    expect(log.ok && log.value.text).toMatch(/slic/i)
  })

  it('queue operations answer as data: nothing eligible, or the copies Printago changed', async () => {
    await core.handlers['store:useDemo'](undefined)
    await send('Rush', 2, PRINTER.x1c) // the X1 Carbon is busy: both wait in the queue
    const entry = (await entries())[0]!
    expect(await core.handlers['history:pause']({ entryId: entry.id })).toEqual({
      ok: true,
      value: { affected: [] }
    })
    expect(await core.handlers['history:moveToFront']({ entryId: entry.id })).toEqual({
      ok: true,
      value: { affected: entry.copies.map((c) => c.printJobId) }
    })
    expect(await core.handlers['history:moveToFront']({ entryId: 'gone' })).toMatchObject({
      ok: false,
      error: { code: 'not-found' }
    })
  })
})

describe('a key without the managing permissions', () => {
  let dataDir: string
  let sandbox: TestSandbox
  let core: AppCore<TestSandbox>

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'core-limited-'))
    sandbox = await startTestSandbox({ port: 0, speed: 0 })
    core = createAppCore<TestSandbox, SandboxOptions>({
      dataDir,
      settings: memorySettings(),
      secrets: memorySecrets(),
      emit: () => undefined,
      shell: 'web',
      version: 'test',
      startSandbox: startTestSandbox,
      createConf: nodeConfFactory,
      realtimeUrl: null
    })
  })
  afterEach(async () => {
    await core.close()
    await sandbox.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('hears in words that Mark bed clear needs printer.ready (403)', async () => {
    const connected = await core.handlers['store:connect']({
      apiKey: sandbox.limitedApiKey,
      storeId: sandbox.storeId,
      baseUrl: sandbox.url
    })
    expect(connected.ok).toBe(true)
    const r = await core.handlers['printers:confirmReady']({ printerId: PRINTER.p1s2 })
    expect(r).toMatchObject({
      ok: false,
      error: { code: 'forbidden', details: { permission: 'printer.ready' } }
    })
    expect(!r.ok && r.error.message).toMatch(
      /^This API key lacks the printer\.ready permission, so it cannot mark a bed clear \(Printago answered 403\)/
    )
    expect(sandbox.state.printers.get(PRINTER.p1s2)!.confirmedReady).toBe(false)
    expect(sandbox.log.at(-1)).toMatchObject({ path: '/v1/printers/confirm-ready', status: 403 })
  })
})
