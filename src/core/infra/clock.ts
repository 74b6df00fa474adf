// Time and timers behind one small interface. The store session, the printer cache and the status
// sync read the time and set their timers only through a Clock, so the app runs on real time and
// tests run on a manual clock: minutes of budgets, polls and back-offs in milliseconds.
import { readFileSync } from 'node:fs'

import { createTimerQueue } from '../../shared/timer-queue'
import { realSleep, type Sleep } from './async'

/** Opaque timer handle (a Node Timeout for the real clock, a number for the manual one). */
export type TimerHandle = unknown

export interface Clock {
  now(): number
  setTimeout(fn: () => void, ms: number): TimerHandle
  clearTimeout(handle: TimerHandle): void
}

/** Real time; its timers never keep the process alive. */
export const realClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms))
    t.unref?.()
    return t
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout)
}

/** A sleep on `clock` that rejects with the signal's reason when aborted. */
export function clockSleep(clock: Clock): Sleep {
  if (clock === realClock) return realSleep
  return (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason)
      const onAbort = (): void => {
        clock.clearTimeout(handle)
        reject(signal?.reason)
      }
      const handle = clock.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      }, ms)
      signal?.addEventListener('abort', onAbort, { once: true })
    })
}

/**
 * Calls `fn` every `ms` until the returned stop function is called. A chain of timeouts rather
 * than an interval, so a manual clock sees one pending timer and a stop is final.
 */
export function every(clock: Clock, ms: number, fn: () => void): () => void {
  let stopped = false
  let handle: TimerHandle
  const tick = (): void => {
    if (stopped) return
    handle = clock.setTimeout(tick, ms)
    fn()
  }
  handle = clock.setTimeout(tick, ms)
  return () => {
    stopped = true
    clock.clearTimeout(handle)
  }
}

/** A clock whose time moves only when told to; for tests. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing every timer due on the way in order, letting work settle. */
  advance(ms: number): Promise<void>
  /**
   * Waits for `promise`, firing the next timer whenever nothing else is left to do: a wait on
   * the clock (a back-off, a rate-limit slot) passes at once, real I/O runs at its own pace.
   */
  runUntil<T>(promise: Promise<T>, realTimeoutMs?: number): Promise<T>
  /** Timers not yet fired. */
  pending(): number
}

/** Lets promise callbacks and finished I/O run (a few turns of the event loop). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve))
}

/** A manual clock starting at `start` (default: now, so dates stay plausible next to a server's). */
export function createManualClock(start = Date.now()): ManualClock {
  const q = createTimerQueue(start)
  return {
    now: q.now,
    setTimeout: q.setTimeout,
    clearTimeout: q.clearTimeout,
    pending: q.pending,
    async advance(ms) {
      const end = q.now() + Math.max(0, ms)
      for (;;) {
        await settle()
        if (!q.fireNext(end)) break
      }
      q.moveTo(end)
      await settle()
    },
    async runUntil(promise, realTimeoutMs = 10_000) {
      let done = false
      promise.then(
        () => (done = true),
        () => (done = true)
      )
      const deadline = Date.now() + realTimeoutMs
      for (;;) {
        await settle()
        if (done) return promise
        if (Date.now() > deadline) throw new Error('manual clock: the awaited work never finished')
        q.fireNext(Infinity)
      }
    }
  }
}

/**
 * A clock that never steps: what waits and windows are measured on. `now()` is milliseconds on
 * the system's monotonic clock (shared by every process of one boot, so a resumed process can
 * measure from a time another one recorded); `bootId` names that boot (null where unknown).
 */
export interface Monotonic {
  now(): number
  readonly bootId: string | null
}

function readBootId(): string | null {
  try {
    // Linux: changes on every boot; elsewhere there is no cheap equivalent.
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null
  } catch {
    return null
  }
}

/** The system's monotonic clock (CLOCK_MONOTONIC via hrtime: system-wide, never set back). */
export const systemMonotonic: Monotonic = {
  now: () => Number(process.hrtime.bigint() / 1_000_000n),
  bootId: readBootId()
}

/** A monotonic clock over a test clock (its time only moves forward). */
export function monotonicOf(now: () => number, bootId = 'test-boot'): Monotonic {
  return { now, bootId }
}

/**
 * How long until `at + ms` on a wall clock that may have stepped: never negative, never more than
 * `ms` (a clock set back must not turn a one-minute wait into hours).
 */
export function boundedWait(at: number, ms: number, now: number): number {
  return Math.min(ms, Math.max(0, at + ms - now))
}
