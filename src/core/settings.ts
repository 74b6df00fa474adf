// The user's preferences: read once from the settings file (a hand-edited file is repaired field
// by field, and what was repaired is shown in the settings screen), then changed by the user.
import type { SettingsView } from '../shared/ipc'
import { sanitizeSettings, type AppSettings, type KeyProtection } from '../shared/settings'
import { createLogger } from './infra/log'

const log = createLogger('settings')

/** Small persistent key-value settings (electron-store in the app, conf in Node). */
export interface SettingsStore {
  get(key: string): unknown
  set(key: string, value: unknown): void
  delete(key: string): void
}

export interface Preferences {
  current(): AppSettings
  /** Applies a (validated) change and writes it; clears the repair notice. */
  update(patch: Partial<AppSettings>): AppSettings
  view(keyProtection: KeyProtection): SettingsView
}

/**
 * Loads the preferences from `store`. `damagedBackup`: the settings file was unreadable and was
 * moved there, so everything (saved stores included) starts from defaults.
 */
export function loadPreferences(store: SettingsStore, damagedBackup?: string | null): Preferences {
  let { settings, invalid: repaired } = sanitizeSettings(store.get('prefs'))
  if (damagedBackup)
    repaired = [
      `the whole settings file (unreadable; kept as ${damagedBackup}) — saved stores must be connected again`
    ]
  if (repaired.length) log.warn(`settings repaired: ${repaired.join(', ')}`)
  return {
    current: () => settings,
    update(patch) {
      settings = { ...settings, ...patch }
      repaired = []
      store.set('prefs', settings)
      return settings
    },
    view: (keyProtection) => ({ settings, keyProtection, repaired })
  }
}
