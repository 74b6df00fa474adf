// The desktop shell itself (window, preload, app:// protocol, IPC) through Playwright's Electron
// support: first start → demo store → drop → send. Runs wherever an Electron binary is installed.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'

import { _electron as electron, expect, test } from '@playwright/test'

// @ts-expect-error plain .mjs helper shared with scripts/start.mjs
import { electronBinary, headlessLinux } from '../scripts/electron-runnable.mjs'
import { torusStl } from '../src/test-support/stl'

const canRun = electronBinary() !== null && !headlessLinux()

test.describe('Electron shell', () => {
  test.skip(
    !canRun,
    'Electron binary not installed or no display here (it downloads from GitHub); the browser bridge specs cover the same flow'
  )

  test('first run: demo store, drop, send', async ({ browserName }, testInfo) => {
    void browserName // Playwright needs a destructured fixture argument
    const app = await electron.launch({
      args: ['out/main/index.js'],
      env: { ...process.env, NODE_ENV: 'test' }
    })
    const page = await app.firstWindow()
    // The renderer has the named API and no Node.
    expect(
      await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)
    ).toBe('undefined')
    expect(await page.evaluate(() => Object.keys(window.api).sort())).toEqual([
      'app',
      'files',
      'history',
      'printers',
      'send',
      'settings',
      'shell',
      'store'
    ])
    // Navigation away from the app and new windows are refused.
    expect(await page.evaluate(() => window.open('https://example.com'))).toBeNull()
    await page.evaluate(() => (location.href = 'https://example.com')).catch(() => undefined)
    await expect(page).toHaveURL(/^app:\/\/bundle\//)
    await page.getByTestId('use-demo').click()
    await expect(page.getByTestId('store-banner')).toContainText('Demo')
    // A real file on disk, so webUtils.getPathForFile gives main a path to hash and upload.
    const file = testInfo.outputPath('torus.stl')
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, torusStl())
    await page.getByTestId('file-input').setInputFiles(file)
    await expect(page.getByTestId('rendered-tris')).toHaveText('1024')
    // Send it to the demo farm: main hashes, uploads and queues over real IPC.
    await page.getByTestId('send-button').click()
    await expect(page.getByTestId('progress-row').first()).toHaveAttribute('data-step', 'done')
    await page.getByTestId('tab-history').click()
    await expect(page.getByTestId('history-row')).toHaveCount(1)
    await page.screenshot({ path: testInfo.outputPath('electron-first-run.png') })
    await app.close()
  })
})
