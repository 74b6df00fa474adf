// The local job history of one store: the repository the sync service, the actions, the IPC
// handlers and the CLI share. This file wires its parts together:
//   entry.ts           one entry (create, status, open or not, order)
//   store-format.ts    the file layout, the document and the validation of one stored entry
//   store-inspect.ts   reading a possibly damaged file; salvaging whole entries from it
//   store-recovery.ts  at open: quarantine a damaged file, recover from it and the .bak
//   store-conf.ts      the Conf-like store the file is written through (electron-store / conf)
//   store-index.ts     the entries in memory and the look-ups
//   store-retention.ts the newest N entries, and the ids let go
//   store-writer.ts    when and how the file is written, merging other processes' writes
import { mkdirSync } from 'node:fs'

import type { HistoryEntry } from '../../shared/history'
import { realClock, type Clock } from '../infra/clock'
import { createLogger } from '../infra/log'
import { byNewest, normalizeEntry } from './entry'
import { openHistoryConf, type ConfFactory } from './store-conf'
import { historyFiles } from './store-format'
import { createHistoryIndex } from './store-index'
import { checkHistoryFile, type HistoryRecovery } from './store-recovery'
import { createRetention } from './store-retention'
import { createHistoryWriter, DEFAULT_WRITE_DELAY_MS } from './store-writer'

// The store's public surface, as before the split (callers import it all from here).
export { createHistoryEntry, isOpenEntry, normalizeEntry, type NewHistoryEntry } from './entry'
export {
  HISTORY_FORMAT,
  HISTORY_VERSION,
  historyFileName,
  MAX_THUMBNAIL_CHARS,
  parseStoredEntry
} from './store-format'
export { inspectHistoryText, salvageEntries } from './store-inspect'
export {
  nodeConfFactory,
  type ConfFactory,
  type ConfFactoryOptions,
  type ConfLike
} from './store-conf'
export { DEFAULT_MAX_ENTRIES } from './store-retention'
export type { HistoryRecovery } from './store-recovery'

const log = createLogger('history')

export interface OpenHistoryOptions {
  /** The store's own data folder, e.g. `storeDataDir(dataDir, storeId)`. */
  dir: string
  storeId: string
  createConf: ConfFactory
  /** Keep the newest N entries. Default 1,000. */
  maxEntries?: number
  /** Status-only changes are coalesced for this long; new entries are written at once. Default 300 ms. */
  writeDelayMs?: number
  /** Time and the write timer. Default: the real clock. */
  clock?: Clock
  /** The time alone, for callers that have no clock; `clock` takes precedence. */
  now?: () => number
}

/** The repository the sync service, the actions, the IPC handlers and the CLI share. */
export interface HistoryStore {
  readonly storeId: string
  /** The history file. */
  readonly path: string
  readonly backupPath: string
  readonly maxEntries: number
  readonly recovered: HistoryRecovery | undefined
  /** The last failed write, if the latest write failed (entries stay in memory). */
  readonly writeError: Error | undefined
  /** Newest first. Entries are replaced on change, never mutated: treat them as read-only. */
  list(): HistoryEntry[]
  get(id: string): HistoryEntry | undefined
  byPartBuildId(partBuildId: string): HistoryEntry | undefined
  byPrintJobId(printJobId: string): HistoryEntry | undefined
  /** Entries that may still change: an open copy, or fewer known copies than ordered. */
  openEntries(): HistoryEntry[]
  /** Adds an entry (or updates the one with its id or part build) and writes the file at once. */
  add(entry: HistoryEntry): HistoryEntry
  /** Replaces one entry with `fn(entry)`; `null`/`undefined` from `fn` means "no change". */
  update(
    id: string,
    fn: (entry: HistoryEntry) => HistoryEntry | null | undefined
  ): HistoryEntry | undefined
  /** Removes every entry (an explicit user action); returns how many were removed. */
  clear(): number
  setMaxEntries(n: number): void
  /** Writes pending changes now. */
  flush(): void
  close(): void
  /** Called after every change (sync, after the in-memory update). */
  onChange(listener: () => void): () => void
}

