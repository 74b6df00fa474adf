// The single-writer lock of a store's data folder, shared by the app and the CLI: at most one
// process sends (and so resumes, reconciles and writes the journal) for a store at a time.
//
// Taking it is atomic: the owner record is written whole to a temp file and hard-linked to the
// lock's name — `link` fails if the name exists, so of N processes starting together exactly one
// gets it, and nobody ever reads a half-written record.
//
// Who holds it: `{pid, start, boot, host}`. The owner is alive only if a process with that pid
// exists now, is not a zombie (a `kill -9`'d process lingers as one until it is reaped; it holds
// nothing), was started at the recorded time (`/proc/<pid>/stat` field 22, so a pid reused by an
// unrelated process does not count) and on this boot. Where /proc is missing (macOS, Windows) only
// the pid is checked.
//
// Breaking a stale lock: only under a second lock (`<lock>.break`, taken the same way), and only
// if the lock still holds the record that was judged stale — so a fresh lock is never removed by a
// process that judged its predecessor. (A breaker that dies inside those few lines leaves a stale
// `.break`, broken in turn by rename-and-check; two processes racing on that and a third taking
// the lock in the same instant is the one interleaving left, and it needs a crash mid-break.)
import { hostname } from 'node:os'
import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { link, open, readFile, rename, stat, unlink } from 'node:fs/promises'

import { realSleep, type Sleep } from './async'
import { systemMonotonic } from './clock'

/** What a lock file says about its owner. */
export interface LockOwner {
  pid: number
  /** Process start time in clock ticks since boot (Linux), or null where unknown. */
  start: number | null
  boot: string | null
  host: string
}

/** Thrown when another live process holds the lock. */
export class LockHeldError extends Error {
  constructor(
    readonly path: string,
    readonly owner: LockOwner
  ) {
    super(`Another Printago Send instance (pid ${owner.pid}) is sending from this store's folder`)
    this.name = 'LockHeldError'
  }
}

export interface LockOptions {
  /** Wait this long for a live owner to let go before giving up. Default 0: fail at once. */
  waitMs?: number
  /** Poll interval while waiting. Default 100 ms. */
  pollMs?: number
  sleep?: Sleep
}

export interface LockHandle {
  readonly path: string
  readonly owner: LockOwner
  /** Lets go (only if the lock is still ours). */
  release(): Promise<void>
}

/** `/proc/<pid>/stat` state and start time, or null when there is no such process or no /proc. */
function procStat(pid: number): { state: string; start: number } | null | 'no-proc' {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      try {
        readFileSync('/proc/self/stat')
        return null
      } catch {
        return 'no-proc'
      }
    }
    return 'no-proc'
  }
  // `pid (comm) state ppid …`: comm may hold spaces and parentheses, so split after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  return { state: fields[0] ?? '?', start: Number(fields[19]) }
}

/** This process as a lock owner. */
export function selfOwner(): LockOwner {
  const s = procStat(process.pid)
  return {
    pid: process.pid,
    start: s && s !== 'no-proc' ? s.start : null,
    boot: systemMonotonic.bootId,
    host: hostname()
  }
}

/** Is the recorded owner a live process (not a zombie, not a pid reused by another process)? */
export function ownerAlive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true // another machine's: we cannot tell, so respect it
  if (owner.boot && systemMonotonic.bootId && owner.boot !== systemMonotonic.bootId) return false
  const s = procStat(owner.pid)
  if (s === null) return false
  if (s !== 'no-proc') {
    if (s.state === 'Z' || s.state === 'X') return false
    if (owner.start !== null && s.start !== owner.start) return false
    if (owner.start === null && !looksLikeUs(owner.pid)) return false
    return true
  }
  try {
    process.kill(owner.pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** A lock from an older version (bare pid, no start time): alive only if it is node or Electron. */
function looksLikeUs(pid: number): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return /node|electron|printago/i.test(cmd)
  } catch {
    return false
  }
}

function parseOwner(text: string): LockOwner | null {
  const trimmed = text.trim()
  if (/^\d+$/.test(trimmed)) {
    // Written by an older version: a bare pid.
    return { pid: Number(trimmed), start: null, boot: null, host: hostname() }
  }
  try {
    const o = JSON.parse(trimmed) as Partial<LockOwner>
    if (typeof o.pid !== 'number' || !Number.isInteger(o.pid) || o.pid <= 0) return null
    return {
      pid: o.pid,
      start: typeof o.start === 'number' ? o.start : null,
      boot: typeof o.boot === 'string' ? o.boot : null,
      host: typeof o.host === 'string' ? o.host : hostname()
    }
  } catch {
    return null
  }
}

/** Create `path` holding `text`, atomically and whole; false if it exists. */
async function createWhole(path: string, text: string): Promise<boolean> {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  const fh = await open(tmp, 'wx')
  try {
    await fh.writeFile(text)
    await fh.sync()
  } finally {
    await fh.close()
  }
  try {
    await link(tmp, path)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false
    throw error
  } finally {
    await unlink(tmp).catch(() => undefined)
  }
}

async function readText(path: string): Promise<string | null> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null
    throw error
  }
}

/** A record nobody can parse: stale once it is old enough not to be a write in progress. */
async function garbageIsStale(path: string): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > 2000
  } catch {
    return true
  }
}

/** Remove a stale `.break` file: rename it aside, and put it back if it was not the stale one. */
async function clearStaleBreaker(path: string, judged: string): Promise<void> {
  const aside = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.stale`
  try {
    await rename(path, aside)
  } catch {
    return
  }
  const got = await readText(aside)
  if (got !== judged) await link(aside, path).catch(() => undefined)
  await unlink(aside).catch(() => undefined)
}

/** Remove the lock at `path` if it still holds `judged` (a stale record). */
async function breakStale(path: string, judged: string, me: string): Promise<void> {
  const breaker = `${path}.break`
  if (!(await createWhole(breaker, me))) {
    const text = await readText(breaker)
    if (text === null) return
    const owner = parseOwner(text)
    const stale = owner ? !ownerAlive(owner) : await garbageIsStale(breaker)
    if (stale) await clearStaleBreaker(breaker, text)
    return
  }
  try {
    if ((await readText(path)) === judged) await unlink(path)
  } finally {
    if ((await readText(breaker)) === me) await unlink(breaker).catch(() => undefined)
  }
}

/**
 * Take the lock at `path`, breaking a stale one; throws LockHeldError when a live process holds
 * it beyond `waitMs`. This process holding it already counts as held (one writer per process too).
 */
export async function acquireLock(path: string, options: LockOptions = {}): Promise<LockHandle> {
  const owner = selfOwner()
  const me = `${JSON.stringify({ ...owner, at: new Date().toISOString() })}\n`
  const sleep = options.sleep ?? realSleep
  const deadline = systemMonotonic.now() + (options.waitMs ?? 0)
  for (;;) {
    if (await createWhole(path, me)) {
      return {
        path,
        owner,
        async release() {
          if ((await readText(path)) === me) await unlink(path).catch(() => undefined)
        }
      }
    }
    const text = await readText(path)
    if (text === null) continue
    const holder = parseOwner(text)
    const stale = holder ? !ownerAlive(holder) : await garbageIsStale(path)
    if (stale) {
      await breakStale(path, text, me)
      continue
    }
    if (systemMonotonic.now() >= deadline) {
      throw new LockHeldError(path, holder ?? { ...owner, pid: 0 })
    }
    await sleep(options.pollMs ?? 100)
  }
}
