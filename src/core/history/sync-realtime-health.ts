// Whether realtime can be trusted with the jobs while it is connected. Which entity names
// Printago uses for jobs, and whether an API key receives job events at all, is undocumented
// (API.md §10, December 2026 update): a connection can be up and still deliver nothing about our
// jobs. The sync then polls as if realtime were down, until a job event of ours proves otherwise.
// Evidence that job events go astray:
//   - a REST pass made while connected (the watchdog, a new entry's look-up) found changes that
//     no event had brought;
//   - messages on the entity topics that could be job events arrive in a shape we do not read;
//   - a copy stays in a passing state (slicing, sending…) far longer than such states last,
//     without one event.
import type { JobCopy } from '../../shared/history'
import type { Clock } from '../infra/clock'
import type { UnrecognisedMessage } from '../printago/realtime'

/** States a job passes through within minutes; one that stays longer probably moved unseen. */
const PASSING = new Set([
  'assigned',
  'slicing',
  'sliced',
  'finalizing',
  'ready-for-printer',
  'sending-to-printer'
])

export const STUCK_MS = 10 * 60_000

export interface RealtimeHealth {
  /** Job events cannot be trusted now: poll as if realtime were down. */
  readonly suspect: boolean
  /** Why, in words, while suspect. */
  readonly reason: string | undefined
  /** A job event about one of my jobs arrived: realtime delivers them. */
  jobEvent(): void
  /** Something realtime should have told us came from REST instead. */
  missed(reason: string): void
  /** A message realtime could not read. */
  unrecognised(m: UnrecognisedMessage, jobsOpen: boolean): void
  /** True when a copy sits in a passing state longer than such states last, with no event. */
  stuck(copies: readonly JobCopy[]): boolean
}

/** An unreadable message that may well be a job event (not a foreign topic or another entity). */
export function mayBeJobEvent(m: UnrecognisedMessage): boolean {
  if (m.reason === 'foreign topic') return false
  if (m.reason === 'unknown entityType') return /job/i.test(m.rawType ?? m.topic)
  return /\/entities(\/|$)/.test(m.topic) || m.reason === 'unknown topic'
}

export function createRealtimeHealth(opts: {
  clock: Clock
  onChange?: () => void
}): RealtimeHealth {
  let reason: string | undefined
  let lastJobEvent = opts.clock.now()
  const set = (next: string | undefined): void => {
    if (next === reason) return
    const was = reason !== undefined
    reason = next
    if (was !== (reason !== undefined)) opts.onChange?.()
  }
  return {
    get suspect() {
      return reason !== undefined
    },
    get reason() {
      return reason
    },
    jobEvent() {
      lastJobEvent = opts.clock.now()
      set(undefined)
    },
    missed(why) {
      set(why)
    },
    unrecognised(m, jobsOpen) {
      if (jobsOpen && mayBeJobEvent(m))
        set(`realtime sent messages this app cannot read (${m.reason})`)
    },
    stuck(copies) {
      const now = opts.clock.now()
      if (now - lastJobEvent < STUCK_MS) return false
      return copies.some(
        (c) =>
          PASSING.has(c.status) &&
          !c.deletedOnServer &&
          now - Date.parse(c.updatedAt || '') >= STUCK_MS
      )
    }
  }
}
