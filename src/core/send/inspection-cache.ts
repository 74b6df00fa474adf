// What reading a file taught us (its hash and the engine's verdict), remembered per file identity
// so that a file dropped, hashed, then sent is read once, not once per step. The identity is the
// real path plus device, inode, size, mtime and ctime in nanoseconds: an edit, a replace or a
// rename over it changes at least one of them, and then the entry is not trusted. A caller always
// stats the file again before asking, so a stale entry is never returned for a changed file.
import type { BigIntStats } from 'node:fs'

export interface FileIdentity {
  dev: bigint
  ino: bigint
  size: bigint
  mtimeNs: bigint
  ctimeNs: bigint
}

export function identityOf(stats: BigIntStats): FileIdentity {
  return {
    dev: stats.dev,
    ino: stats.ino,
    size: stats.size,
    mtimeNs: stats.mtimeNs,
    ctimeNs: stats.ctimeNs
  }
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return (
    a.dev === b.dev &&
    a.ino === b.ino &&
    a.size === b.size &&
    a.mtimeNs === b.mtimeNs &&
    a.ctimeNs === b.ctimeNs
  )
}

export interface InspectionCache<T> {
  /** The value recorded for `key` when the file still has this identity. */
  get(key: string, identity: FileIdentity): T | undefined
  set(key: string, identity: FileIdentity, value: T): void
  delete(key: string): void
  clear(): void
  readonly size: number
}

/** A bounded cache (least recently used entries go first); entries are a few hundred bytes. */
export function createInspectionCache<T>(maxEntries = 1000): InspectionCache<T> {
  const entries = new Map<string, { identity: FileIdentity; value: T }>()
  return {
    get(key, identity) {
      const entry = entries.get(key)
      if (!entry) return undefined
      if (!sameIdentity(entry.identity, identity)) {
        entries.delete(key)
        return undefined
      }
      // Map order is insertion order: move it to the young end.
      entries.delete(key)
      entries.set(key, entry)
      return entry.value
    },
    set(key, identity, value) {
      entries.delete(key)
      entries.set(key, { identity, value })
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value!)
    },
    delete: (key) => void entries.delete(key),
    clear: () => entries.clear(),
    get size() {
      return entries.size
    }
  }
}
