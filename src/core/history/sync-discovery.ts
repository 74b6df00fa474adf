// New entries, as the status sync sees them: an entry whose part build the store did not hold at
// the last look (a send, a resumed send, a reprint, another process's write). Its jobs usually
// arrive as realtime events; one that still lacks copies after a short delay is looked up over
// REST. The delay runs on the injected clock.
import type { HistoryEntry } from '../../shared/history'
import type { Clock, TimerHandle } from '../infra/clock'
import type { HistoryStore } from './store'

export interface NewEntries {
  /** Entries whose part build is new since the last call. */
  take(): HistoryEntry[]
  /** After the delay, `then(stillUnknown)`: whether one of `fresh` still lacks copies. */
  checkLater(fresh: readonly HistoryEntry[], then: (stillUnknown: boolean) => void): void
  /** Drops the pending checks. */
  close(): void
}

export function watchNewEntries(opts: {
  store: HistoryStore
  clock: Clock
  delayMs: number
}): NewEntries {
  const { store, clock } = opts
  let known = new Set(store.list().map((e) => e.partBuildId))
  const timers = new Set<TimerHandle>()
  return {
    take() {
      const builds = new Set<string>()
      const fresh: HistoryEntry[] = []
      for (const e of store.list()) {
        builds.add(e.partBuildId)
        if (!known.has(e.partBuildId)) fresh.push(e)
      }
      known = builds
      return fresh
    },
    checkLater(fresh, then) {
      const timer = clock.setTimeout(() => {
        timers.delete(timer)
        then(
          fresh.some((e) => {
            const now = store.get(e.id)
            return now !== undefined && now.copies.length < now.quantity
          })
        )
      }, opts.delayMs)
      timers.add(timer)
    },
    close() {
      for (const t of timers) clock.clearTimeout(t)
      timers.clear()
    }
  }
}
