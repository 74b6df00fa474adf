import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import { channels, RENDERER_READY, type HandlerTable } from '../shared/ipc'
import {
  APP_ORIGIN,
  registerIpcHandlers,
  registerReadySignal,
  type IpcMainOnLike,
  resolveAppFile,
  type IpcMainLike,
  denyWebviews,
  hardenSession,
  hardenWebContents,
  isAllowedNavigation,
  isTrustedSender,
  secureWebPreferences
} from './security'
import { allowedExternalUrl } from '../core/infra/external-links'
import { redact } from '../core/infra/log'

describe('window options', () => {
  const prefs = secureWebPreferences('/app/preload.cjs')
  it.each([
    ['contextIsolation', true],
    ['sandbox', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['experimentalFeatures', false],
    ['webviewTag', false],
    ['navigateOnDragDrop', false],
    ['disableBlinkFeatures', 'Auxclick'],
    ['enableBlinkFeatures', undefined]
  ])('%s is %s', (key, value) => {
    expect(prefs[key]).toBe(value)
  })
})

describe('IPC sender check', () => {
  it('accepts only our top-level UI', () => {
    expect(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, parent: null })).toBe(true)
    expect(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, parent: {} })).toBe(false)
    expect(isTrustedSender({ url: 'file:///tmp/evil.html', parent: null })).toBe(false)
    expect(isTrustedSender({ url: 'https://evil.example/', parent: null })).toBe(false)
    expect(isTrustedSender({ url: 'app://other/index.html', parent: null })).toBe(false)
    expect(isTrustedSender(null)).toBe(false)
    expect(isTrustedSender({ url: 'not a url', parent: null })).toBe(false)
    expect(
      isTrustedSender({ url: 'http://localhost:5173/', parent: null }, 'http://localhost:5173')
    ).toBe(true)
    expect(
      isTrustedSender({ url: 'http://localhost:5174/', parent: null }, 'http://localhost:5173')
    ).toBe(false)
  })

  it('refuses navigation to dropped files and other sites', () => {
    for (const target of [
      'file:///home/u/model.stl',
      'file:///etc/passwd',
      'https://example.com',
      'javascript:alert(1)',
      'data:text/html,x',
      'smb://host/share',
      'ms-msdt:/id'
    ])
      expect(isAllowedNavigation(target)).toBe(false)
    expect(isAllowedNavigation(`${APP_ORIGIN}/index.html`)).toBe(true)
  })
})

describe('open external', () => {
  it('allows only https Printago hosts', () => {
    expect(allowedExternalUrl('https://app.printago.io/queue')).toBe(
      'https://app.printago.io/queue'
    )
    expect(allowedExternalUrl('https://docs.printago.io/docs/api')).not.toBeNull()
    for (const bad of [
      'http://app.printago.io/',
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://app.printago.io.evil.com/',
      'https://evil.com/?app.printago.io',
      'https://user:pw@app.printago.io/',
      'https://app.printago.io:8443/',
      'smb://app.printago.io/x',
      'not a url',
      ''
    ])
      expect(allowedExternalUrl(bad), bad).toBeNull()
  })
})

describe('content security policy', () => {
  const html = readFileSync('src/renderer/index.html', 'utf8')
  const csp = /Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1] ?? ''
  it('is strict: no remote origins, no inline or eval script', () => {
    expect(csp).toContain("default-src 'self'")
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("object-src 'none'")
    expect(csp).toContain("base-uri 'none'")
    expect(csp).not.toMatch(/unsafe-eval|unsafe-inline|https?:|\*/)
  })
})

