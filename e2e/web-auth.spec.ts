// The browser mode's sign-in, in Chromium, through the real pages: a browser without the session
// sees how to get in; the address the server printed lets it in (and leaves the address bar);
// localhost works; a DNS-rebinding page (a foreign name resolving to 127.0.0.1) gets nothing; a
// data folder another process uses is a clear page until it is free. These tests start from
// browser contexts of their own: the `web` fixture's context already holds the session cookie.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import type { Browser, BrowserContext } from '@playwright/test'

import { startScript } from '../src/test-support/processes'
import { sessionCookieName } from '../src/web/session-token'
import { connectStore, expect, test } from './fixtures'

/** A browser context that has never been let in. */
async function fresh(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1100, height: 760 } })
}

test('the printed address lets a fresh browser in; without it the page says how', async ({
  browser,
  web
}, info) => {
  const context = await fresh(browser)
  try {
    const page = await context.newPage()
    const response = await page.goto(web.url)
    expect(response?.status()).toBe(401)
    await expect(page.getByTestId('sign-in')).toBeVisible()
    await expect(page.locator('pre')).toHaveText(`${web.url}/#token=…`)
    // The page sends people to the terminal's newest lines, where the address is repeated.
    await expect.poll(() => web.output()).toContain(`without its token. Open:  ${web.signInUrl}`)
    await page.screenshot({ path: info.outputPath('sign-in.png') })
    // The page cannot use the app's calls, files or events.
    const statuses = await page.evaluate(async () =>
      Promise.all([
        fetch('/__bridge/invoke/app%3Ainfo', { method: 'POST', body: 'null' }).then(
          (r) => r.status
        ),
        fetch('/__bridge/stage', { method: 'POST', body: 'solid x' }).then((r) => r.status),
        fetch('/__bridge/events').then((r) => r.status)
      ])
    )
    expect(statuses).toEqual([401, 401, 401])

    await page.goto(web.signInUrl)
    await expect(page.getByTestId('first-run')).toBeVisible()
    // The token left the address bar; the session is a cookie page scripts cannot read.
    expect(page.url()).toBe(`${web.url}/`)
    expect(await page.evaluate(() => document.cookie)).toBe('')
    const cookies = await context.cookies(web.url)
    expect(cookies).toEqual([
      expect.objectContaining({
        name: sessionCookieName(Number(new URL(web.url).port)),
        httpOnly: true,
        sameSite: 'Strict'
      })
    ])
    await page.getByTestId('use-demo').click()
    await expect(page.getByTestId('store-banner')).toContainText('Demo')
    await page.reload()
    await expect(page.getByTestId('store-banner')).toContainText('Demo')
  } finally {
    await context.close()
  }
})

test('a wrong or outdated token says so; a session that ends returns to the sign-in page', async ({
  browser,
  web
}, info) => {
  const context = await fresh(browser)
  try {
    const page = await context.newPage()
    await page.goto(`${web.url}/#token=not-the-token`)
    const status = page.getByTestId('sign-in-status')
    await expect(status).toContainText('not valid')
    await expect(status).toHaveClass(/error/)
    expect(page.url()).toBe(`${web.url}/`)
    await page.screenshot({ path: info.outputPath('sign-in-wrong-token.png') })

    await page.goto(web.signInUrl)
    await expect(page.getByTestId('first-run')).toBeVisible()
    // The server was restarted (new token): the old cookie no longer opens anything.
    const [cookie] = await context.cookies(web.url)
    await context.addCookies([{ ...cookie!, value: 'an-older-token' }])
    await page.getByTestId('use-demo').click()
    await expect(page.getByTestId('sign-in')).toBeVisible()
  } finally {
    await context.close()
  }
})

test('localhost works: the same app under the name localhost', async ({ browser, web }) => {
  const context = await fresh(browser)
  try {
    const page = await context.newPage()
    const port = new URL(web.url).port
    await page.goto(`http://localhost:${port}/#token=${web.token}`)
    await expect(page.getByTestId('first-run')).toBeVisible()
    expect(page.url()).toBe(`http://localhost:${port}/`)
    await page.getByTestId('use-demo').click()
    await expect(page.getByTestId('store-banner')).toContainText('Demo')
  } finally {
    await context.close()
  }
})

