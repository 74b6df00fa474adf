// How many entries the history keeps (the newest N), and which ids this process let go: an
// entry trimmed or cleared here must not come back when another process's file is merged in.
import type { HistoryEntry } from '../../shared/history'

export const DEFAULT_MAX_ENTRIES = 1000

export interface Retention {
  readonly maxEntries: number
  setMaxEntries(n: number): void
  /**
   * The newest `maxEntries` of `entries` (sorted newest first), remembering the rest as let go;
   * null when nothing is over the bound.
   */
  trim(entries: readonly HistoryEntry[]): HistoryEntry[] | null
  /** Remembers `entries` as let go (a cleared history). */
  forget(entries: readonly HistoryEntry[]): void
  /** False for an id this process trimmed or cleared. */
  keeps(id: string): boolean
}

export function createRetention(maxEntries = DEFAULT_MAX_ENTRIES): Retention {
  let max = Math.max(1, maxEntries)
  const forgotten = new Set<string>()
  return {
    get maxEntries() {
      return max
    },
    setMaxEntries(n) {
      max = Math.max(1, Math.floor(n))
    },
    trim(entries) {
      if (entries.length <= max) return null
      for (const e of entries.slice(max)) forgotten.add(e.id)
      return entries.slice(0, max)
    },
    forget(entries) {
      for (const e of entries) forgotten.add(e.id)
    },
    keeps: (id) => !forgotten.has(id)
  }
}
