// The bridge's guards over real HTTP, with a handler table that records every call: a request
// without the token, with a foreign Host (DNS rebinding), a foreign Origin or from another site's
// page is refused before any handler runs, and so is a call naming a file the page was not given.
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { channels, type Channel } from '../shared/ipc'
import { ok } from '../shared/result'
import { createHandlerTable, type Implementations } from '../core/handler-table'
import { tempDir } from '../test-support/temp'
import { startBridgeServer, type BridgeServer } from './bridge-server'
import { newSessionToken, sessionCookieName } from './session-token'
import { openStagingArea, type StagingArea } from './staging'
import { raw } from './test-client'

let dir: string
let cleanup: () => Promise<void>
let staging: StagingArea
let calls: Array<{ channel: Channel; payload: unknown }>
let servers: BridgeServer[]

/** A handler table whose implementations only record that they ran. */
function recordingTable(): ReturnType<typeof createHandlerTable> {
  const impl = Object.fromEntries(
    (Object.keys(channels) as Channel[]).map((channel) => [
      channel,
      async (payload: unknown) => {
        calls.push({ channel, payload })
        return ok({ ran: channel })
      }
    ])
  ) as unknown as Implementations
  return createHandlerTable(impl)
}

let signInPages = 0

async function start(
  options: { token?: string | null; host?: string } = {}
): Promise<{ bridge: BridgeServer; token: string | null; port: number }> {
  const token = options.token === undefined ? newSessionToken() : options.token
  const table = recordingTable()
  const bridge = await startBridgeServer(
    {
      staticDir: join(dir, 'renderer'),
      clientScript: '/* client */',
      token,
      staging,
      host: options.host,
      onSignInPage: () => signInPages++
    },
    () => table
  )
  servers.push(bridge)
  return { bridge, token, port: bridge.port }
}

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('printago-bridge-'))
  await mkdir(join(dir, 'renderer/assets'), { recursive: true })
  await writeFile(
    join(dir, 'renderer/index.html'),
    '<!doctype html><html><head><title>app</title></head><body>app</body></html>'
  )
  await writeFile(join(dir, 'renderer/assets/app.js'), 'console.log(1)')
  staging = await openStagingArea(join(dir, 'staged'), { retainMs: 60_000 })
  calls = []
  servers = []
  signInPages = 0
})

afterEach(async () => {
  for (const s of servers) await s.close()
  await cleanup()
})

const invoke = (channel: string): string => `/__bridge/invoke/${encodeURIComponent(channel)}`

