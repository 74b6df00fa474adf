// Opens the settings file without ever letting a damaged one stop the app: conf/electron-store
// throw on unreadable JSON (we never let them clear it silently), so the file is moved aside,
// a fresh one is started, and the caller gets the backup's path to tell the user.
import { existsSync, renameSync } from 'node:fs'

/** Creates the store; on a parse error moves `file` aside and creates it again. */
export function openSettingsFile<T>(
  file: string,
  create: () => T,
  now: () => number = Date.now
): { store: T; damagedBackup: string | null } {
  try {
    return { store: create(), damagedBackup: null }
  } catch (err) {
    if (!existsSync(file)) throw err
    const backup = `${file}.damaged-${now()}`
    renameSync(file, backup)
    return { store: create(), damagedBackup: backup }
  }
}
