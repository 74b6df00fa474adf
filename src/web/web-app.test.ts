// The browser mode as a whole, in this process, over real HTTP: a Printago store connected in it
// keeps its key (0600 file here: no keyring daemon), its history and its staged files across a
// restart on the same data folder; the key never reaches the page; a folder another process uses
// is refused with a clear message until it is free; staged files go once nothing needs them.
import { randomUUID } from 'node:crypto'
import { request } from 'node:http'
import { lstat, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Channel, ChannelResults } from '../shared/ipc'
import type { Result } from '../shared/result'
import { stagedFilesDir, storeDataDir } from '../core/infra/data-dir'
import { openJournal } from '../core/infra/journal'
import { keyFilePath } from '../core/infra/secrets'
import {
  applySendEntry,
  emptySendState,
  sendStateFromSnapshot,
  sendStateToSnapshot
} from '../core/send/state'
import { startTestSandbox, type TestSandbox } from '../sandbox/testing'
import { boxStl } from '../test-support/stl'
import { tempDir } from '../test-support/temp'
import { startWebApp, type WebApp } from './serve'
import { raw } from './test-client'

let dir: string
let cleanup: () => Promise<void>
let sandbox: TestSandbox
const apps: WebApp[] = []

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('printago-webapp-'))
  sandbox = await startTestSandbox({ port: 0, speed: 0 })
})
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close()
  await sandbox.close()
  await cleanup()
})

async function start(options: Parameters<typeof startWebApp>[0] = {}): Promise<WebApp> {
  const app = await startWebApp({ dataDir: dir, keys: 'file', ...options })
  apps.push(app)
  return app
}

async function call<C extends Channel>(
  app: WebApp,
  channel: C,
  payload?: unknown
): Promise<Result<ChannelResults[C]> & { status: number; text: string }> {
  const res = await raw(app.origin, 'POST', `/__bridge/invoke/${encodeURIComponent(channel)}`, {
    headers: { authorization: `Bearer ${app.token}` },
    body: JSON.stringify(payload ?? null)
  })
  return { ...res.json<Result<ChannelResults[C]>>(), status: res.status, text: res.text }
}

async function value<C extends Channel>(
  app: WebApp,
  channel: C,
  payload?: unknown
): Promise<ChannelResults[C]> {
  const r = await call(app, channel, payload)
  if (!r.ok) throw new Error(`${channel}: ${r.error.code} ${r.error.message}`)
  return r.value
}

async function stage(app: WebApp, name: string, bytes: Buffer): Promise<string> {
  const res = await raw(app.origin, 'POST', '/__bridge/stage', {
    headers: { authorization: `Bearer ${app.token}`, 'x-file-name': encodeURIComponent(name) },
    body: bytes
  })
  expect(res.status).toBe(200)
  return res.json<{ path: string }>().path
}

/** Everything the page's event stream receives until `close()`. */
function listen(app: WebApp): { text: () => string; close: () => void } {
  let text = ''
  const req = request(`${app.origin}/__bridge/events`, {
    headers: { authorization: `Bearer ${app.token}` }
  })
  req.on('response', (res) => res.on('data', (c: Buffer) => (text += c.toString())))
  req.on('error', () => undefined)
  req.end()
  return { text: () => text, close: () => req.destroy() }
}

describe('data survives a restart on the same folder', () => {
  it('the store, its key (0600, never sent to the page), its history and staged files', async () => {
    const first = await start()
    const events = listen(first)
    const connected = await value(first, 'store:connect', {
      apiKey: sandbox.apiKey,
      storeId: sandbox.storeId,
      baseUrl: sandbox.url,
      weakKeyStorage: 'store'
    })
    expect(connected.kind).toBe('printago')
    const path = await stage(first, 'bracket.stl', boxStl(20, 10, 5))
    expect(path.startsWith(stagedFilesDir(dir))).toBe(true)
    const hashed = await value(first, 'files:hash', { path })
    const { jobId } = await value(first, 'send:start', {
      items: [{ path, quantity: 2 }],
      routing: { mode: 'any' }
    })
    await expect
      .poll(
        () =>
          events.text().includes(`"jobId":"${jobId}"`) && events.text().includes('send:finished')
      )
      .toBe(true)
    const settings = await value(first, 'settings:get')
    expect(settings.keyProtection).toBe('weak')

    // The key is in the 0600 file, and nowhere the page can read.
    const keyFile = keyFilePath(dir)
    expect((await lstat(keyFile)).mode & 0o777).toBe(0o600)
    expect(await readFile(keyFile, 'utf8')).toContain(sandbox.apiKey)
    const seen = [
      JSON.stringify(connected),
      JSON.stringify(settings),
      JSON.stringify(await value(first, 'store:list')),
      JSON.stringify(await value(first, 'app:info')),
      events.text()
    ].join('\n')
    expect(seen).not.toContain(sandbox.apiKey)
    expect(await readFile(join(dir, 'settings.json'), 'utf8')).not.toContain(sandbox.apiKey)
    events.close()
    await first.close()
    apps.splice(apps.indexOf(first), 1)

    const second = await start()
    const status = await value(second, 'store:status')
    expect(status).toMatchObject({ kind: 'printago', storeId: sandbox.storeId })
    expect(status.sessionOnlyKey).toBeUndefined()
    const history = await value(second, 'history:list')
    expect(history.entries.map((e) => [e.file, e.quantity])).toEqual([[path, 2]])
    // The staged copy is still the page's to use (a send of it could resume).
    expect(second.staging.has(path)).toBe(true)
    expect(await value(second, 'files:hash', { path })).toEqual(hashed)
    expect(sandbox.state.partBuilds.size).toBe(1)
  })
})

