// Per-store cache sha256 → part id, so a file this store already uploaded is not uploaded again.
// It is only a hint: the send pipeline uses the part optimistically and falls back (look up by
// hash, or upload again) when Printago says the part is gone. Losing the file costs uploads,
// never correctness, so it is written atomically but without a journal of its own.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { ensureDurableDir, writeFileDurable } from '../infra/journal'

export interface DedupeEntry {
  partId: string
  /** When the part was created or last confirmed (ms since epoch). */
  at: number
}

export interface DedupeCache {
  get(sha256: string): DedupeEntry | undefined
  set(sha256: string, partId: string): Promise<void>
  delete(sha256: string): Promise<void>
  readonly size: number
}

/** An in-memory cache (tests, or a store without a data folder). */
export function createMemoryDedupeCache(now: () => number = Date.now): DedupeCache {
  const map = new Map<string, DedupeEntry>()
  return {
    get: (sha) => map.get(sha.toLowerCase()),
    async set(sha, partId) {
      map.set(sha.toLowerCase(), { partId, at: now() })
    },
    async delete(sha) {
      map.delete(sha.toLowerCase())
    },
    get size() {
      return map.size
    }
  }
}

/** Open the cache file `dedupe.json` in a per-store folder. */
export async function openDedupeCache(
  storeDir: string,
  options: { now?: () => number; maxEntries?: number } = {}
): Promise<DedupeCache> {
  const now = options.now ?? Date.now
  const maxEntries = options.maxEntries ?? 50_000
  const file = join(storeDir, 'dedupe.json')
  const map = new Map<string, DedupeEntry>()
  try {
    const data = JSON.parse(await readFile(file, 'utf8')) as {
      entries?: Record<string, DedupeEntry>
    }
    for (const [sha, entry] of Object.entries(data.entries ?? {})) {
      if (/^[0-9a-f]{64}$/.test(sha) && typeof entry?.partId === 'string') map.set(sha, entry)
    }
  } catch {
    // Missing or unreadable: an empty cache only costs re-uploads.
  }
  let writing: Promise<void> = Promise.resolve()
  const save = (): Promise<void> => {
    writing = writing
      .catch(() => undefined)
      .then(async () => {
        await ensureDurableDir(storeDir)
        if (map.size > maxEntries) {
          const oldest = [...map.entries()].sort((a, b) => a[1].at - b[1].at)
          for (const [sha] of oldest.slice(0, map.size - maxEntries)) map.delete(sha)
        }
        await writeFileDurable(
          file,
          JSON.stringify({ version: 1, entries: Object.fromEntries(map) })
        )
      })
    return writing
  }
  return {
    get: (sha) => map.get(sha.toLowerCase()),
    async set(sha, partId) {
      map.set(sha.toLowerCase(), { partId, at: now() })
      await save()
    },
    async delete(sha) {
      if (map.delete(sha.toLowerCase())) await save()
    },
    get size() {
      return map.size
    }
  }
}
