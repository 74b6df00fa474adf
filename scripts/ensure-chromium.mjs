// Makes sure the browser tests have a Chromium: the system one or $CHROMIUM_PATH if present;
// otherwise Debian's `chromium` package when running as root with apt (machines without access to
// Playwright's CDN), otherwise Playwright's own download; otherwise a clear message.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

import { findChromium } from './chromium-path.mjs'

function run(cmd, args) {
  return (
    spawnSync(cmd, args, {
      stdio: 'inherit',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    }).status === 0
  )
}

async function playwrightBrowser() {
  try {
    const { chromium } = await import('@playwright/test')
    const p = chromium.executablePath()
    return p && existsSync(p) ? p : null
  } catch {
    return null
  }
}

let path = findChromium() ?? (await playwrightBrowser())
if (!path && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
  console.log('ensure-chromium: installing Debian chromium (apt-get)…')
  if (run('apt-get', ['update', '-qq']) && run('apt-get', ['install', '-y', '-qq', 'chromium']))
    path = findChromium()
}
if (!path && !process.env.PW_NO_DOWNLOAD) {
  console.log('ensure-chromium: trying Playwright’s own Chromium download…')
  if (run('npx', ['playwright', 'install', 'chromium'])) path = await playwrightBrowser()
}
if (!path) {
  console.error(
    'ensure-chromium: no Chromium found. Install one (Debian: `sudo apt-get install chromium`; elsewhere: `npx playwright install chromium`) or set CHROMIUM_PATH.'
  )
  process.exit(1)
}
console.log(`ensure-chromium: using ${path}`)
