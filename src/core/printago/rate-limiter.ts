// Client-side limiter for Printago's two sliding windows (60/min and 600/h per the docs). It
// keeps a log of request timestamps — the same model as the server — so we wait before the
// server has to answer 429. A 429's Retry-After becomes a hard floor for every caller.
// The log can be persisted so a restart (or the CLI run right after the app) doesn't burst: each
// stamp is written before its request leaves (a few hundred bytes, at most 60 times a minute).
// Two things the server's clock does not share with ours: a window frees only `marginMs` after it
// would on our clock (requests reach the server a little later than we stamp them, and not all
// equally late — waiting to the exact edge meets a 429 now and then); and a wall clock set back
// makes stamps in the future, which count as "now" — never as a wait longer than the window.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { realSleep, type Sleep } from '../infra/async'

export interface RateWindow {
  limit: number
  windowMs: number
}

/** Why a request is being held back. */
export interface WaitInfo {
  seconds: number
  reason: 'rate-limit' | 'retry-after'
}

export interface RateLimiterOptions {
  /** Default: 60 per minute. */
  perMinute?: number
  /** Default: 600 per hour. */
  perHour?: number
  /** Overrides perMinute/perHour entirely. */
  windows?: RateWindow[]
  now?: () => number
  sleep?: Sleep
  /** JSON file that keeps the timestamp log across restarts (advisory, no fsync). */
  persistPath?: string
  /** Extra wait past each window's edge for the server's clock and arrival delays. Default 1 s. */
  marginMs?: number
  onWait?: (info: WaitInfo) => void
}

export interface AcquireOptions {
  signal?: AbortSignal
  onWait?: (info: WaitInfo) => void
}

export interface RateLimiter {
  /** Resolve when one more request may be sent, and record it as sent. */
  acquire(options?: AcquireOptions): Promise<void>
  /** Nobody may send before `atMs` (from a 429's Retry-After). */
  blockUntil(atMs: number): void
  /** Milliseconds until the next request could go, 0 if now. */
  delayMs(): number
  /** Write the persisted log now. */
  flush(): void
}

/** Sliding-log limiter over one or more windows. */
export function createRateLimiter(options: RateLimiterOptions = {}): RateLimiter {
  const now = options.now ?? Date.now
  const sleep = options.sleep ?? realSleep
  const windows = (
    options.windows ?? [
      { limit: options.perMinute ?? 60, windowMs: 60_000 },
      { limit: options.perHour ?? 600, windowMs: 3_600_000 }
    ]
  ).filter((w) => w.limit > 0 && w.windowMs > 0)
  const margin = Math.max(0, options.marginMs ?? 1000)
  const horizon = Math.max(0, ...windows.map((w) => w.windowMs)) + margin
  let log: number[] = []
  let blockedUntil = 0
  // When the block was set: a clock set back since shifts the block with it, never lengthens it.
  let blockedAt = 0
  let saveTimer: ReturnType<typeof setTimeout> | undefined

  if (options.persistPath) {
    try {
      const saved = JSON.parse(readFileSync(options.persistPath, 'utf8')) as {
        log?: unknown
        blockedUntil?: unknown
      }
      if (Array.isArray(saved.log)) {
        log = saved.log.filter((t): t is number => typeof t === 'number').sort((a, b) => a - b)
      }
      if (typeof saved.blockedUntil === 'number') blockedUntil = saved.blockedUntil
      const at = (saved as { blockedAt?: unknown }).blockedAt
      blockedAt = typeof at === 'number' ? at : blockedUntil
    } catch {
      // Missing or unreadable: start empty; the server's 429 still protects us.
    }
  }

  const prune = (t: number): void => {
    // Stamps in the future (the clock was set back): they happened, at the latest, now.
    if (log.length > 0 && log[log.length - 1]! > t) log = log.map((x) => Math.min(x, t))
    if (blockedAt > t) {
      blockedUntil = t + Math.max(0, blockedUntil - blockedAt)
      blockedAt = t
    }
    let drop = 0
    while (drop < log.length && log[drop]! <= t - horizon) drop++
    if (drop > 0) log = log.slice(drop)
  }

  const delayAt = (t: number): { ms: number; reason: WaitInfo['reason'] } => {
    prune(t)
    let ms = 0
    let reason: WaitInfo['reason'] = 'rate-limit'
    for (const w of windows) {
      // Requests inside (t - windowMs, t]; the window frees when the oldest of the last `limit` leaves.
      const span = w.windowMs + margin
      let inWindow = 0
      for (let i = log.length - 1; i >= 0 && log[i]! > t - span; i--) inWindow++
      if (inWindow >= w.limit) {
        const oldest = log[log.length - w.limit]!
        ms = Math.max(ms, oldest + span - t)
      }
    }
    if (blockedUntil - t > ms) {
      ms = blockedUntil - t
      reason = 'retry-after'
    }
    return { ms: Math.max(0, ms), reason }
  }

  const save = (): void => {
    if (!options.persistPath) return
    const file = options.persistPath
    try {
      mkdirSync(dirname(file), { recursive: true })
      const tmp = `${file}.tmp`
      writeFileSync(tmp, JSON.stringify({ log, blockedUntil, blockedAt }))
      renameSync(tmp, file)
    } catch {
      // Advisory only.
    }
  }
  const scheduleSave = (): void => {
    if (!options.persistPath || saveTimer) return
    saveTimer = setTimeout(() => {
      saveTimer = undefined
      save()
    }, 500)
    saveTimer.unref?.()
  }

  // Callers queue up so that two concurrent acquires can't both take the last slot.
  let tail: Promise<void> = Promise.resolve()

  const acquire = async (opts: AcquireOptions = {}): Promise<void> => {
    const { signal } = opts
    signal?.throwIfAborted()
    const previous = tail
    let release!: () => void
    tail = new Promise<void>((resolve) => (release = resolve))
    let onAbort: (() => void) | undefined
    try {
      await (signal
        ? Promise.race([
            previous,
            new Promise<never>((_, reject) => {
              onAbort = () => reject(signal.reason)
              if (signal.aborted) onAbort()
              else signal.addEventListener('abort', onAbort, { once: true })
            })
          ])
        : previous)
    } catch (error) {
      // Keep the chain intact for the others: pass our turn on once the previous one is done.
      void previous.then(release)
      throw error
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort)
    }
    try {
      for (;;) {
        signal?.throwIfAborted()
        const t = now()
        const { ms, reason } = delayAt(t)
        if (ms <= 0) {
          log.push(t)
          // Written before the request leaves: a process killed right after still counts it at
          // the next start (a timer's save lost the last half second, and the restart burst).
          if (saveTimer) {
            clearTimeout(saveTimer)
            saveTimer = undefined
          }
          save()
          return
        }
        const info: WaitInfo = { seconds: Math.ceil(ms / 1000), reason }
        opts.onWait?.(info)
        options.onWait?.(info)
        await sleep(ms, signal)
      }
    } finally {
      release()
    }
  }

  return {
    acquire,
    blockUntil(atMs: number): void {
      if (atMs > blockedUntil) {
        blockedUntil = atMs
        blockedAt = now()
        scheduleSave()
      }
    },
    delayMs: () => delayAt(now()).ms,
    flush(): void {
      if (saveTimer) {
        clearTimeout(saveTimer)
        saveTimer = undefined
      }
      save()
    }
  }
}
