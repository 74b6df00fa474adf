// Can Electron run here? Its binary downloads from GitHub on first use (not possible on every
// machine), and on Linux it needs a display. Shared by `npm start` and the Electron e2e spec.
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)

/** The installed Electron binary's path, or null when it was never downloaded. */
export function electronBinary() {
  try {
    const dir = dirname(require.resolve('electron/package.json'))
    const pathTxt = join(dir, 'path.txt')
    if (!existsSync(pathTxt)) return null
    const bin = join(dir, 'dist', readFileSync(pathTxt, 'utf8').trim())
    return existsSync(bin) ? bin : null
  } catch {
    return null
  }
}

/** True on Linux without an X11 or Wayland display. */
export function headlessLinux() {
  return process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY
}
