// Writing the history file: new entries at once, status-only changes coalesced for a moment (on
// the injected clock), the .bak refreshed hourly from a file we wrote. Before each write, entries
// another process (the CLI, a second window) wrote since our last write are folded in, so
// neither side loses the other's sends. A failed write keeps everything in memory and is retried
// with the next change.
import { copyFileSync, existsSync, readFileSync, statSync } from 'node:fs'

import type { HistoryEntry } from '../../shared/history'
import type { Clock, TimerHandle } from '../infra/clock'
import { createLogger } from '../infra/log'
import type { ConfLike } from './store-conf'
import { historyDocument } from './store-format'
import { inspectHistoryText } from './store-inspect'

const log = createLogger('history')

export const DEFAULT_WRITE_DELAY_MS = 300
export const BACKUP_EVERY_MS = 60 * 60_000

export interface HistoryWriterOptions {
  conf: ConfLike
  storeId: string
  path: string
  backupPath: string
  clock: Clock
  /** Status-only changes wait this long; 0 writes each change at once. */
  writeDelayMs: number
  /** When the .bak was last refreshed (0: never). */
  backedUpAt: number
  /** What to write. */
  entries: () => readonly HistoryEntry[]
  /** Folds another process's entries into memory; true when that changed something. */
  absorb: (fromDisk: HistoryEntry[]) => boolean
  /** After a write that folded another process's entries in (the in-memory list changed). */
  onAbsorbed: () => void
}

export interface HistoryWriter {
  /** The last failed write, if the latest write failed. */
  readonly writeError: Error | undefined
  /** Writes now (a new entry is not recoverable from the server). */
  writeNow(): void
  /** Writes after the delay, together with whatever else changes meanwhile. */
  schedule(): void
  /** Writes pending changes now. */
  flush(): void
  /** Writes pending changes and stops the timer. */
  close(): void
}

export function createHistoryWriter(opts: HistoryWriterOptions): HistoryWriter {
  const { clock, path } = opts
  let dirty = false
  let writeError: Error | undefined
  let timer: TimerHandle | undefined
  let lastBackupAt = opts.backedUpAt

  const statStamp = (): string => {
    try {
      const s = statSync(path)
      return `${s.mtimeMs}:${s.size}`
    } catch {
      return ''
    }
  }
  let diskStamp = statStamp()

  /** Another process wrote the file since we did: fold its entries in first. */
  const mergeFromDisk = (): boolean => {
    const current = statStamp()
    if (current === '' || current === diskStamp) return false
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      return false
    }
    const r = inspectHistoryText(text, opts.storeId)
    return r.kind === 'ok' && opts.absorb(r.entries)
  }

  const cancelTimer = (): void => {
    if (timer !== undefined) clock.clearTimeout(timer)
    timer = undefined
  }

  const write = (): void => {
    cancelTimer()
    const merged = mergeFromDisk()
    try {
      if (existsSync(path) && clock.now() - lastBackupAt > BACKUP_EVERY_MS) {
        // The file on disk is one we wrote (or checked): a known-good copy for the next crash.
        copyFileSync(path, opts.backupPath)
        lastBackupAt = clock.now()
      }
      opts.conf.store = historyDocument(opts.storeId, opts.entries())
      diskStamp = statStamp()
      dirty = false
      writeError = undefined
    } catch (e) {
      writeError = e as Error
      log.error('could not write the job history', e)
    }
    if (merged) opts.onAbsorbed()
  }

  return {
    get writeError() {
      return writeError
    },
    writeNow() {
      dirty = true
      write()
    },
    schedule() {
      dirty = true
      if (opts.writeDelayMs <= 0) return write()
      timer ??= clock.setTimeout(write, opts.writeDelayMs)
    },
    flush() {
      if (dirty) write()
    },
    close() {
      if (dirty) write()
      cancelTimer()
    }
  }
}
