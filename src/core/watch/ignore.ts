// Which names in a hot folder are never candidates: files still being written by their program
// (browser downloads, Office and editor temp files, rsync/curl partials), hidden files, our own
// lock and subfolders, and files whose extension says they are not a model. What the bytes say is
// checked later (content sniffing); this is the cheap first look, by name only.
import { FAILED_DIR, SENT_DIR, WATCH_LOCK_FILE } from '../../shared/watch'

/** Extensions of files that are being written and will be renamed when done. */
const PARTIAL_EXTENSIONS = [
  '.part',
  '.partial',
  '.tmp',
  '.temp',
  '.crdownload',
  '.download',
  '.swp'
]

/** Model extensions a hot folder looks at (the content decides whether it is really one). */
export const MODEL_EXTENSIONS = ['.stl', '.3mf']

/** Why `name` (a directory entry of the watched folder) is left alone, or null when it is a candidate. */
export function ignoreReason(name: string, isDirectory = false): string | null {
  if (name === WATCH_LOCK_FILE) return 'the hot folder lock'
  if (isDirectory) {
    if (name === SENT_DIR || name === FAILED_DIR) return 'where processed files go'
    return 'a folder (subfolders are not watched)'
  }
  const lower = name.toLowerCase()
  if (name.startsWith('.')) return 'a hidden file'
  if (name.startsWith('~$') || name.startsWith('.~') || name.endsWith('~'))
    return 'a temporary file'
  if (PARTIAL_EXTENSIONS.some((ext) => lower.endsWith(ext)))
    return 'a file still being written (temporary name)'
  if (!MODEL_EXTENSIONS.some((ext) => lower.endsWith(ext)))
    return 'not a 3D model file (.stl or .3mf)'
  return null
}

/** Names not worth listing as ignored (our own files): they are skipped silently. */
export function isOwnEntry(name: string): boolean {
  return name === WATCH_LOCK_FILE || name === SENT_DIR || name === FAILED_DIR
}