describe('session and web contents hardening', () => {
  it('denies every permission request and check', () => {
    let request: ((wc: unknown, p: string, cb: (g: boolean) => void) => void) | null = null
    let check: ((...a: unknown[]) => boolean) | null = null
    hardenSession({
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h)
    })
    for (const p of [
      'media',
      'geolocation',
      'notifications',
      'clipboard-read',
      'openExternal',
      'fileSystem'
    ]) {
      let granted: boolean | null = null
      request!(null, p, (g) => (granted = g))
      expect(granted, p).toBe(false)
      expect(check!(null, p, 'app://bundle')).toBe(false)
    }
  })

  it('denies window.open and blocks navigation and redirects away from the app', () => {
    const listeners: Record<string, (e: { preventDefault(): void }, url: string) => void> = {}
    let open: ((d: { url: string }) => { action: string }) | null = null
    hardenWebContents({
      setWindowOpenHandler: (h) => (open = h),
      on: (ev, l) => (listeners[ev] = l)
    })
    expect(open!({ url: 'https://app.printago.io' })).toEqual({ action: 'deny' })
    for (const event of ['will-navigate', 'will-redirect']) {
      for (const [url, blocked] of [
        ['file:///home/user/Downloads/model.stl', true],
        ['https://evil.example', true],
        ['javascript:alert(1)', true],
        [`${APP_ORIGIN}/index.html`, false]
      ] as const) {
        let prevented = false
        listeners[event]!({ preventDefault: () => (prevented = true) }, url)
        expect(prevented, `${event} ${url}`).toBe(blocked)
      }
    }
  })
})

describe('IPC registration', () => {
  function fakeIpc(): {
    ipc: IpcMainLike
    handlers: Map<string, Parameters<IpcMainLike['handle']>[1]>
  } {
    const handlers = new Map<string, Parameters<IpcMainLike['handle']>[1]>()
    return { ipc: { handle: (c, l) => void handlers.set(c, l) }, handlers }
  }
  const table = Object.fromEntries(
    Object.keys(channels).map((c) => [c, async (p: unknown) => ({ ok: true, value: p })])
  ) as unknown as HandlerTable

  it('takes the ready signal from our UI only', () => {
    const listeners = new Map<string, Parameters<IpcMainOnLike['on']>[1]>()
    const ready: unknown[] = []
    registerReadySignal({ on: (c, l) => listeners.set(c, l) }, (sender) => ready.push(sender))
    expect([...listeners.keys()]).toEqual([RENDERER_READY])
    expect(Object.keys(channels)).not.toContain(RENDERER_READY)
    const signal = listeners.get(RENDERER_READY)!
    signal({ senderFrame: { url: 'https://evil.example/', parent: null }, sender: 'evil' })
    signal({ senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: {} }, sender: 'iframe' })
    signal({ senderFrame: null, sender: 'gone' })
    signal({ senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: null }, sender: 'ui' })
    expect(ready).toEqual(['ui'])
  })

  it("aborts a page's calls in flight when it reloads or is destroyed", async () => {
    const { ipc, handlers } = fakeIpc()
    const signals: AbortSignal[] = []
    const spy = Object.fromEntries(
      Object.keys(channels).map((c) => [
        c,
        async (_p: unknown, call?: { signal?: AbortSignal }) => {
          signals.push(call!.signal!)
          return { ok: true, value: null }
        }
      ])
    ) as unknown as HandlerTable
    registerIpcHandlers(ipc, spy)
    const { EventEmitter } = await import('node:events')
    const page = new EventEmitter()
    const frame = { url: `${APP_ORIGIN}/index.html`, parent: null }
    const invoke = (): unknown =>
      handlers.get('files:hash')!({ senderFrame: frame, sender: page as never }, { path: '/a' })
    await invoke()
    expect(signals[0]!.aborted).toBe(false)
    page.emit('did-start-navigation', { isMainFrame: true, isSameDocument: false })
    expect(signals[0]!.aborted).toBe(true)
    // The reloaded page's calls get a fresh signal, aborted when the page is destroyed.
    await invoke()
    expect(signals[1]!.aborted).toBe(false)
    page.emit('did-start-navigation', { isMainFrame: true, isSameDocument: true })
    expect(signals[1]!.aborted).toBe(false)
    page.emit('destroyed')
    expect(signals[1]!.aborted).toBe(true)
  })

  it('registers exactly the contract channels', () => {
    const { ipc, handlers } = fakeIpc()
    registerIpcHandlers(ipc, table)
    expect([...handlers.keys()].sort()).toEqual(Object.keys(channels).sort())
  })

  it('refuses 1,000 messages from foreign frames on every channel, accepts our UI', async () => {
    const { ipc, handlers } = fakeIpc()
    registerIpcHandlers(ipc, table)
    const frames = [
      null,
      { url: 'https://evil.example/', parent: null },
      { url: `${APP_ORIGIN}/index.html`, parent: { url: APP_ORIGIN } },
      { url: 'file:///tmp/x.html', parent: null },
      { url: 'app://other/index.html', parent: null },
      { url: 'devtools://devtools/bundled/x.html', parent: null },
      { url: 'data:text/html,<script>1</script>', parent: null },
      { url: 'http://127.0.0.1:5173/', parent: null }
    ]
    let accepted = 0
    let sent = 0
    const names = [...handlers.keys()]
    for (let i = 0; i < 1000; i++) {
      const frame = frames[i % frames.length]!
      const listener = handlers.get(names[i % names.length]!)!
      const res = (await listener({ senderFrame: frame }, { any: i })) as {
        ok: boolean
        error?: { code: string }
      }
      sent++
      if (res.ok) accepted++
      else expect(res.error?.code).toBe('forbidden-sender')
    }
    expect(sent).toBe(1000)
    expect(accepted).toBe(0)
    const ours = (await handlers.get('store:status')!(
      { senderFrame: { url: `${APP_ORIGIN}/index.html`, parent: null } },
      undefined
    )) as { ok: boolean }
    expect(ours.ok).toBe(true)
  })
})

