// The status sync's own REST budget: every request it makes waits (on the injected clock) until
// it fits a sliding window of `maxPerWindow` requests and any Retry-After has passed, and is never
// repeated by the client on its own (a repeat would be a request outside the budget: it fails
// now and the next poll repeats it). Closing aborts the requests in flight and ends every wait.
import type { Clock } from '../infra/clock'
import type { CallOptions } from '../printago/client'
import type { PrintagoError } from '../printago/errors'

/** A sliding-window request budget: at most `max` requests in any `windowMs`. */
export class RequestBudget {
  private readonly times: number[] = []

  constructor(
    readonly max: number,
    readonly windowMs = 60_000
  ) {}

  /** ms until one more request fits (0 = now). */
  waitMs(now: number): number {
    while (this.times.length > 0 && this.times[0]! <= now - this.windowMs) this.times.shift()
    return this.times.length < this.max ? 0 : this.times[0]! + this.windowMs - now
  }

  take(now: number): void {
    this.times.push(now)
  }

  /** Request times still inside the window (for tests and diagnostics). */
  recent(now: number): number {
    this.waitMs(now)
    return this.times.length
  }
}

/** Runs one REST call inside the budget. */
export type BudgetedCall = <T>(fn: (o: CallOptions) => Promise<T>) => Promise<T>

export interface BudgetedCalls {
  call: BudgetedCall
  /** Holds every call until `at` (clock ms), e.g. a 429's Retry-After. */
  blockUntil(at: number): void
  /** Requests that could go right now without waiting (0 while held by a Retry-After). */
  room(): number
  /** Times of the requests made so far (clock ms). */
  readonly requestTimes: readonly number[]
  /** Aborts the requests in flight and ends every wait; calls from now on reject. */
  close(): void
}

export function createBudgetedCalls(opts: { clock: Clock; maxPerMinute: number }): BudgetedCalls {
  const { clock } = opts
  const budget = new RequestBudget(opts.maxPerMinute)
  const requestTimes: number[] = []
  const inflight = new Set<AbortController>()
  const sleepers = new Set<() => void>()
  let blockedUntil = 0
  let closed = false

  /** Waits on the clock; close() ends every wait at once. */
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const done = (): void => {
        sleepers.delete(done)
        clock.clearTimeout(handle)
        resolve()
      }
      const handle = clock.setTimeout(done, ms)
      sleepers.add(done)
    })

  async function call<T>(fn: (o: CallOptions) => Promise<T>): Promise<T> {
    for (;;) {
      if (closed) throw new Error('status sync closed')
      const wait = Math.max(budget.waitMs(clock.now()), blockedUntil - clock.now())
      if (wait <= 0) break
      await sleep(wait)
    }
    budget.take(clock.now())
    requestTimes.push(clock.now())
    const controller = new AbortController()
    inflight.add(controller)
    let retryError: PrintagoError | undefined
    try {
      return await fn({
        signal: controller.signal,
        onRetry: (e) => {
          retryError = e.error
          controller.abort()
        }
      })
    } catch (e) {
      throw retryError ?? e
    } finally {
      inflight.delete(controller)
    }
  }

  return {
    call,
    blockUntil(at) {
      blockedUntil = at
    },
    room() {
      if (closed || blockedUntil > clock.now()) return 0
      return budget.max - budget.recent(clock.now())
    },
    requestTimes,
    close() {
      closed = true
      for (const c of inflight) c.abort()
      for (const wake of [...sleepers]) wake()
    }
  }
}
