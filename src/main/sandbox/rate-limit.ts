// Printago's documented limits: two sliding windows per key (60/min, 600/h by default).
// Only accepted requests are recorded, so a client hammering through 429s is not punished further.

const MINUTE = 60_000
const HOUR = 3_600_000

/** Outcome of a rate-limit check. */
export type RateDecision = { ok: true } | { ok: false; retryAfterSeconds: number }

/** Sliding-window limiter keyed by an opaque client id. */
export class SlidingWindowLimiter {
  private readonly hits = new Map<string, number[]>()

  /** Limits ≤ 0 or non-finite mean "unlimited". */
  constructor(
    private readonly perMinute: number,
    private readonly perHour: number,
    private readonly now: () => number = Date.now
  ) {}

  /** Checks both windows and records the hit when allowed. */
  take(key: string): RateDecision {
    const t = this.now()
    const list = (this.hits.get(key) ?? []).filter((h) => h > t - HOUR)
    const waits: number[] = []
    for (const [limit, window] of [
      [this.perMinute, MINUTE],
      [this.perHour, HOUR]
    ] as const) {
      if (!(limit > 0) || !Number.isFinite(limit)) continue
      const inWindow = list.filter((h) => h > t - window)
      if (inWindow.length >= limit) {
        // The window has room once enough of its oldest hits have aged out.
        const freeing = inWindow[inWindow.length - limit] ?? t
        waits.push(freeing + window - t)
      }
    }
    if (waits.length) {
      this.hits.set(key, list)
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(Math.max(...waits) / 1000)) }
    }
    list.push(t)
    this.hits.set(key, list)
    return { ok: true }
  }

  /** Forget all recorded hits. */
  reset(): void {
    this.hits.clear()
  }
}