test('a DNS-rebinding page (a foreign name on 127.0.0.1) gets nothing, token or not', async ({
  playwright,
  web
}, info) => {
  // Chromium resolves rebind.example to 127.0.0.1, as a rebinding attacker's DNS would.
  const launch = info.project.use.launchOptions ?? {}
  const browser = await playwright.chromium.launch({
    ...launch,
    args: [...(launch.args ?? []), '--host-resolver-rules=MAP rebind.example 127.0.0.1']
  })
  try {
    const page = await browser.newPage()
    const port = new URL(web.url).port
    const response = await page.goto(`http://rebind.example:${port}/#token=${web.token}`)
    expect(response?.status()).toBe(403)
    // Same-origin for the browser, so nothing but the Host header tells it apart.
    const statuses = await page.evaluate(async (token: string) => {
      const auth = { authorization: `Bearer ${token}` }
      return Promise.all([
        fetch('/__bridge/invoke/app%3Ainfo', { method: 'POST', headers: auth, body: 'null' }).then(
          (r) => r.status
        ),
        fetch('/__bridge/events', { headers: auth }).then((r) => r.status),
        fetch('/__bridge/session', { method: 'POST', headers: auth }).then((r) => r.status)
      ])
    }, web.token)
    expect(statuses).toEqual([403, 403, 403])
    expect((await browser.contexts()[0]!.cookies()).length).toBe(0)
  } finally {
    await browser.close()
  }
})

test('a data folder another process uses: a clear page until it is free', async ({
  browser
}, info) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'printago-e2e-inuse-'))
  const journal = join(dataDir, 'stores', 'demo', 'journal')
  mkdirSync(journal, { recursive: true })
  // A live process other than the server holds the demo store's journal (this test runner
  // stands in for the desktop app).
  writeFileSync(join(journal, 'journal.lock'), String(process.pid))
  const server = startScript('src/web/serve.ts', [
    '--port',
    '0',
    '--data-dir',
    dataDir,
    '--keys',
    'memory'
  ])
  const context = await fresh(browser)
  try {
    const opened = await server.waitForOutput(/Open: +(http:\/\/\S+)\n/)
    await server.waitForOutput(/Waiting: The data folder .* is in use by another Printago Send/)
    const page = await context.newPage()
    await page.goto(opened[1]!)
    await expect(page.getByTestId('in-use')).toBeVisible()
    await expect(page.getByRole('alert')).toContainText(`(process ${process.pid})`)
    await page.screenshot({ path: info.outputPath('data-folder-in-use.png') })

    rmSync(join(journal, 'journal.lock'))
    await page.getByRole('link', { name: 'Try again' }).click()
    await expect(page.getByTestId('first-run')).toBeVisible()
  } finally {
    await context.close()
    await server.stop()
    rmSync(dataDir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 })
  }
})

test.describe('keys without a system keyring', () => {
  test.use({ webKeys: 'file' })

  test('are stored in a 0600 file after a warning, and never reach the page', async ({
    page,
    web,
    standaloneSandbox: sb
  }, info) => {
    await connectStore(page, web, sb)
    // No keyring here: the user is told, and chooses.
    await expect(page.getByTestId('connect-error')).toContainText(
      'stored in a file only your account can read'
    )
    await page.getByRole('button', { name: 'Store anyway' }).click()
    await expect(page.getByTestId('store-banner')).toContainText('Printago')

    const keyFile = join(web.dataDir, 'api-keys.json')
    expect(statSync(keyFile).mode & 0o777).toBe(0o600)
    expect(readFileSync(keyFile, 'utf8')).toContain(sb.apiKey)
    await page.getByTestId('open-settings').click()
    await expect(page.getByTestId('key-protection')).toContainText(
      'stored in a file only your account can read'
    )
    await expect(page.getByTestId('key-protection')).toContainText('no system keyring')
    await page.screenshot({ path: info.outputPath('settings-weak-keys.png') })
    expect(await page.content()).not.toContain(sb.apiKey)
  })
})
