// The soak's time: one virtual clock (the sandbox's `createVirtualClock`) shared by the sandbox and
// every in-process client, service and session, so Retry-After of a minute, settle waits of a
// minute and URL expiry cost no real time. A pump moves it: whenever the server is quiet (nothing
// in flight at the relay or in an in-process fetch) it jumps to the next timer and fires it.
// Server work and client timeouts stay real, so virtual time never passes while Printago may still
// act on a request: a settle wait is as long as the server's delay, whatever it is in real time.
//
// The wall clock the services read is virtual time plus a skew the clock-jump faults change (both
// ways); their monotonic clock is virtual time itself and never steps.
import type { Clock } from '../../src/core/infra/clock'
import { clockSleep, monotonicOf, type Monotonic } from '../../src/core/infra/clock'
import type { Sleep } from '../../src/core/infra/async'
import { createVirtualClock, type VirtualClock } from '../../src/sandbox/testing/virtual-clock'

export interface SoakTime {
  /** Unskewed virtual time: the sandbox's clock and the app sessions' clock. */
  readonly clock: Clock & VirtualClock
  /** Services' wall clock: virtual time + skew. */
  wall(): number
  /** Services' monotonic clock (one boot id for every in-process service and session). */
  readonly monotonic: Monotonic
  readonly sleep: Sleep
  /** Moves the wall clock by `ms` (either way); monotonic time does not move. */
  jump(ms: number): void
  readonly skew: number
  /** Runs the pump until `stop()`: `busy()` true holds time still. */
  pump(busy: () => boolean, quiet: () => Promise<void>): { stop(): Promise<void> }
  /** Virtual milliseconds the pump has moved the clock so far. */
  readonly advanced: number
}

/** Lets callbacks, promise chains and already-arrived I/O run (a poll phase per turn). */
export async function turns(n = 3): Promise<void> {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r))
}

export function createSoakTime(start = Date.now()): SoakTime {
  const vc = createVirtualClock(start)
  const due = new Map<unknown, number>()
  let skew = 0
  let advanced = 0
  let timerSet: (() => void) | null = null
  const clock: Clock & VirtualClock = {
    ...vc,
    setTimeout(fn, ms) {
      const handle: unknown = vc.setTimeout(() => {
        due.delete(handle)
        fn()
      }, ms)
      due.set(handle, vc.now() + Math.max(0, ms))
      timerSet?.()
      return handle
    },
    clearTimeout(handle) {
      due.delete(handle)
      vc.clearTimeout(handle)
    }
  }
  const nextDue = (): number | undefined => {
    let best: number | undefined
    for (const at of due.values()) if (best === undefined || at < best) best = at
    return best
  }
  return {
    clock,
    wall: () => vc.now() + skew,
    // The boot id app sessions on a test clock use too (session-senders.ts): one clock, one boot.
    monotonic: monotonicOf(() => vc.now()),
    sleep: clockSleep(clock),
    jump(ms) {
      skew += ms
    },
    get skew() {
      return skew
    },
    get advanced() {
      return advanced
    },
    pump(busy, quiet) {
      let stopped = false
      const loop = (async () => {
        while (!stopped) {
          await turns()
          if (stopped) break
          if (busy()) {
            await quiet()
            continue
          }
          const at = nextDue()
          if (at === undefined) {
            // Nothing waits on the clock: sleep until a timer is set (or the pump is stopped).
            await new Promise<void>((r) => (timerSet = r))
            timerSet = null
            continue
          }
          // Still quiet after the turns above: nothing else can happen before this timer.
          if (busy()) continue
          const before = vc.now()
          vc.advanceTo(Math.max(at, before))
          advanced += vc.now() - before
        }
      })()
      return {
        async stop() {
          stopped = true
          timerSet?.()
          await loop
        }
      }
    }
  }
}