describe('requests refused before any handler runs', () => {
  it('without the token, with a wrong one, or with another server’s cookie', async () => {
    const { bridge, token, port } = await start()
    const other = newSessionToken()
    const attempts: Array<Record<string, string>> = [
      {},
      { authorization: `Bearer ${other}` },
      { authorization: `Bearer ${token!.slice(0, -1)}` },
      { authorization: token! },
      { cookie: `${sessionCookieName(port)}=${other}` },
      // The right token under another port's cookie name belongs to another server.
      { cookie: `${sessionCookieName(port + 1)}=${token}` }
    ]
    for (const headers of attempts) {
      const res = await raw(bridge.url, 'POST', invoke('app:info'), { headers, body: 'null' })
      expect(res.status).toBe(401)
      expect(res.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } })
    }
    const stage = await raw(bridge.url, 'POST', '/__bridge/stage', {
      headers: { 'x-file-name': 'a.stl' },
      body: 'solid a'
    })
    expect(stage.status).toBe(401)
    const events = await raw(bridge.url, 'GET', '/__bridge/events')
    expect(events.status).toBe(401)
    const asset = await raw(bridge.url, 'GET', '/assets/app.js')
    expect(asset.status).toBe(401)

    expect(calls).toEqual([])
    expect(staging.list()).toEqual([])
    expect(bridge.stats()).toEqual({
      refused: { host: 0, origin: 0, 'fetch-site': 0, token: attempts.length + 3, path: 0 },
      handled: 0
    })
  })

  it('with a foreign Host: a DNS-rebinding page, even when it carries the token', async () => {
    const { bridge, token, port } = await start()
    const auth = { authorization: `Bearer ${token}` }
    const hosts = [
      `attacker.example:${port}`,
      // Its own origin, as a rebinding page's requests are same-origin for the browser.
      `rebind.attacker.example:${port}`,
      `127.0.0.1:${port + 1}`,
      `localhost`,
      `127.0.0.1`,
      `localhost.:${port}`,
      `[::1]:${port}`,
      ''
    ]
    for (const host of hosts) {
      const headers = { ...auth, host, origin: `http://${host}` }
      for (const [method, path, body] of [
        ['POST', invoke('app:info'), 'null'],
        ['GET', '/__bridge/events', undefined],
        ['POST', '/__bridge/stage', 'solid a'],
        ['GET', '/', undefined],
        ['POST', '/__bridge/session', undefined]
      ] as const) {
        const res = await raw(bridge.url, method, path, { headers, body })
        expect(res.status, `${host} ${method} ${path}`).toBe(403)
      }
    }
    expect(calls).toEqual([])
    expect(staging.list()).toEqual([])
    expect(bridge.stats().refused.host).toBe(hosts.length * 5)
    expect(bridge.stats().handled).toBe(0)
  })

  it('with a foreign Origin, or from another site’s page (Fetch Metadata)', async () => {
    const { bridge, token, port } = await start()
    const auth = { authorization: `Bearer ${token}` }
    const origins = [
      'http://attacker.example',
      `http://127.0.0.1:${port + 1}`,
      `https://127.0.0.1:${port}`,
      `http://localhost:${port + 1}`,
      'null'
    ]
    for (const origin of origins) {
      const res = await raw(bridge.url, 'POST', invoke('app:info'), {
        headers: { ...auth, origin },
        body: 'null'
      })
      expect(res.status, origin).toBe(403)
    }
    // A no-cors request from another port of this host sends no Origin on GET, but says where
    // it comes from; a form post sends its Origin.
    for (const site of ['cross-site', 'same-site']) {
      const res = await raw(bridge.url, 'GET', '/__bridge/events', {
        headers: { ...auth, 'sec-fetch-site': site }
      })
      expect(res.status).toBe(403)
    }
    expect(calls).toEqual([])
    expect(bridge.stats().refused).toMatchObject({ origin: origins.length, 'fetch-site': 2 })
    expect(bridge.stats().handled).toBe(0)
  })

  it('a call naming a file the page was not given (any file of this computer)', async () => {
    const { bridge, token } = await start()
    const auth = { authorization: `Bearer ${token}` }
    const staged = await raw(bridge.url, 'POST', '/__bridge/stage', {
      headers: { ...auth, 'x-file-name': encodeURIComponent('part.stl') },
      body: 'solid part\nendsolid part\n'
    })
    const stagedPath = staged.json<{ path: string }>().path
    expect(staging.has(stagedPath)).toBe(true)

    const foreign = [
      '/etc/passwd',
      join(staging.dir, '..', 'settings.json'),
      `${stagedPath}/../../x`,
      `${stagedPath} `,
      staging.dir
    ]
    for (const path of foreign) {
      const hash = await raw(bridge.url, 'POST', invoke('files:hash'), {
        headers: auth,
        body: JSON.stringify({ path })
      })
      expect(hash.status).toBe(403)
      expect(hash.json()).toMatchObject({ ok: false, error: { code: 'not-staged' } })
    }
    // One foreign path among staged ones refuses the whole send.
    const send = await raw(bridge.url, 'POST', invoke('send:start'), {
      headers: auth,
      body: JSON.stringify({
        items: [
          { path: stagedPath, quantity: 1 },
          { path: '/home/someone/.ssh/id_rsa', quantity: 1 }
        ],
        routing: { mode: 'any' }
      })
    })
    expect(send.status).toBe(403)
    expect(calls).toEqual([])
    expect(bridge.stats()).toMatchObject({ handled: 0, refused: { path: foreign.length + 1 } })

    // The staged file itself goes through, in both channels.
    const okHash = await raw(bridge.url, 'POST', invoke('files:hash'), {
      headers: auth,
      body: JSON.stringify({ path: stagedPath })
    })
    expect(okHash.json()).toEqual({ ok: true, value: { ran: 'files:hash' } })
    const okSend = await raw(bridge.url, 'POST', invoke('send:start'), {
      headers: auth,
      body: JSON.stringify({ items: [{ path: stagedPath, quantity: 1 }], routing: { mode: 'any' } })
    })
    expect(okSend.json()).toEqual({ ok: true, value: { ran: 'send:start' } })
    expect(calls.map((c) => c.channel)).toEqual(['files:hash', 'send:start'])
    expect(bridge.stats().handled).toBe(2)
  })
})

