// One isolated app per test: `npm run web` (bridge + app core + demo sandbox) in a child process
// with its own data dir, on a free loopback port. Tests drive the real built renderer in Chromium
// and check what the sandbox received through its admin API. Every process a test starts is
// stopped with its children before the test ends (src/test-support/processes.ts).
//
// The app runs with its session token, read from the address it prints: the browser context gets
// the session cookie the sign-in page would have set (e2e/web-auth.spec.ts goes through that page
// itself), and direct bridge calls send the token as a bearer header.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { test as base, expect, type Page } from '@playwright/test'

import type { Channel, ChannelResults } from '../src/shared/ipc'
import type { Result } from '../src/shared/result'
import { startScript, type TestProcess } from '../src/test-support/processes'
import { sessionCookieName } from '../src/web/session-token'

/** Calls one bridge channel of the web app, as the renderer's window.api does. */
export async function bridge<C extends Channel>(
  url: string,
  token: string,
  channel: C,
  payload?: unknown
): Promise<ChannelResults[C]> {
  const res = await fetch(`${url}/__bridge/invoke/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
    body: JSON.stringify(payload ?? null)
  })
  const result = (await res.json()) as Result<ChannelResults[C]>
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`)
  return result.value
}

/** Admin calls need the header; a refused one (e.g. a malformed fault) fails the test. */
async function adminCall<T>(
  baseUrl: string,
  path: string,
  init?: { method?: string; body?: unknown }
): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: init?.method ?? 'GET',
    headers: { 'x-sandbox-admin': '1', 'content-type': 'application/json' },
    body: init?.body === undefined ? undefined : JSON.stringify(init.body)
  })
  if (!res.ok) throw new Error(`sandbox ${path}: ${res.status} ${await res.text()}`)
  return (await res.json()) as T
}

export interface WebAppHandle {
  /** `http://127.0.0.1:<port>`: the app, for a browser context that has the session cookie. */
  url: string
  /** The address the server printed, `…/#token=…`, as a person would open it. */
  signInUrl: string
  token: string
  dataDir: string
  /** The server's output so far. */
  output(): string
  /** Sandbox base URL of the demo store (after the demo was chosen). */
  sandboxUrl(): Promise<string>
  sandbox<T = unknown>(path: string, init?: { method?: string; body?: unknown }): Promise<T>
  /** Calls a bridge channel (settings:get, app:info…) to read the app's state directly. */
  invoke<C extends Channel>(channel: C, payload?: unknown): Promise<ChannelResults[C]>
}

export interface SandboxProcess {
  url: string
  apiKey: string
  storeId: string
  admin<T = unknown>(path: string, init?: { method?: string; body?: unknown }): Promise<T>
}

export const test = base.extend<{
  web: WebAppHandle
  webArgs: string[]
  webKeys: 'memory' | 'file'
  standaloneSandbox: SandboxProcess
}>({
  webArgs: [['--demo-speed', '40'], { option: true }],
  webKeys: ['memory', { option: true }],
  web: async ({ webArgs, webKeys, context }, use) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'printago-e2e-'))
    let app: TestProcess | undefined
    try {
      // Keys connected in tests never reach the keyring of the machine running them: memory by
      // default (each test connects anew), the data folder's 0600 file for specs about it.
      app = startScript('src/web/serve.ts', [
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--keys',
        webKeys,
        ...webArgs
      ])
      const opened = await app.waitForOutput(/Open: +(http:\/\/127\.0\.0\.1:(\d+))\/#token=(\S+)\n/)
      const url = opened[1]!
      const port = Number(opened[2])
      const token = opened[3]!
      const signInUrl = `${url}/#token=${token}`
      await context.addCookies([
        {
          name: sessionCookieName(port),
          value: token,
          url,
          httpOnly: true,
          sameSite: 'Strict'
        }
      ])
      const invoke = <C extends Channel>(channel: C, payload?: unknown) =>
        bridge(url, token, channel, payload)
      const sandboxUrl = async (): Promise<string> => {
        const { store } = await invoke('app:info')
        if (!store.baseUrl) throw new Error('no store chosen yet: the demo sandbox is not running')
        return store.baseUrl
      }
      const server = app
      await use({
        url,
        signInUrl,
        token,
        dataDir,
        output: () => server.output(),
        sandboxUrl,
        invoke,
        sandbox: async (path, init) => adminCall(await sandboxUrl(), path, init)
      })
    } finally {
      // The app finishes its last writes and exits, with everything it started, before its data
      // folder goes.
      await app?.stop()
      rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
    }
  },
  // A standalone sandbox (`npm run sandbox`) for tests that connect with a real key and store id.
  // Playwright reads a fixture's dependencies from its destructured first argument: none here.
  // eslint-disable-next-line no-empty-pattern
  standaloneSandbox: async ({}, use) => {
    const proc = startScript('src/sandbox/cli.ts', ['--port', '0'])
    try {
      const out = (await proc.waitForOutput(/Store ID:\s+\S+\n/)).input
      const url = /listening on (http:\/\/\S+)/.exec(out)![1]!
      await use({
        url,
        apiKey: /API key:\s+(\S+)/.exec(out)![1]!,
        storeId: /Store ID:\s+(\S+)/.exec(out)![1]!,
        admin: (path, init) => adminCall(url, path, init)
      })
    } finally {
      await proc.stop()
    }
  }
})

export { expect }

/** Drops files onto the page as a user would (dragenter → dragover → drop on the window). */
export async function dropFiles(
  page: Page,
  files: Array<{ name: string; path?: string; bytes?: Uint8Array }>
): Promise<void> {
  const payload = files.map((f) => ({
    name: f.name,
    bytes: [...(f.bytes ?? readFileSync(f.path!))]
  }))
  const dt = await page.evaluateHandle((list) => {
    const d = new DataTransfer()
    for (const f of list)
      d.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: 'model/stl' }))
    return d
  }, payload)
  for (const type of ['dragenter', 'dragover', 'drop'])
    await page.dispatchEvent('body', type, { dataTransfer: dt })
}

/** Opens the app and chooses the demo store on the first-run screen. */
export async function openWithDemo(page: Page, web: WebAppHandle): Promise<void> {
  await page.goto(web.url)
  await page.getByTestId('use-demo').click()
  await expect(page.getByTestId('store-banner')).toContainText('Demo')
}

/**
 * Opens the app and submits the first-run form for a Printago store at `store.url` (under
 * Advanced); the caller checks the answer (the banner, or the form's error).
 */
export async function connectStore(
  page: Page,
  web: WebAppHandle,
  store: { apiKey: string; storeId: string; url: string }
): Promise<void> {
  await page.goto(web.url)
  await page.getByTestId('connect-start').click()
  await page.getByTestId('api-key').fill(store.apiKey)
  await page.getByTestId('store-id').fill(store.storeId)
  await page.getByText('Advanced').click()
  await page.getByTestId('base-url').fill(store.url)
  await page.getByTestId('connect-button').click()
}

export interface SandboxSummary {
  counts: { parts: number; partBuilds: number; printJobs: number; uploads: number }
  builds: Array<{
    id: string
    partId: string
    label: string
    quantity: number
    tags: Record<string, string>
    jobs: Array<{ id: string; status: string; assignedPrinterId: string | null }>
  }>
  printers: Array<{ id: string; name: string }>
}

/** A screenshot once the viewer has drawn the selected model (the preview renders in a worker). */
export async function shot(page: Page, path: string): Promise<void> {
  await expect(page.getByTestId('rendered-tris')).not.toHaveText('0')
  await page.screenshot({ path })
}
