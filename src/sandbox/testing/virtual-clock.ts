// A virtual clock for tests and soaks: time moves only on advance(), which fires the timers that
// fall due on the way, in order. Pass it as `SandboxOptions.clock` (it also fits the app core's
// Clock interface) to run minutes of Retry-After, URL expiry and printing in milliseconds.
import { createTimerQueue } from '../../shared/timer-queue'
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
  const q = createTimerQueue(start)
  const advanceTo = (end: number): void => {
    while (q.fireNext(end)) {
      // A fired timer may set new ones that fall due before `end`: they fire too.
    }
    q.moveTo(end)
  }
  return {
    now: q.now,
    setTimeout: q.setTimeout,
    clearTimeout: q.clearTimeout,
    advance: (ms) => advanceTo(q.now() + Math.max(0, ms)),
    advanceTo,
    pending: q.pending
  }
}
