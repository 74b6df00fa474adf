// Time that moves only when told to, and the timers set on it: the core of the test clocks. The
// app core's manual clock (src/core/infra/clock.ts) drives it asynchronously, letting promised
// work settle between timers; the sandbox's virtual clock (src/sandbox/testing/virtual-clock.ts)
// drives it synchronously, like the sandbox's scheduler.

export interface TimerQueue {
  now(): number
  setTimeout(fn: () => void, ms: number): number
  clearTimeout(handle: unknown): void
  /** Timers not yet fired. */
  pending(): number
  /**
   * Fires the earliest timer due at or before `limit` (of equal ones, the first set), moving time
   * to it; false when none is due.
   */
  fireNext(limit: number): boolean
  /** Moves time to `at`, never backwards. */
  moveTo(at: number): void
}

export function createTimerQueue(start: number): TimerQueue {
  let t = start
  let seq = 0
  const timers = new Map<number, { at: number; fn: () => void }>()
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
    pending: () => timers.size,
    fireNext(limit) {
      // Map order is the order set, so a strict `<` keeps the first of equal times.
      let best: number | undefined
      let bestAt = Infinity
      for (const [id, timer] of timers) {
        if (timer.at <= limit && timer.at < bestAt) {
          best = id
          bestAt = timer.at
        }
      }
      if (best === undefined) return false
      const timer = timers.get(best)!
      timers.delete(best)
      t = Math.max(t, timer.at)
      timer.fn()
      return true
    },
    moveTo(at) {
      t = Math.max(t, at)
    }
  }
}
