// Opening a history file that may be damaged, BEFORE Conf sees it: Conf throws on a file it
// cannot parse (we keep `clearInvalidConfig: false`), so a damaged file (empty, truncated, not
// JSON, NUL-filled, from a newer version, another store's, unreadable) is moved to quarantine/,
// whole entries are salvaged from it and merged with the .bak, and `recovered` says so once.
// A clean file refreshes the .bak. Nothing is ever deleted.
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import type { HistoryEntry, HistorySnapshot } from '../../shared/history'
import { createLogger } from '../infra/log'
import { newerEntry } from './entry'
import type { HistoryFiles } from './store-format'
import { inspectHistoryText, usableEntries, type Inspection } from './store-inspect'

const log = createLogger('history')

/** Set once after opening when a damaged file was set aside. */
export type HistoryRecovery = NonNullable<HistorySnapshot['recovered']>

/** What opening found. */
export interface CheckedHistory {
  /** The entries to start with, in no particular order. */
  entries: HistoryEntry[]
  recovered?: HistoryRecovery
  /** The recovered entries replace a file set aside: write them before anything else. */
  mustWrite: boolean
  /** When the .bak was refreshed from the clean file (0: it was not). */
  backedUpAt: number
}

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[:.]/g, '-')
}

/** Copies (a partial read) or moves (a damaged file) the history file into quarantine/. */
function quarantine(files: HistoryFiles, reason: 'damaged' | 'partial', now: number): string {
  mkdirSync(files.quarantineDir, { recursive: true })
  const dest = join(files.quarantineDir, `${files.name}.json.${reason}-${stamp(now)}`)
  if (reason === 'partial') {
    copyFileSync(files.path, dest)
    return dest
  }
  try {
    renameSync(files.path, dest)
  } catch {
    // Rename can fail on Windows (EPERM, antivirus): keep a copy and neutralise the original so
    // Conf (which throws on unparsable files) can open it; the recovered entries replace it.
    copyFileSync(files.path, dest)
    writeFileSync(files.path, '{}')
  }
  return dest
}

function readBackup(files: HistoryFiles, storeId: string): HistoryEntry[] {
  try {
    return usableEntries(inspectHistoryText(readFileSync(files.backupPath, 'utf8'), storeId))
  } catch {
    return []
  }
}

/** The file's text: null when it does not exist; '' plus why when it cannot be read. */
function readText(path: string): { text: string | null; readError?: string } {
  try {
    return { text: readFileSync(path, 'utf8') }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return { text: null }
    // Unreadable (permissions, I/O): set it aside like a damaged one.
    return { text: '', readError: `the file could not be read (${code ?? 'error'})` }
  }
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many
}

/** Checks (and if needed sets aside and salvages) the history file of `storeId`. */
export function checkHistoryFile(
  files: HistoryFiles,
  storeId: string,
  now: () => number
): CheckedHistory {
  const { text, readError } = readText(files.path)
  const result: CheckedHistory = { entries: [], mustWrite: false, backedUpAt: 0 }
  if (text !== null) {
    const inspected = inspectHistoryText(text, storeId)
    const r: Inspection =
      readError && inspected.kind === 'damaged' ? { ...inspected, reason: readError } : inspected
    if (r.kind === 'ok') {
      result.entries = r.entries
      if (r.dropped > 0) {
        const backup = quarantine(files, 'partial', now())
        const n = r.dropped
        result.recovered = {
          backupPath: backup,
          message: `${n} ${plural(n, 'entry', 'entries')} of the job history could not be read and ${plural(n, 'was', 'were')} left out; the original file is kept as ${backup}.`
        }
        result.mustWrite = true
      } else {
        try {
          copyFileSync(files.path, files.backupPath)
          result.backedUpAt = now()
        } catch (e) {
          log.warn('could not refresh the history backup', e)
        }
      }
    } else if (r.kind === 'damaged') {
      const backup = quarantine(files, 'damaged', now())
      const fromBak = readBackup(files, storeId)
      const merged = new Map<string, HistoryEntry>()
      for (const e of fromBak) merged.set(e.id, e)
      let fromFile = 0
      for (const e of r.salvaged) {
        const prev = merged.get(e.id)
        if (!prev) fromFile++
        merged.set(e.id, prev ? newerEntry(prev, e) : e)
      }
      result.entries = [...merged.values()]
      const total = result.entries.length
      const sources: string[] = []
      if (fromBak.length > 0) sources.push(`${fromBak.length} from the backup copy`)
      if (fromFile > 0) sources.push(`${fromFile} from the damaged file`)
      result.recovered = {
        backupPath: backup,
        message:
          total > 0
            ? `The job history could not be read (${r.reason}). It was set aside as ${backup}; ${total} ${plural(total, 'job was', 'jobs were')} recovered (${sources.join(', ')}).`
            : `The job history could not be read (${r.reason}). It was set aside as ${backup}; no jobs could be recovered, so the history starts empty.`
      }
      result.mustWrite = true
    }
  }
  if (result.recovered) log.warn(result.recovered.message)
  return result
}
