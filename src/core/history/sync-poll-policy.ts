// When the status sync polls over REST, as pure decisions. Realtime connected and trusted: only a
// slow watchdog while jobs are open (one batched pass every `watchdogIntervalMs`), because job
// events may not reach an API key at all. Realtime down, or connected but not delivering our job
// events (`suspect`): polling. Jobs open: every `baseIntervalMs`, backing off ×1.5 per pass that
// changed nothing (×2 per failed pass, and at least 30 s while failing) up to `maxIntervalMs`.
// Nothing open: `maxIntervalMs` for a few idle polls while recently finished entries may still
// change (a job retried in Printago's UI reopens), then not at all.
export const FAILING_MIN_INTERVAL_MS = 30_000
export const WATCHDOG_INTERVAL_MS = 3 * 60_000

export interface PollPolicy {
  /** Poll interval while jobs are open and realtime is down. */
  baseIntervalMs: number
  /** Longest interval of the back-off (and the idle rate). */
  maxIntervalMs: number
  /** Idle polls (nothing open) before polling stops. */
  maxIdlePolls: number
  /** The watchdog's interval while realtime is connected and jobs are open. */
  watchdogIntervalMs?: number
}

/** How one REST pass went, for the back-off. */
export type PassOutcome =
  | { kind: 'done'; /** entries whose copies changed */ changed: number; hadOpen: boolean }
  | { kind: 'failed' }

export interface BackoffState {
  intervalMs: number
  /** Passes made while nothing was open. */
  idlePolls: number
}

/** The back-off after a pass. */
export function afterPass(b: BackoffState, outcome: PassOutcome, p: PollPolicy): BackoffState {
  if (outcome.kind === 'failed') {
    return { ...b, intervalMs: Math.min(p.maxIntervalMs, b.intervalMs * 2) }
  }
  const next =
    outcome.changed > 0
      ? { intervalMs: p.baseIntervalMs, idlePolls: 0 }
      : { ...b, intervalMs: Math.min(p.maxIntervalMs, Math.round(b.intervalMs * 1.5)) }
  if (!outcome.hadOpen) next.idlePolls++
  return next
}

/** What the next poll depends on. */
export interface PollSituation {
  /** Realtime is connected (its events keep the history up to date). */
  live: boolean
  /** Connected, but our job events do not seem to arrive (see sync-realtime-health.ts). */
  suspect?: boolean
  /** Some entry may still change. */
  hasOpen: boolean
  /** The last REST pass failed. */
  failing: boolean
  /** Recently finished entries worth re-checking exist (asked only when it matters). */
  hasRecent: () => boolean
}

/** ms until the next poll, or null for none. */
export function nextPollDelay(s: PollSituation, b: BackoffState, p: PollPolicy): number | null {
  if (s.live && !s.suspect) return s.hasOpen ? (p.watchdogIntervalMs ?? WATCHDOG_INTERVAL_MS) : null
  if (s.hasOpen) return s.failing ? Math.max(b.intervalMs, FAILING_MIN_INTERVAL_MS) : b.intervalMs
  if (b.idlePolls < p.maxIdlePolls && s.hasRecent()) return p.maxIntervalMs
  return null
}

/** The back-off of one sync: its state and the events that move it. */
export interface PollBackoff {
  readonly state: BackoffState
  record(outcome: PassOutcome): void
  /** New work appeared (a new entry): the base rate and no idle polls again. */
  reset(): void
  /** The user asked for a refresh: idle polls count from zero again. */
  resetIdle(): void
}

export function createPollBackoff(p: PollPolicy): PollBackoff {
  let state: BackoffState = { intervalMs: p.baseIntervalMs, idlePolls: 0 }
  return {
    get state() {
      return state
    },
    record(outcome) {
      state = afterPass(state, outcome, p)
    },
    reset() {
      state = { intervalMs: p.baseIntervalMs, idlePolls: 0 }
    },
    resetIdle() {
      state = { ...state, idlePolls: 0 }
    }
  }
}