describe('app:// protocol files', () => {
  const root = '/opt/app/out/renderer'
  it('serves files of the built renderer only', () => {
    expect(resolveAppFile(root, `${APP_ORIGIN}/index.html`)).toBe(`${root}/index.html`)
    expect(resolveAppFile(root, `${APP_ORIGIN}/assets/index-abc.js`)).toBe(
      `${root}/assets/index-abc.js`
    )
    // The URL parser already folds literal dot segments: the result stays inside the renderer.
    expect(resolveAppFile(root, `${APP_ORIGIN}/../../etc/passwd`)).toBe(`${root}/etc/passwd`)
    expect(resolveAppFile(root, `${APP_ORIGIN}/%2e%2e/%2e%2e/etc/passwd`)).toBe(
      `${root}/etc/passwd`
    )
    for (const bad of [
      `${APP_ORIGIN}/assets/..%2f..%2f..%2fetc%2fpasswd`,
      `${APP_ORIGIN}/..%5c..%5cwindows%5cwin.ini`,
      `${APP_ORIGIN}/%00index.html`,
      `${APP_ORIGIN}/%E0%A4%A`,
      `${APP_ORIGIN}/`,
      'app://other/index.html',
      'file:///etc/passwd',
      'not a url'
    ])
      expect(resolveAppFile(root, bad), bad).toBeNull()
  })
})

describe('log redaction', () => {
  it('never writes keys or printer secrets', () => {
    const key = 'a1b2c3d4e5f6g7h8i9j0k1l2' + 'x'.repeat(48)
    const line = redact(
      `connect ${key} {"dev_access_code":"12345678","password":"hunter2","apiKey":"${key}"} authorization: ApiKey ${key}`
    )
    expect(line).not.toContain(key)
    expect(line).not.toContain('12345678')
    expect(line).not.toContain('hunter2')
  })
})

describe('webviews', () => {
  it('refuses to attach any webview', () => {
    let listener: ((e: { preventDefault(): void }) => void) | null = null
    denyWebviews({ on: (_ev, l) => (listener = l) })
    let prevented = false
    listener!({ preventDefault: () => (prevented = true) })
    expect(prevented).toBe(true)
  })
})
