import { readFileSync } from 'node:fs'

import { describe, expect, it } from 'vitest'

import {
  APP_ORIGIN,
  hardenSession,
  hardenWebContents,
  isAllowedNavigation,
  isTrustedSender,
  secureWebPreferences
} from './security'
import { allowedExternalUrl } from './services/external-links'

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
