// The app core over real HTTP against the sandbox: store choice, connect with every kind of bad
// input, the key never leaving main, printers without secrets, and the printer refresh budget.
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Events } from '../shared/ipc'
import { createAppCore, type AppCore, type AppCoreOptions } from './app-core'
import { memorySecrets, memorySettings } from './app-core.test-support'
import { createManualClock } from './infra/clock'
import { startTestSandbox, type TestSandbox } from '../sandbox/testing'
import type { SandboxOptions } from '../sandbox/types'
import { boxStl } from '../test-support/stl'
import { nodeConfFactory } from './history/store'

describe('app core', () => {
  let dataDir: string
  let sandbox: TestSandbox
  let core: AppCore<TestSandbox>
  let settings: ReturnType<typeof memorySettings>
  let secrets: ReturnType<typeof memorySecrets>
  const events: Array<{ event: keyof Events; payload: unknown }> = []

  /** A core over this test's data folder, settings and secrets; events land in `events`. */
  const makeCore = (
    over: Partial<AppCoreOptions<TestSandbox, SandboxOptions>> = {}
  ): AppCore<TestSandbox> =>
    createAppCore<TestSandbox, SandboxOptions>({
      dataDir,
      settings,
      secrets,
      emit: (event, payload) => void events.push({ event, payload }),
      shell: 'web',
      version: 'test',
      demo: { speed: 0 },
      startSandbox: startTestSandbox,
      createConf: nodeConfFactory,
      realtimeUrl: null,
      ...over
    })

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'core-'))
    sandbox = await startTestSandbox({ port: 0, speed: 0 })
    settings = memorySettings()
    secrets = memorySecrets()
    events.length = 0
    core = makeCore()
  })
  afterEach(async () => {
    await core.close()
    await sandbox.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  /** The history sync's mode: 'realtime' once the MQTT client has subscribed. */
  const syncMode = async (): Promise<string | null> => {
    const list = await core.handlers['history:list'](undefined)
    return list.ok ? list.value.sync.mode : null
  }

  /** Waits until the history knows the job copies of its newest `n` entries (by REST or MQTT). */
  const jobsKnown = async (n: number): Promise<void> => {
    await expect
      .poll(
        async () => {
          const list = await core.handlers['history:list'](undefined)
          return (
            list.ok &&
            list.value.entries.length >= n &&
            list.value.entries.slice(0, n).every((e) => e.copies.length === e.quantity)
          )
        },
        { timeout: 10_000 }
      )
      .toBe(true)
  }

  const connect = (
    payload: Record<string, unknown>
  ): ReturnType<AppCore['handlers']['store:connect']> =>
    core.handlers['store:connect']({ baseUrl: sandbox.url, ...payload })

  it('starts with no store and offers nothing to send to', async () => {
    const s = await core.handlers['store:status'](undefined)
    expect(s).toEqual({ ok: true, value: expect.objectContaining({ kind: 'none' }) })
    const p = await core.handlers['printers:list'](undefined)
    expect(p.ok).toBe(false)
    expect(!p.ok && p.error.code).toBe('no-store')
  })

  it('demo store: a sandbox starts in-process and its printers are listed without secrets', async () => {
    const s = await core.handlers['store:useDemo'](undefined)
    expect(s.ok && s.value.kind).toBe('demo')
    const p = await core.handlers['printers:list'](undefined)
    expect(p.ok).toBe(true)
    if (!p.ok) return
    expect(p.value.printers.length).toBeGreaterThanOrEqual(6)
    const text = JSON.stringify(p.value)
    expect(text).not.toMatch(/dev_access_code|metadata|password/)
    expect(new Set(p.value.printers.map((x) => x.state)).size).toBeGreaterThanOrEqual(4)
    expect(settings.data.activeStore).toBe('demo')
  })

  it('demo store: printer changes arrive live over MQTT, without polling', async () => {
    await core.handlers['store:useDemo'](undefined)
    const first = await core.handlers['printers:list'](undefined)
    expect(first.ok).toBe(true)
    const demo = core.demoSandbox()!
    const target = first.ok ? first.value.printers.find((p) => p.state === 'ready')! : null
    const restCalls = (): number => demo.log.filter((e) => e.path === '/v1/printers').length
    const before = restCalls()
    // Once the realtime client has subscribed, change the printer on "Printago".
    await expect.poll(syncMode, { timeout: 10_000 }).toBe('realtime')
    demo.updatePrinter(target!.id, { isOnline: false })
    await expect
      .poll(
        () =>
          events.some(
            (e) =>
              e.event === 'printers:changed' &&
              (e.payload as { printers: Array<{ id: string; state: string }> }).printers.find(
                (p) => p.id === target!.id
              )?.state === 'offline'
          ),
        { timeout: 10_000 }
      )
      .toBe(true)
    expect(restCalls()).toBe(before)
    const cached = await core.handlers['printers:list'](undefined)
    expect(cached.ok && cached.value.printers.find((p) => p.id === target!.id)?.state).toBe(
      'offline'
    )
  })

  it('a finished job in the demo store notifies; clicking the notification opens its entry', async () => {
    await core.close()
    const clicks: Array<() => void> = []
    const shown: string[] = []
    core = makeCore({
      shell: 'electron',
      notify: (title, body, onClick) => {
        shown.push(`${title}: ${body}`)
        clicks.push(onClick)
      }
    })
    await core.handlers['store:useDemo'](undefined)
    const file = join(dataDir, 'cube.stl')
    writeFileSync(file, boxStl(10, 10, 10))
    const started = await core.handlers['send:start']({
      routing: { mode: 'any' },
      items: [{ path: file, quantity: 1 }]
    })
    expect(started.ok).toBe(true)
    await expect
      .poll(() => events.some((e) => e.event === 'send:finished'), { timeout: 10_000 })
      .toBe(true)
    const demo = core.demoSandbox()!
    // Print it once the history follows the job live.
    await expect.poll(syncMode, { timeout: 10_000 }).toBe('realtime')
    await jobsKnown(1)
    for (let i = 0; i < 12; i++) demo.tick()
    await expect.poll(() => shown.length, { timeout: 10_000 }).toBe(1)
    expect(shown[0]).toMatch(/cube/)
    clicks[0]!()
    const open = events.find((e) => e.event === 'history:open')
    const list = await core.handlers['history:list'](undefined)
    expect(list.ok && list.value.entries[0]?.id).toBe(
      (open?.payload as { entryId: string }).entryId
    )
    // Notifications off: the next finished job stays silent.
    await core.handlers['settings:set']({ notifications: false })
    await core.handlers['send:start']({
      routing: { mode: 'any' },
      items: [{ path: file, quantity: 1 }]
    })
    await expect
      .poll(() => events.filter((e) => e.event === 'send:finished').length, { timeout: 10_000 })
      .toBe(2)
    await jobsKnown(2)
    for (let i = 0; i < 12; i++) demo.tick()
    await expect
      .poll(
        async () => {
          const l = await core.handlers['history:list'](undefined)
          return l.ok && l.value.entries.every((e) => e.status === 'printed')
        },
        { timeout: 10_000 }
      )
      .toBe(true)
    expect(shown).toHaveLength(1)
  })

  it('a settings file that was unreadable is reported, not silently replaced', async () => {
    await core.close()
    core = makeCore({
      settings: memorySettings(),
      settingsDamagedBackup: '/data/settings.json.damaged-1'
    })
    const v = await core.handlers['settings:get'](undefined)
    expect(v.ok && v.value.repaired.join(' ')).toContain('settings.json.damaged-1')
  })

  it('connect explains a key without permission (403) and an unreachable server', async () => {
    const limited = await connect({ apiKey: sandbox.limitedApiKey, storeId: sandbox.storeId })
    // The limited key may read stores and printers: it connects; queue actions get 403 later.
    expect(limited.ok).toBe(true)
    sandbox.injectFault({ path: '/v1/stores', kind: 'status', status: 403, times: 1 })
    sandbox.injectFault({ path: '/v1/printers', kind: 'status', status: 403, times: 1 })
    const forbidden = await connect({ apiKey: sandbox.apiKey, storeId: sandbox.storeId })
    expect(!forbidden.ok && forbidden.error.code).toBe('forbidden')
    expect(!forbidden.ok && forbidden.error.message).toMatch(/printer\.view/)
    const offline = await core.handlers['store:connect']({
      apiKey: sandbox.apiKey,
      storeId: sandbox.storeId,
      baseUrl: 'http://127.0.0.1:9'
    })
    expect(!offline.ok && offline.error.code).toMatch(/network|timeout/)
    expect(!offline.ok && offline.error.message).toContain('Could not reach http://127.0.0.1:9')
  })

  it('rejects malformed keys, store ids and base URLs before any network call', async () => {
    const before = sandbox.log.length
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        {
          apiKey: `${sandbox.apiKey.slice(0, 30)} ${sandbox.apiKey.slice(30)}`,
          storeId: sandbox.storeId
        },
        'invalid-key'
      ],
      [
        { apiKey: `${sandbox.apiKey}\n`.replace('\n', '\nx'), storeId: sandbox.storeId },
        'invalid-key'
      ],
      [{ apiKey: 'short', storeId: sandbox.storeId }, 'invalid-key'],
      [{ apiKey: sandbox.apiKey, storeId: 'ABC' }, 'invalid-store-id'],
      [
        { apiKey: sandbox.apiKey, storeId: sandbox.storeId, baseUrl: 'http://api.example.com' },
        'invalid-url'
      ],
      [
        { apiKey: sandbox.apiKey, storeId: sandbox.storeId, baseUrl: 'javascript:alert(1)' },
        'invalid-url'
      ],
      [{ apiKey: sandbox.apiKey, storeId: sandbox.storeId, baseUrl: 'not a url' }, 'invalid-url']
    ]
    for (const [payload, code] of cases) {
      const r = await connect(payload)
      expect(r.ok, JSON.stringify(payload)).toBe(false)
      expect(!r.ok && r.error.code).toBe(code)
    }
    expect(sandbox.log.length).toBe(before)
  })

  it('a wrong key gets the 401 message; the right one connects and lists printers', async () => {
    const wrong = await connect({ apiKey: 'a'.repeat(72), storeId: sandbox.storeId })
    expect(wrong.ok).toBe(false)
    expect(!wrong.ok && wrong.error.code).toBe('auth')
    expect(!wrong.ok && wrong.error.message).toMatch(/401/)
    expect(secrets.data.size).toBe(0)

    const right = await connect({ apiKey: `  ${sandbox.apiKey}  `, storeId: sandbox.storeId })
    expect(right.ok).toBe(true)
    if (!right.ok) return
    expect(right.value.kind).toBe('printago')
    // The renderer learns a masked key only.
    expect(JSON.stringify(right.value)).not.toContain(sandbox.apiKey)
    expect(right.value.keyMasked).toMatch(/^.{4}….{4}$/)
    const p = await core.handlers['printers:list'](undefined)
    expect(p.ok && p.value.printers.length).toBeGreaterThan(0)
    // Stored only as (mock) ciphertext, never in the settings.
    expect(JSON.stringify(settings.data)).not.toContain(sandbox.apiKey)
    expect([...secrets.data.values()][0]).toMatch(/^enc:/)
    // Nothing the renderer received contains the key.
    expect(JSON.stringify(events)).not.toContain(sandbox.apiKey)
  })

  it('weak key protection asks first, then honours "this session only"', async () => {
    await core.close()
    secrets = memorySecrets('weak')
    core = makeCore({ shell: 'electron' })
    const ask = await connect({ apiKey: sandbox.apiKey, storeId: sandbox.storeId })
    expect(!ask.ok && ask.error.code).toBe('weak-key-storage')
    const session = await connect({
      apiKey: sandbox.apiKey,
      storeId: sandbox.storeId,
      weakKeyStorage: 'session'
    })
    expect(session.ok && session.value.sessionOnlyKey).toBe(true)
    expect(secrets.data.size).toBe(0)
  })

  it('switches between saved stores without mixing their data folders', async () => {
    await core.handlers['store:useDemo'](undefined)
    const r = await connect({ apiKey: sandbox.apiKey, storeId: sandbox.storeId })
    expect(r.ok).toBe(true)
    const list = await core.handlers['store:list'](undefined)
    expect(list.ok && list.value.map((s) => s.storeId)).toEqual([sandbox.storeId])
    const back = await core.handlers['store:switch']({ storeId: 'demo' })
    expect(back.ok && back.value.kind).toBe('demo')
    const stores = readdirSync(join(dataDir, 'stores')).sort()
    expect(stores).toEqual(['demo', sandbox.storeId].sort())
    const forgot = await core.handlers['store:forget']({ storeId: sandbox.storeId })
    expect(forgot.ok && forgot.value).toEqual([])
    expect(secrets.data.size).toBe(0)
  })

  it('keeps the printer list within a request budget and serves it stale when Printago fails', async () => {
    await core.close()
    const clock = createManualClock()
    core = makeCore({ clock })
    await connect({ apiKey: sandbox.apiKey, storeId: sandbox.storeId })
    const count = (): number => sandbox.log.filter((e) => e.path === '/v1/printers').length
    const start = count()
    for (let i = 0; i < 10; i++) await core.handlers['printers:list'](undefined)
    // Asking for a refresh within 2 s of the last list is served from the cache too.
    await clock.advance(1_900)
    await core.handlers['printers:list']({ refresh: true })
    expect(count() - start).toBe(1)
    // A plain list is served from the cache for 15 s, then fetched again.
    await clock.advance(13_000)
    await core.handlers['printers:list'](undefined)
    expect(count() - start).toBe(1)
    await clock.advance(200)
    await core.handlers['printers:list'](undefined)
    expect(count() - start).toBe(2)
    sandbox.injectFault({ path: '/v1/printers', kind: 'status', status: 503, times: Infinity })
    await clock.advance(2_100)
    // The client's back-off between its retries runs on the manual clock too.
    const stale = await clock.runUntil(core.handlers['printers:list']({ refresh: true }))
    expect(count() - start).toBeGreaterThan(3)
    expect(stale.ok).toBe(true)
    expect(stale.ok && stale.value.stale?.code).toBe('server')
    expect(stale.ok && stale.value.printers.length).toBeGreaterThan(0)
  })

  it('repairs a hand-edited settings file field by field', async () => {
    await core.close()
    settings = memorySettings({
      prefs: { theme: 'purple', notifications: false, defaultQuantity: -3, historySize: 'lots' }
    })
    core = makeCore()
    const v = await core.handlers['settings:get'](undefined)
    expect(v.ok && v.value.settings).toMatchObject({
      theme: 'system',
      notifications: false,
      defaultQuantity: 1,
      historySize: 1000
    })
    expect(v.ok && v.value.repaired.sort()).toEqual(['defaultQuantity', 'historySize', 'theme'])
    const bad = await core.handlers['settings:set']({ theme: 'purple' })
    expect(bad.ok).toBe(false)
  })

  it('hashes files with the engine check, and explains missing files, folders and non-STL', async () => {
    const f = join(dataDir, 'a.stl')
    writeFileSync(f, boxStl(10, 10, 10))
    const h = await core.handlers['files:hash']({ path: f })
    expect(h.ok && h.value.sha256).toMatch(/^[0-9a-f]{64}$/)
    expect(h.ok && h.value.size).toBe(statSync(f).size)
    const missing = await core.handlers['files:hash']({ path: join(dataDir, 'nope.stl') })
    expect(!missing.ok && missing.error.code).toBe('not-found')
    const dir = await core.handlers['files:hash']({ path: dataDir })
    expect(!dir.ok && dir.error.code).toBe('is-directory')
    // The same verdict as the preview's engine: an empty solid has no triangles.
    const empty = join(dataDir, 'empty.stl')
    writeFileSync(empty, 'solid a\nendsolid a\n')
    const refused = await core.handlers['files:hash']({ path: empty })
    expect(!refused.ok && refused.error.code).toBe('not-stl')
    expect(!refused.ok && refused.error.message).toMatch(/triangle/i)
  })

  it('opens only allow-listed links', async () => {
    const r = await core.handlers['shell:openExternal']({ url: 'file:///etc/passwd' })
    expect(!r.ok && r.error.code).toBe('blocked-url')
  })
})
