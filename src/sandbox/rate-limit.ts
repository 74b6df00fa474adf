// Printago's documented limits: two sliding windows per key (60/min, 600/h by default).
// Only accepted requests are recorded, so a client hammering through 429s is not punished further.

const MINUTE = 60_000
const HOUR = 3_600_000

/** Outcome of a rate-limit check. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number }

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

/** Sliding-window limiter keyed by an opaque client id. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>()
  private readonly windows: { limit: number; ms: number }[]
  private readonly horizon: number

  /** Limits ≤ 0 or non-finite mean "unlimited". */
  constructor(
    perMinute: number,
    perHour: number,
    private readonly now: () => number = Date.now
  ) {
    this.windows = [
      { limit: perMinute, ms: MINUTE },
      { limit: perHour, ms: HOUR }
    ].filter((w) => w.limit > 0 && Number.isFinite(w.limit))
    // Only hits inside the longest enforced window matter.
    this.horizon = Math.max(0, ...this.windows.map((w) => w.ms))
  }

  /** Checks both windows and records the hit when allowed. */
  take(key: string): RateDecision {
    if (this.windows.length === 0) return { ok: true }
    const t = this.now()
    let list = this.hits.get(key)
    if (!list) this.hits.set(key, (list = []))
    list.splice(0, firstAfter(list, t - this.horizon))
    let wait = 0
    for (const { limit, ms } of this.windows) {
      const start = firstAfter(list, t - ms)
      const inWindow = list.length - start
      if (inWindow >= limit) {
        // The window has room once enough of its oldest hits have aged out.
        const freeing = list[start + inWindow - limit] ?? t
        wait = Math.max(wait, freeing + ms - t)
      }
    }
    if (wait > 0) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) }
    list.push(t)
    return { ok: true }
  }

  /** Forget all recorded hits. */
  reset(): void {
    this.hits.clear()
  }
}
