// Where Printago Send keeps its state (send journal, dedupe cache, history): the same folder
// Electron's `app.getPath('userData')` gives for the app name "Printago Send", so the CLI, the
// browser mode and the desktop app share it. PRINTAGO_DATA_DIR overrides it. Each store gets its
// own subfolder so two stores never share a journal or a dedupe cache.
//
//   settings.json          preferences and saved stores (electron-store / conf)
//   stores/<id>/           one store: journal/, dedupe cache, history, rate-limit log
//   staged-files/<uuid>/   the browser mode's copies of dropped files (sends resume from them)
//   api-keys.json          the browser mode's keys, mode 0600, only where no keyring answers
import { createHash } from 'node:crypto'
import { homedir } from 'node:os'
import { join } from 'node:path'

export const APP_NAME = 'Printago Send'

export interface DataDirInput {
  env?: Record<string, string | undefined>
  platform?: NodeJS.Platform
  home?: string
}

/** The per-user data folder (Electron `userData` for "Printago Send", or PRINTAGO_DATA_DIR). */
export function resolveDataDir(input: DataDirInput = {}): string {
  const env = input.env ?? process.env
  const platform = input.platform ?? process.platform
  const home = input.home ?? homedir()
  const override = env['PRINTAGO_DATA_DIR']
  if (override && override.trim() !== '') return override
  if (platform === 'win32') {
    return join(env['APPDATA'] ?? join(home, 'AppData', 'Roaming'), APP_NAME)
  }
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_NAME)
  const xdg = env['XDG_CONFIG_HOME']
  return join(xdg && xdg.startsWith('/') ? xdg : join(home, '.config'), APP_NAME)
}

/** The subfolder of one store; ids that are not plain cuid2 are hashed so they stay path-safe. */
export function storeDataDir(dataDir: string, storeId: string): string {
  const safe = /^[A-Za-z0-9_-]{1,64}$/.test(storeId)
    ? storeId
    : `store-${createHash('sha256').update(storeId).digest('hex').slice(0, 24)}`
  return join(dataDir, 'stores', safe)
}

/** The browser mode's copies of the files dropped on its page, one folder per file. */
export function stagedFilesDir(dataDir: string): string {
  return join(dataDir, 'staged-files')
}
