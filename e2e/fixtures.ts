// One isolated app per test: `npm run web` (bridge + app core + demo sandbox) in a child process
// with its own data dir, on a free loopback port. Tests drive the real built renderer in Chromium
// and check what the sandbox received through its admin API.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { test as base, expect, type Page } from '@playwright/test'

export interface WebAppHandle {
  url: string
  dataDir: string
  /** Sandbox base URL of the demo store (after the demo was chosen). */
  sandboxUrl(): Promise<string>
  sandbox<T = unknown>(path: string, init?: { method?: string; body?: unknown }): Promise<T>
}

async function startWeb(
  extraArgs: string[]
): Promise<{ proc: ChildProcess; url: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'printago-e2e-'))
  const proc = spawn(
    'npx',
    ['tsx', 'src/web/serve.ts', '--port', '0', '--data-dir', dataDir, ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe']
    }
  )
  const url = await new Promise<string>((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`web app did not start: ${out}`)), 30_000)
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()))
    proc.on('exit', (code) => reject(new Error(`web app exited (${code}): ${out}`)))
  })
  return { proc, url, dataDir }
}

export const test = base.extend<{ web: WebAppHandle; webArgs: string[] }>({
  webArgs: [['--demo-speed', '40'], { option: true }],
  web: async ({ webArgs }, use) => {
    const { proc, url, dataDir } = await startWeb(webArgs)
    const sandboxUrl = async (): Promise<string> => {
      const res = await fetch(`${url}/__bridge/invoke/app:info`, { method: 'POST', body: 'null' })
      const info = (await res.json()) as { value: { store: { baseUrl: string } } }
      return info.value.store.baseUrl
    }
    await use({
      url,
      dataDir,
      sandboxUrl,
      async sandbox(path, init) {
        const res = await fetch(`${await sandboxUrl()}${path}`, {
          method: init?.method ?? 'GET',
          headers: { 'x-sandbox-admin': '1', 'content-type': 'application/json' },
          body: init?.body === undefined ? undefined : JSON.stringify(init.body)
        })
        // A refused admin call (e.g. a malformed fault) must fail the test, not pass silently.
        if (!res.ok) throw new Error(`sandbox ${path}: ${res.status} ${await res.text()}`)
        return (await res.json()) as never
      }
    })
    // Let the app finish its last writes before its data folder goes.
    const exited = new Promise((resolve) => proc.once('exit', resolve))
    proc.kill('SIGTERM')
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))])
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
})

export { expect }

/** Drops files onto the page as a user would (dragenter → dragover → drop on the window). */
export async function dropFiles(
  page: Page,
  files: Array<{ name: string; path?: string; bytes?: Buffer }>
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

export interface SandboxProcess {
  url: string
  apiKey: string
  storeId: string
  admin<T = unknown>(path: string, init?: { method?: string; body?: unknown }): Promise<T>
  stop(): void
}

/** A standalone sandbox (`npm run sandbox`), for tests that connect with a real key and store id. */
export async function startSandboxProcess(args: string[] = []): Promise<SandboxProcess> {
  const proc = spawn('npx', ['tsx', 'src/sandbox/cli.ts', '--port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe']
  })
  const out = await new Promise<string>((resolve, reject) => {
    let text = ''
    const timer = setTimeout(() => reject(new Error(`sandbox did not start: ${text}`)), 30_000)
    proc.stdout!.on('data', (d: Buffer) => {
      text += d.toString()
      if (/Store ID:\s+\S+/.test(text)) {
        clearTimeout(timer)
        resolve(text)
      }
    })
    proc.on('exit', (code) => reject(new Error(`sandbox exited (${code}): ${text}`)))
  })
  const url = /listening on (http:\/\/\S+)/.exec(out)![1]!
  return {
    url,
    apiKey: /API key:\s+(\S+)/.exec(out)![1]!,
    storeId: /Store ID:\s+(\S+)/.exec(out)![1]!,
    async admin(path, init) {
      const res = await fetch(`${url}${path}`, {
        method: init?.method ?? 'GET',
        headers: { 'x-sandbox-admin': '1', 'content-type': 'application/json' },
        body: init?.body === undefined ? undefined : JSON.stringify(init.body)
      })
      return (await res.json()) as never
    },
    stop: () => void proc.kill('SIGTERM')
  }
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
