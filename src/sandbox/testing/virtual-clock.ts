// A virtual clock for tests and soaks: time moves only on advance(), which fires the timers that
// fall due on the way, in order. Pass it as `SandboxOptions.clock` (it also fits the app core's
// Clock interface) to run minutes of Retry-After, URL expiry and printing in milliseconds.
import type { SandboxClock } from '../clock'

export interface VirtualClock extends Required<SandboxClock> {
  /** Moves time forward by `ms`, firing every timer due on the way (timers set meanwhile too). */
  advance(ms: number): void
  /** Moves time to `at` (never backwards). */
  advanceTo(at: number): void
  /** Timers not yet fired. */
  pending(): number
}

/** A virtual clock starting at `start` (default 2026-04-28T12:00:00Z). */
export function createVirtualClock(start = Date.parse('2026-04-28T12:00:00.000Z')): VirtualClock {
  let t = start
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void }>()

  const nextDue = (limit: number): number | undefined => {
    let best: number | undefined
    let bestAt = Infinity
    for (const [id, timer] of timers) {
      if (timer.at <= limit && timer.at < bestAt) {
        best = id
        bestAt = timer.at
      }
    }
    return best
  }

  const advanceTo = (end: number): void => {
    for (;;) {
      const id = nextDue(end)
      if (id === undefined) break
      const timer = timers.get(id)!
      timers.delete(id)
      t = Math.max(t, timer.at)
      timer.fn()
    }
    t = Math.max(t, end)
  }

  return {
    now: () => t,
    setTimeout(fn, ms) {
      const id = ++seq
      timers.set(id, { at: t + Math.max(0, ms), fn })
      return id
    },
    clearTimeout(handle) {
      timers.delete(handle as number)
    },
    advance: (ms) => advanceTo(t + Math.max(0, ms)),
    advanceTo,
    pending: () => timers.size
  }
}
