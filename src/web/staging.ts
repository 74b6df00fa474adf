// Files the user gave the browser page (dropped or picked), as the bridge keeps them: each upload in
// a folder of its own under the data folder (`staged-files/<uuid>/<name>`), so a send of it can
// resume after a restart. Only paths this area handed out are ever hashed, inspected or sent; a
// copy is removed once no unfinished send names it and it has not been used for `retainMs`.
import { randomUUID } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import { lstat, mkdir, readdir, rename, rm, utimes } from 'node:fs/promises'
import { join } from 'node:path'
import { Transform, type Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'

const FOLDER = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
const PARTIAL = '.part'

/** Thrown when an upload is larger than the area accepts. */
export class StagingTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The file is larger than ${maxBytes} bytes, the most Printago Send can read.`)
    this.name = 'StagingTooLargeError'
  }
}

export interface StagingArea {
  readonly dir: string
  /** Stores an upload under `name` in a new folder; resolves with the file's path. */
  stage(name: string, body: Readable, maxBytes: number): Promise<string>
  /** True for a path this area handed out (exactly as `stage` returned it) that is still kept. */
  has(path: string): boolean
  /**
   * Marks staged files as used now: they are kept at least `retainMs` longer. Takes effect at
   * once; the promise says when the time is also on disk (for the next run).
   */
  touch(paths: readonly string[]): Promise<void>
  /** Staged files kept now. */
  list(): string[]
  /**
   * Removes the copies that `referenced` (paths of unfinished sends) does not name and that were
   * not used for `retainMs`, and abandoned partial uploads. Resolves with the removed paths.
   */
  collect(referenced: ReadonlySet<string>): Promise<string[]>
}

export interface StagingOptions {
  /** How long an unreferenced copy is kept after its last use. */
  retainMs: number
  now?: () => number
}

/** A file name that is safe as one path segment and survives JSON and the journal unchanged. */
export function safeFileName(raw: string): string {
  const name = raw
    // eslint-disable-next-line no-control-regex
    .replace(/[\\/:*?"<>|\x00-\x1f\x7f]/g, '_')
    .trim()
    .slice(0, 200)
  return name === '' || name === '.' || name === '..' ? 'file' : name
}

/** Opens (creating it if needed) the staging folder and registers the copies already in it. */
export async function openStagingArea(dir: string, options: StagingOptions): Promise<StagingArea> {
  const now = options.now ?? Date.now
  await mkdir(dir, { recursive: true, mode: 0o700 })
  /** Staged path → its folder and when it was last used (ms). */
  const kept = new Map<string, { folder: string; usedAt: number }>()

  for (const entry of await readdir(dir)) {
    if (!FOLDER.test(entry)) continue
    const folder = join(dir, entry)
    const files = await readdir(folder).catch(() => [])
    const only = files.length === 1 ? join(folder, files[0]!) : null
    // Regular files only: a link planted here must not become a way to read another file.
    const info = only ? await lstat(only).catch(() => null) : null
    const folderInfo = await lstat(folder)
    if (only && info?.isFile())
      kept.set(only, { folder, usedAt: Math.max(folderInfo.mtimeMs, info.mtimeMs) })
  }

  const area: StagingArea = {
    dir,
    async stage(name, body, maxBytes) {
      const id = randomUUID()
      const partial = join(dir, `${id}${PARTIAL}`)
      const folder = join(dir, id)
      const file = safeFileName(name)
      await mkdir(partial, { mode: 0o700 })
      let size = 0
      const limit = new Transform({
        transform(chunk: Buffer, _enc, done) {
          size += chunk.length
          done(size > maxBytes ? new StagingTooLargeError(maxBytes) : null, chunk)
        }
      })
      try {
        await pipeline(body, limit, createWriteStream(join(partial, file), { mode: 0o600 }))
        // The folder appears whole or not at all: a crash mid-upload leaves only a `.part` folder.
        await rename(partial, folder)
      } catch (error) {
        await rm(partial, { recursive: true, force: true })
        throw error
      }
      const path = join(folder, file)
      kept.set(path, { folder, usedAt: now() })
      return path
    },
    has: (path) => kept.has(path),
    async touch(paths) {
      const at = now()
      const folders: string[] = []
      for (const p of paths) {
        const k = kept.get(p)
        if (!k) continue
        k.usedAt = at
        folders.push(k.folder)
      }
      // Persisted as the folder's mtime, so the next run knows too.
      const t = new Date(at)
      await Promise.all(folders.map((f) => utimes(f, t, t).catch(() => undefined)))
    },
    list: () => [...kept.keys()],
    async collect(referenced) {
      const removed: string[] = []
      const cutoff = (): number => now() - options.retainMs
      for (const [path, k] of kept) {
        if (referenced.has(path) || k.usedAt > cutoff()) continue
        // Forgotten before the await: from here on no call can name it.
        kept.delete(path)
        await rm(k.folder, { recursive: true, force: true })
        removed.push(path)
      }
      for (const entry of await readdir(dir)) {
        if (!entry.endsWith(PARTIAL) || !FOLDER.test(entry.slice(0, -PARTIAL.length))) continue
        const folder = join(dir, entry)
        const info = await lstat(folder).catch(() => null)
        // An upload still running keeps writing; one this old was abandoned by a crash.
        if (info && info.mtimeMs <= cutoff()) await rm(folder, { recursive: true, force: true })
      }
      return removed
    }
  }
  return area
}
