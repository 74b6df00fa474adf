// The history in memory: entries newest first, with look-ups by id, part build and print job,
// and the entries that may still change. Entries are replaced on change, never mutated.
import type { HistoryEntry } from '../../shared/history'
import { byNewest, isOpenEntry } from './entry'

export interface HistoryIndex {
  /** Newest first; read-only (a fresh copy comes from `list()`). */
  readonly entries: readonly HistoryEntry[]
  list(): HistoryEntry[]
  get(id: string): HistoryEntry | undefined
  byPartBuildId(partBuildId: string): HistoryEntry | undefined
  byPrintJobId(printJobId: string): HistoryEntry | undefined
  /** Entries that may still change: an open copy, or fewer known copies than ordered. */
  openEntries(): HistoryEntry[]
  /** Replaces every entry. */
  setAll(entries: HistoryEntry[]): void
  /** Puts `entry` in place of the one with its id, or adds it. */
  put(entry: HistoryEntry): void
  /**
   * Folds in entries another process wrote: new ids, and newer versions of known ones, except
   * those `accept` refuses. True when something changed.
   */
  merge(others: readonly HistoryEntry[], accept: (id: string) => boolean): boolean
}

export function createHistoryIndex(initial: HistoryEntry[]): HistoryIndex {
  let entries: HistoryEntry[] = []
  let byBuild = new Map<string, HistoryEntry>()
  let byJob = new Map<string, HistoryEntry>()

  const reindex = (): void => {
    byBuild = new Map()
    byJob = new Map()
    for (const e of entries) {
      if (!byBuild.has(e.partBuildId)) byBuild.set(e.partBuildId, e)
      for (const c of e.copies) byJob.set(c.printJobId, e)
    }
  }

  const index: HistoryIndex = {
    get entries() {
      return entries
    },
    list: () => entries.slice(),
    get: (id) => entries.find((e) => e.id === id),
    byPartBuildId: (id) => byBuild.get(id),
    byPrintJobId: (id) => byJob.get(id),
    openEntries: () => entries.filter(isOpenEntry),
    setAll(next) {
      entries = next.slice().sort(byNewest)
      reindex()
    },
    put(entry) {
      const i = entries.findIndex((e) => e.id === entry.id)
      const current = entries[i]
      if (current) entries[i] = entry
      else entries.push(entry)
      // The order depends on sentAt and id only.
      if (!current || current.sentAt !== entry.sentAt) entries.sort(byNewest)
      reindex()
    },
    merge(others, accept) {
      const mine = new Map(entries.map((e) => [e.id, e]))
      let changed = false
      for (const e of others) {
        if (!accept(e.id)) continue
        const have = mine.get(e.id)
        if (!have || e.updatedAt > have.updatedAt) {
          mine.set(e.id, e)
          changed = true
        }
      }
      if (changed) index.setAll([...mine.values()])
      return changed
    }
  }
  index.setAll(initial)
  return index
}