function clockOf(opts: OpenHistoryOptions): Clock {
  if (opts.clock) return opts.clock
  return opts.now ? { ...realClock, now: opts.now } : realClock
}

/** Opens (creating if needed) the history of one store. Never throws for a damaged file. */
export function openHistoryStore(opts: OpenHistoryOptions): HistoryStore {
  const clock = clockOf(opts)
  const storeId = opts.storeId
  const files = historyFiles(opts.dir, storeId)
  const retention = createRetention(opts.maxEntries)
  mkdirSync(opts.dir, { recursive: true })

  // 1. Check the file before Conf sees it; 2. only then let Conf open it (missing, clean, or
  // just moved aside).
  const checked = checkHistoryFile(files, storeId, () => clock.now())
  const index = createHistoryIndex(checked.entries.sort(byNewest).slice(0, retention.maxEntries))
  const conf = openHistoryConf(opts.createConf, opts.dir, files.name)

  const listeners = new Set<() => void>()
  const notify = (): void => {
    for (const l of listeners) {
      try {
        l()
      } catch (e) {
        log.error('history listener failed', e)
      }
    }
  }
  const trim = (): void => {
    const kept = retention.trim(index.entries)
    if (kept) index.setAll(kept)
  }

  const writer = createHistoryWriter({
    conf,
    storeId,
    path: files.path,
    backupPath: files.backupPath,
    clock,
    writeDelayMs: opts.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS,
    backedUpAt: checked.backedUpAt,
    entries: () => index.entries,
    absorb(fromDisk) {
      const changed = index.merge(fromDisk, retention.keeps)
      if (changed) trim()
      return changed
    },
    onAbsorbed: notify
  })
  if (checked.mustWrite) writer.writeNow()

  return {
    storeId,
    path: files.path,
    backupPath: files.backupPath,
    get maxEntries() {
      return retention.maxEntries
    },
    recovered: checked.recovered,
    get writeError() {
      return writer.writeError
    },
    list: () => index.list(),
    get: (id) => index.get(id),
    byPartBuildId: (id) => index.byPartBuildId(id),
    byPrintJobId: (id) => index.byPrintJobId(id),
    openEntries: () => index.openEntries(),
    add(entry) {
      if (entry.storeId !== storeId) {
        throw new Error(`History entry of store ${entry.storeId} added to store ${storeId}`)
      }
      // Idempotent per part build: a resumed send adding its build again updates the entry.
      const same = index.byPartBuildId(entry.partBuildId)
      const copies = [...(same?.copies ?? [])]
      for (const c of entry.copies) {
        if (!copies.some((x) => x.printJobId === c.printJobId)) copies.push(c)
      }
      const next = normalizeEntry(
        same && same.id !== entry.id
          ? { ...entry, id: same.id, sentAt: same.sentAt, copies }
          : { ...entry, copies }
      )
      index.put(next)
      trim()
      writer.writeNow() // a new entry is not recoverable from the server: write it at once
      notify()
      return next
    },
    update(id, fn) {
      const current = index.get(id)
      if (!current) return undefined
      const produced = fn(current)
      if (!produced) return current
      const next = normalizeEntry({ ...produced, id: current.id, storeId })
      index.put(next)
      writer.schedule()
      notify()
      return next
    },
    clear() {
      const n = index.entries.length
      retention.forget(index.entries)
      index.setAll([])
      writer.writeNow()
      notify()
      return n
    },
    setMaxEntries(n) {
      retention.setMaxEntries(n)
      if (index.entries.length > retention.maxEntries) {
        trim()
        writer.writeNow()
        notify()
      }
    },
    flush: () => writer.flush(),
    close() {
      writer.close()
      listeners.clear()
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}
