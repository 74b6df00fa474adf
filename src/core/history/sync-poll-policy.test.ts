import { describe, expect, it } from 'vitest'

import {
  afterPass,
  createPollBackoff,
  FAILING_MIN_INTERVAL_MS,
  nextPollDelay,
  WATCHDOG_INTERVAL_MS,
  type PollPolicy,
  type PollSituation
} from './sync-poll-policy'

const policy: PollPolicy = { baseIntervalMs: 10_000, maxIntervalMs: 60_000, maxIdlePolls: 5 }
const situation = (over: Partial<PollSituation> = {}): PollSituation => ({
  live: false,
  hasOpen: true,
  failing: false,
  hasRecent: () => true,
  ...over
})

describe('poll policy', () => {
  it('backs off ×1.5 while nothing changes, ×2 on failures, up to the longest interval', () => {
    const b = createPollBackoff(policy)
    const intervals: number[] = []
    for (let i = 0; i < 6; i++) {
      b.record({ kind: 'done', changed: 0, hadOpen: true })
      intervals.push(b.state.intervalMs)
    }
    expect(intervals).toEqual([15_000, 22_500, 33_750, 50_625, 60_000, 60_000])
    b.record({ kind: 'done', changed: 1, hadOpen: true })
    expect(b.state).toEqual({ intervalMs: 10_000, idlePolls: 0 })
    b.record({ kind: 'failed' })
    b.record({ kind: 'failed' })
    expect(b.state.intervalMs).toBe(40_000)
    expect(afterPass({ intervalMs: 40_000, idlePolls: 0 }, { kind: 'failed' }, policy)).toEqual({
      intervalMs: 60_000,
      idlePolls: 0
    })
  })

  it('counts idle passes and resets them on new work or a refresh', () => {
    const b = createPollBackoff(policy)
    b.record({ kind: 'done', changed: 0, hadOpen: false })
    b.record({ kind: 'done', changed: 2, hadOpen: false }) // a change resets, the pass still counts
    expect(b.state.idlePolls).toBe(1)
    b.record({ kind: 'done', changed: 0, hadOpen: false })
    b.resetIdle()
    expect(b.state).toEqual({ intervalMs: 15_000, idlePolls: 0 })
    b.record({ kind: 'done', changed: 0, hadOpen: false })
    b.reset()
    expect(b.state).toEqual({ intervalMs: 10_000, idlePolls: 0 })
  })

  it('polls while realtime is down, slower while failing, and stops when idle', () => {
    const b = { intervalMs: 15_000, idlePolls: 0 }
    expect(nextPollDelay(situation(), b, policy)).toBe(15_000)
    expect(nextPollDelay(situation({ failing: true }), b, policy)).toBe(FAILING_MIN_INTERVAL_MS)
    const idle = situation({ hasOpen: false })
    expect(nextPollDelay(idle, b, policy)).toBe(60_000)
    expect(nextPollDelay(idle, { ...b, idlePolls: 5 }, policy)).toBeNull()
    let asked = false
    const nothingRecent = situation({ hasOpen: false, hasRecent: () => ((asked = true), false) })
    expect(nextPollDelay(nothingRecent, b, policy)).toBeNull()
    expect(asked).toBe(true)
  })

  it('while realtime is connected: only the slow watchdog for open jobs, polling when suspect', () => {
    const b = { intervalMs: 15_000, idlePolls: 0 }
    expect(nextPollDelay(situation({ live: true }), b, policy)).toBe(WATCHDOG_INTERVAL_MS)
    expect(
      nextPollDelay(situation({ live: true }), b, { ...policy, watchdogIntervalMs: 120_000 })
    ).toBe(120_000)
    expect(nextPollDelay(situation({ live: true, hasOpen: false }), b, policy)).toBeNull()
    // Connected, but our job events do not arrive: as if realtime were down.
    expect(nextPollDelay(situation({ live: true, suspect: true }), b, policy)).toBe(15_000)
    expect(WATCHDOG_INTERVAL_MS).toBeGreaterThanOrEqual(60_000)
  })
})
