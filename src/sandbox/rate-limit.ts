// Printago's documented limits: two sliding windows per key (60/min, 600/h by default).
// Only accepted requests are recorded, so a client hammering through 429s is not punished further.

const MINUTE = 60_000
const HOUR = 3_600_000

/** One window's state after a check (what the optional rate-limit headers report). */
export interface WindowState {
  name: 'minute' | 'hour'
  limit: number
  /** Requests left in the window after this one. */
  remaining: number
  /** Seconds until the oldest counted request leaves the window (0 when it holds none). */
  resetSeconds: number
  /** Seconds until this window has room again; only when it refused the request. */
  retryAfterSeconds?: number
}

/** Outcome of a rate-limit check. */
export type RateDecision =
  | { ok: true; windows: WindowState[] }
  | { ok: false; retryAfterSeconds: number; windows: WindowState[] }

/** Index of the first element of sorted `xs` greater than `t`. */
function firstAfter(xs: number[], t: number): number {
  let lo = 0
  let hi = xs.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if ((xs[mid] ?? 0) > t) hi = mid
    else lo = mid + 1
  }
  return lo
}

const seconds = (ms: number): number => Math.max(1, Math.ceil(ms / 1000))

/** Sliding-window limiter keyed by an opaque client id. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>()
  private readonly windows: { name: WindowState['name']; limit: number; ms: number }[]
  private readonly horizon: number

  /** Limits ≤ 0 or non-finite mean "unlimited". */
  constructor(
    perMinute: number,
    perHour: number,
    private readonly now: () => number = Date.now
  ) {
    const all = [
      { name: 'minute' as const, limit: perMinute, ms: MINUTE },
      { name: 'hour' as const, limit: perHour, ms: HOUR }
    ]
    this.windows = all.filter((w) => w.limit > 0 && Number.isFinite(w.limit))
    // Only hits inside the longest enforced window matter.
    this.horizon = Math.max(0, ...this.windows.map((w) => w.ms))
  }

  /** Checks both windows and records the hit when allowed. */
  take(key: string): RateDecision {
    if (this.windows.length === 0) return { ok: true, windows: [] }
    const t = this.now()
    let list = this.hits.get(key)
    if (!list) this.hits.set(key, (list = []))
    list.splice(0, firstAfter(list, t - this.horizon))
    let wait = 0
    const states: WindowState[] = []
    for (const { name, limit, ms } of this.windows) {
      const start = firstAfter(list, t - ms)
      const inWindow = list.length - start
      const oldest = list[start]
      const state: WindowState = {
        name,
        limit,
        remaining: Math.max(0, limit - inWindow - 1),
        resetSeconds: oldest === undefined ? 0 : seconds(oldest + ms - t)
      }
      if (inWindow >= limit) {
        // The window has room once enough of its oldest hits have aged out.
        const freeing = list[start + inWindow - limit] ?? t
        const w = freeing + ms - t
        wait = Math.max(wait, w)
        state.remaining = 0
        state.retryAfterSeconds = seconds(w)
      }
      states.push(state)
    }
    if (wait > 0) return { ok: false, retryAfterSeconds: seconds(wait), windows: states }
    list.push(t)
    // The request just counted is the window's oldest when it was empty.
    for (const s of states)
      if (s.resetSeconds === 0) s.resetSeconds = s.name === 'minute' ? 60 : 3600
    return { ok: true, windows: states }
  }

  /** Forget all recorded hits. */
  reset(): void {
    this.hits.clear()
  }
}

/**
 * The optional header set (a guess modelled on NestJS's throttler with throttlers named "minute"
 * and "hour"): per-window `x-ratelimit-{limit,remaining,reset}-<name>`, the un-suffixed trio for
 * the window closest to its limit, and on 429 `retry-after-<name>` per exhausted window.
 */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  const out: Record<string, string> = {}
  let tightest: WindowState | undefined
  for (const w of decision.windows) {
    out[`x-ratelimit-limit-${w.name}`] = String(w.limit)
    out[`x-ratelimit-remaining-${w.name}`] = String(w.remaining)
    out[`x-ratelimit-reset-${w.name}`] = String(w.resetSeconds)
    if (w.retryAfterSeconds !== undefined)
      out[`retry-after-${w.name}`] = String(w.retryAfterSeconds)
    if (!tightest || w.remaining < tightest.remaining) tightest = w
  }
  if (tightest) {
    out['x-ratelimit-limit'] = String(tightest.limit)
    out['x-ratelimit-remaining'] = String(tightest.remaining)
    out['x-ratelimit-reset'] = String(tightest.resetSeconds)
  }
  return out
}
