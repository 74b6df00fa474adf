// Time for the sandbox: the rate limiter, signed-URL expiry, entity timestamps, the request log and
// the scheduler all read it here, so a test or a soak can run minutes of Retry-After, expiry and
// printing on a virtual clock. Same shape as the app core's Clock, so one clock can drive both.

/** Opaque timer handle (a Node Timeout for real time, whatever a virtual clock uses). */
export type SandboxTimer = unknown

/** Now and timers. Without timers the scheduler polls `now()` on real timers. */
export interface SandboxClock {
  now(): number
  setTimeout?(fn: () => void, ms: number): SandboxTimer
  clearTimeout?(handle: SandboxTimer): void
}

/** Real time; its timers never keep the process alive. */
export const realClock: Required<SandboxClock> = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms))
    t.unref()
    return t
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout)
}

/** A clock with timers: its own, or real ones when it has none. */
export function withTimers(clock: SandboxClock): Required<SandboxClock> {
  if (clock.setTimeout && clock.clearTimeout) {
    const set = clock.setTimeout.bind(clock)
    const clear = clock.clearTimeout.bind(clock)
    return { now: () => clock.now(), setTimeout: set, clearTimeout: clear }
  }
  return {
    now: () => clock.now(),
    setTimeout: realClock.setTimeout,
    clearTimeout: realClock.clearTimeout
  }
}
