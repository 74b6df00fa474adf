// When the status sync does its extras — queue places and part facts (estimates, thumbnails):
// one timer on the clock for whichever is due first, and a run only while the budget has room to
// spare (EXTRAS_MIN_ROOM free slots), so the jobs' own status is never delayed by them; without
// room it looks again in EXTRAS_RETRY_MS.
import type { HistoryEntry } from '../../shared/history'
import type { Clock, TimerHandle } from '../infra/clock'
import type { BudgetedCalls } from './sync-budget'

/** Extra work waits while the budget has fewer free slots than this. */
export const EXTRAS_MIN_ROOM = 3
/** …and is looked at again this often while it waits. */
export const EXTRAS_RETRY_MS = 10_000

/** One kind of extra work. */
export interface ExtraWork {
  /** ms until it is worth doing for these entries; null when none. */
  dueIn(entries: readonly HistoryEntry[]): number | null
  /** Does it through the budget; never throws. */
  run(): Promise<void>
}

export interface ExtrasScheduler {
  /** Plans the next run from what is due (an earlier run is never pushed back). */
  plan(): void
  /** No more runs; resolves once the one in progress, if any, has ended. */
  close(): Promise<void>
}

export function createExtrasScheduler(opts: {
  clock: Clock
  calls: Pick<BudgetedCalls, 'room'>
  entries: () => readonly HistoryEntry[]
  work: ExtraWork[]
}): ExtrasScheduler {
  const { clock } = opts
  let timer: TimerHandle | undefined
  let dueAt = Infinity
  let running = false
  let closed = false
  let current: Promise<void> = Promise.resolve()

  const at = (delay: number): void => {
    if (timer !== undefined) clock.clearTimeout(timer)
    dueAt = clock.now() + delay
    timer = clock.setTimeout(() => {
      timer = undefined
      dueAt = Infinity
      current = run()
    }, delay)
  }

  function plan(): void {
    if (closed || running) return
    const entries = opts.entries()
    const waits = opts.work.map((w) => w.dueIn(entries)).filter((d): d is number => d !== null)
    if (waits.length === 0) return
    const delay = Math.min(...waits)
    if (timer !== undefined && dueAt <= clock.now() + delay) return
    at(delay)
  }

  async function run(): Promise<void> {
    if (closed || running) return
    if (opts.calls.room() < EXTRAS_MIN_ROOM) return at(EXTRAS_RETRY_MS)
    running = true
    try {
      for (const w of opts.work) {
        if (closed || opts.calls.room() < EXTRAS_MIN_ROOM) break
        if (w.dueIn(opts.entries()) === 0) await w.run()
      }
    } finally {
      running = false
    }
    plan()
  }

  return {
    plan,
    async close() {
      closed = true
      if (timer !== undefined) clock.clearTimeout(timer)
      timer = undefined
      await current
    }
  }
}
