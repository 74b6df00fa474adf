// Runs the status sync's REST passes one at a time: `run()` starts one now, or right after the
// one in progress (callers during a pass share the next one); after each run the next poll is
// planned from `nextDelay()` and set on the injected clock. An earlier poll is never pushed back.
import type { Clock, TimerHandle } from '../infra/clock'

export interface SyncScheduler {
  /** From now on, runs plan the next poll. */
  start(): void
  /** Runs a pass now or right after the running one; resolves when a pass started since ended. */
  run(): Promise<void>
  /** Plans the next poll now (none when `nextDelay()` says so). */
  plan(): void
  /** A poll in `delayMs` at the latest (an earlier one stays). */
  pollWithin(delayMs: number): void
  cancelPoll(): void
  /** A pass is in progress. */
  readonly running: boolean
  /** No more passes or polls; callers waiting for a queued pass are released. */
  stop(): void
  /** Resolves once the pass in progress, if any, has ended. */
  settled(): Promise<void>
}

export function createSyncScheduler(opts: {
  clock: Clock
  /** One pass; must not throw. */
  pass: () => Promise<void>
  /** ms until the next poll, or null for none. */
  nextDelay: () => number | null
}): SyncScheduler {
  const { clock } = opts
  let started = false
  let stopped = false
  let running: Promise<void> | null = null
  let rerun = false
  let waiters: Array<() => void> = []
  let pollTimer: TimerHandle | undefined
  let pollDue = Infinity

  function cancelPoll(): void {
    if (pollTimer !== undefined) clock.clearTimeout(pollTimer)
    pollTimer = undefined
    pollDue = Infinity
  }

  function pollWithin(delay: number): void {
    const due = clock.now() + delay
    if (pollTimer !== undefined && pollDue <= due) return
    cancelPoll()
    pollDue = due
    pollTimer = clock.setTimeout(() => {
      pollTimer = undefined
      pollDue = Infinity
      void run()
    }, delay)
  }

  function plan(): void {
    if (stopped || !started) return
    const delay = opts.nextDelay()
    if (delay === null) cancelPoll()
    else pollWithin(delay)
  }

  function run(): Promise<void> {
    if (stopped) return Promise.resolve()
    const done = new Promise<void>((resolve) => waiters.push(resolve))
    if (running) {
      rerun = true
      return done
    }
    running = (async () => {
      do {
        rerun = false
        const mine = waiters
        waiters = []
        await opts.pass()
        for (const w of mine) w()
      } while (rerun && !stopped)
      running = null
      for (const w of waiters.splice(0)) w()
      plan()
    })()
    return done
  }

  return {
    start() {
      started = true
    },
    run,
    plan,
    pollWithin,
    cancelPoll,
    get running() {
      return running !== null
    },
    stop() {
      stopped = true
      cancelPoll()
      for (const w of waiters.splice(0)) w()
    },
    async settled() {
      await running
    }
  }
}
