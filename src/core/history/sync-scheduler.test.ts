import { describe, expect, it } from 'vitest'

import { createManualClock } from '../infra/clock'
import { createSyncScheduler } from './sync-scheduler'

/** A pass the test ends by hand. */
function passes(): { pass: () => Promise<void>; count: () => number; finish: () => void } {
  let n = 0
  let finish: (() => void) | null = null
  return {
    pass: () => {
      n++
      return new Promise<void>((resolve) => (finish = resolve))
    },
    count: () => n,
    finish: () => finish?.()
  }
}

const turns = (): Promise<void> => new Promise((r) => setImmediate(r))

describe('sync scheduler', () => {
  it('runs one pass at a time: callers during a pass share the next one', async () => {
    const clock = createManualClock(0)
    const p = passes()
    const s = createSyncScheduler({ clock, pass: p.pass, nextDelay: () => null })
    const done: string[] = []
    void s.run().then(() => done.push('a'))
    void s.run().then(() => done.push('b'))
    void s.run().then(() => done.push('c'))
    await turns()
    expect(p.count()).toBe(1)
    expect(s.running).toBe(true)
    p.finish()
    await turns()
    expect(done).toEqual(['a'])
    expect(p.count()).toBe(2) // b and c share the rerun
    p.finish()
    await turns()
    expect(done).toEqual(['a', 'b', 'c'])
    expect(s.running).toBe(false)
  })

  it('plans the next poll after each run, never pushing an earlier one back', async () => {
    const clock = createManualClock(0)
    const p = passes()
    let delay: number | null = 10_000
    const s = createSyncScheduler({ clock, pass: p.pass, nextDelay: () => delay })
    s.plan()
    expect(clock.pending()).toBe(0) // not started: nothing is planned
    s.start()
    s.pollWithin(5000)
    s.plan() // 10 s would be later: the 5 s poll stays
    await clock.advance(5000)
    expect(p.count()).toBe(1)
    p.finish()
    await turns()
    expect(clock.pending()).toBe(1)
    await clock.advance(9999)
    expect(p.count()).toBe(1)
    await clock.advance(1)
    expect(p.count()).toBe(2)
    delay = null
    p.finish()
    await turns()
    expect(clock.pending()).toBe(0)
  })

  it('stops: no polls, no new passes, queued callers released, the running pass awaited', async () => {
    const clock = createManualClock(0)
    const p = passes()
    const s = createSyncScheduler({ clock, pass: p.pass, nextDelay: () => 1000 })
    s.start()
    void s.run()
    let queued = false
    void s.run().then(() => (queued = true))
    await turns()
    s.stop()
    await turns()
    expect(queued).toBe(true)
    let settled = false
    void s.settled().then(() => (settled = true))
    await turns()
    expect(settled).toBe(false)
    p.finish()
    await turns()
    expect(settled).toBe(true)
    await s.run()
    expect(p.count()).toBe(1)
    expect(clock.pending()).toBe(0)
  })
})
