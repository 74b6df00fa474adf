// Hot folders in the app's settings file (key `watchFolders`), read leniently like the other
// settings: each saved folder is checked against the contract's schema, and one that is not
// valid (a hand edit) is left out and named, never allowed to stop the others.
import { WatchFolderConfigSchema } from '../../shared/ipc'
import type { WatchFolderConfig } from '../../shared/watch'
import type { SettingsStore } from '../settings'

export const WATCH_SETTINGS_KEY = 'watchFolders'

export function loadWatchFolders(store: SettingsStore): {
  folders: WatchFolderConfig[]
  invalid: number
} {
  const raw = store.get(WATCH_SETTINGS_KEY)
  if (!Array.isArray(raw)) return { folders: [], invalid: raw === undefined ? 0 : 1 }
  const folders: WatchFolderConfig[] = []
  let invalid = 0
  for (const item of raw) {
    const parsed = WatchFolderConfigSchema.safeParse(item)
    if (parsed.success) folders.push(parsed.data)
    else invalid++
  }
  return { folders, invalid }
}

export function saveWatchFolders(store: SettingsStore, folders: WatchFolderConfig[]): void {
  store.set(WATCH_SETTINGS_KEY, folders)
}