describe('what is let in', () => {
  it('localhost and 127.0.0.1 on the right port, with the token', async () => {
    const { bridge, token, port } = await start()
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST:${port}`]) {
      const res = await raw(bridge.url, 'POST', invoke('app:info'), {
        headers: {
          host,
          origin: `http://${host}`,
          'sec-fetch-site': 'same-origin',
          authorization: `Bearer ${token}`
        },
        body: 'null'
      })
      expect(res.status, host).toBe(200)
    }
    expect(calls).toHaveLength(3)
    expect(bridge.stats().handled).toBe(3)
  })

  it('the sign-in sets an HttpOnly, SameSite=Strict cookie that then opens everything', async () => {
    const { bridge, token, port } = await start()
    const wrong = await raw(bridge.url, 'POST', '/__bridge/session', {
      headers: { authorization: `Bearer ${newSessionToken()}` }
    })
    expect(wrong.status).toBe(401)
    expect(wrong.headers['set-cookie']).toBeUndefined()

    const signIn = await raw(bridge.url, 'POST', '/__bridge/session', {
      headers: { authorization: `Bearer ${token}`, origin: bridge.url }
    })
    expect(signIn.status).toBe(200)
    const cookie = signIn.headers['set-cookie']![0]!
    expect(cookie).toBe(`${sessionCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`)

    const headers = { cookie: cookie.split(';')[0]! }
    const page = await raw(bridge.url, 'GET', '/', { headers })
    expect(page.status).toBe(200)
    expect(page.text).toContain('<script src="/__bridge/client.js"></script>')
    expect(page.headers['x-frame-options']).toBe('DENY')
    expect(page.headers['content-security-policy']).toBe("frame-ancestors 'none'")
    expect((await raw(bridge.url, 'GET', '/assets/app.js', { headers })).status).toBe(200)

    const events = await raw(bridge.url, 'GET', '/__bridge/events', { headers })
    expect(events.status).toBe(200)
    expect(events.text).toContain(': connected')
    const call = await raw(bridge.url, 'POST', invoke('settings:get'), { headers, body: 'null' })
    expect(call.json()).toEqual({ ok: true, value: { ran: 'settings:get' } })
  })

  it('without a session, a page address shows how to get in (and the terminal’s address)', async () => {
    const { bridge } = await start()
    for (const path of ['/', '/index.html', '/settings']) {
      const res = await raw(bridge.url, 'GET', path)
      expect(res.status).toBe(401)
      expect(res.headers['content-type']).toContain('text/html')
      expect(res.headers['content-security-policy']).toContain("script-src 'self'")
      expect(res.text).toContain('data-testid="sign-in"')
      expect(res.text).toContain(`${bridge.url}/#token=…`)
      expect(res.text).not.toContain('<title>app</title>')
    }
    // What the sign-in page loads is public; it holds nothing of the session.
    expect((await raw(bridge.url, 'GET', '/__bridge/client.js')).status).toBe(200)
    expect((await raw(bridge.url, 'GET', '/__bridge/notice.css')).status).toBe(200)
    expect(calls).toEqual([])
    // Each page shown lets the host repeat the address in its terminal; API refusals do not.
    expect(signInPages).toBe(3)
    await raw(bridge.url, 'POST', invoke('app:info'), { body: 'null' })
    expect(signInPages).toBe(3)
  })

  it('with no sign-in (tests), the Host and Origin checks still hold', async () => {
    const { bridge, port } = await start({ token: null })
    expect((await raw(bridge.url, 'POST', invoke('app:info'), { body: 'null' })).status).toBe(200)
    const rebind = await raw(bridge.url, 'POST', invoke('app:info'), {
      headers: { host: `evil.example:${port}` },
      body: 'null'
    })
    expect(rebind.status).toBe(403)
    const foreign = await raw(bridge.url, 'POST', invoke('app:info'), {
      headers: { origin: 'http://evil.example' },
      body: 'null'
    })
    expect(foreign.status).toBe(403)
    expect(calls).toHaveLength(1)
  })

  it('bound to ::1, [::1] is its name too', async (ctx) => {
    let started: Awaited<ReturnType<typeof start>>
    try {
      started = await start({ host: '::1' })
    } catch {
      return ctx.skip() // no IPv6 loopback on this machine
    }
    const { bridge, token, port } = started
    expect(bridge.url).toBe(`http://[::1]:${port}`)
    const res = await raw(bridge.url, 'POST', invoke('app:info'), {
      headers: { origin: `http://[::1]:${port}`, authorization: `Bearer ${token}` },
      body: 'null'
    })
    expect(res.status).toBe(200)
  })
})