describe('a data folder another process is using', () => {
  it('is refused with a clear message before any handler runs, until it is free', async () => {
    // A live process other than this one holds a store's journal (this test's parent stands in
    // for the desktop app).
    const journal = join(storeDataDir(dir, 'demo'), 'journal')
    await mkdir(journal, { recursive: true })
    await writeFile(join(journal, 'journal.lock'), String(process.ppid))

    const app = await start()
    expect(app.folderInUse()?.pid).toBe(process.ppid)
    const refused = await call(app, 'app:info')
    expect(refused.status).toBe(503)
    expect(refused).toMatchObject({ ok: false, error: { code: 'data-folder-in-use' } })
    expect(refused.text).toContain(`in use by another Printago Send (process ${process.ppid})`)
    const page = await raw(app.origin, 'GET', '/', {
      headers: { authorization: `Bearer ${app.token}` }
    })
    expect(page.status).toBe(503)
    expect(page.text).toContain('data-testid="in-use"')
    expect(page.text).toContain(`process ${process.ppid}`)
    expect(app.stats().handled).toBe(0)

    // The other process quits: the next calls go through.
    await rm(join(journal, 'journal.lock'))
    await expect
      .poll(async () => (await call(app, 'app:info')).status, { timeout: 5_000 })
      .toBe(200)
    expect(app.folderInUse()).toBeNull()
  })
})

describe('staged files', () => {
  it('are kept while an unfinished send names them, and removed once nothing does', async () => {
    // An unfinished send of another store, left in its journal by a crash.
    const folder = join(stagedFilesDir(dir), randomUUID())
    await mkdir(folder, { recursive: true })
    const pending = join(folder, 'pending.stl')
    await writeFile(pending, boxStl(1, 1, 1))
    const journal = await openJournal({
      dir: join(storeDataDir(dir, 'otherstoreaaaaaaaaaaaaa'), 'journal'),
      empty: emptySendState,
      apply: applySendEntry,
      toSnapshot: (s) => sendStateToSnapshot(s, Date.now()),
      fromSnapshot: sendStateFromSnapshot
    })
    await journal.append({
      type: 'job',
      jobId: 'j1',
      createdAt: 1,
      request: { items: [{ path: pending, quantity: 1 }], routing: { mode: 'any' } }
    })
    await journal.close()

    const app = await start({ stagingRetainMs: 0 })
    // The start-up clean-up ran: the pending send's file stays.
    expect(app.staging.list()).toEqual([pending])
    const unused = await stage(app, 'unused.stl', boxStl(2, 2, 2))
    expect(await app.collectStaged()).toEqual([unused])
    expect(app.staging.list()).toEqual([pending])
    // Once removed, the page can no longer name it.
    const gone = await call(app, 'files:hash', { path: unused })
    expect(gone).toMatchObject({ ok: false, error: { code: 'not-staged' } })
  })
})

describe('start-up checks', () => {
  it('refuses --no-auth off loopback, and a wildcard address', async () => {
    await expect(startWebApp({ dataDir: dir, host: '10.1.2.3', auth: false })).rejects.toThrow(
      /--no-auth is only for tests/
    )
    await expect(startWebApp({ dataDir: dir, host: '0.0.0.0' })).rejects.toThrow(/every interface/)
    await expect(startWebApp({ dataDir: dir, host: '::' })).rejects.toThrow(/every interface/)
    await expect(startWebApp({ dataDir: dir, host: 'localhost' })).rejects.toThrow(/IP address/)
  })
})
