// Finds a Chromium for the browser tests: $CHROMIUM_PATH, the system's chromium, or Playwright's own.
import { execSync } from 'node:child_process'
import { existsSync } from 'node:fs'

/** Returns an executable path, or null when none is installed. */
export function findChromium() {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH))
    return process.env.CHROMIUM_PATH
  for (const name of ['chromium', 'chromium-browser', 'google-chrome']) {
    try {
      const p = execSync(`command -v ${name}`, { stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim()
      if (p) return p
    } catch {
      /* not on PATH */
    }
  }
  return null
}
