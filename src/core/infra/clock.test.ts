import { describe, expect, it } from 'vitest'

import { clockSleep, createManualClock, every, realClock } from './clock'
import { realSleep } from './async'

describe('manual clock', () => {
  it('fires due timers in time order as it advances, and only those', async () => {
    const clock = createManualClock(1_000)
    const fired: string[] = []
    clock.setTimeout(() => fired.push('b@300'), 300)
    clock.setTimeout(() => fired.push('a@100'), 100)
    const late = clock.setTimeout(() => fired.push('never'), 200)
    clock.clearTimeout(late)
    clock.setTimeout(() => {
      fired.push('c@250')
      // A timer set by a timer fires in the same advance when it is due by its end.
      clock.setTimeout(() => fired.push(`d@${clock.now() - 1_000}`), 40)
    }, 250)
    await clock.advance(299)
    expect(fired).toEqual(['a@100', 'c@250', 'd@290'])
    expect(clock.now()).toBe(1_299)
    await clock.advance(1)
    expect(fired).toEqual(['a@100', 'c@250', 'd@290', 'b@300'])
    expect(clock.pending()).toBe(0)
  })

  it('runUntil lets waits on the clock pass at once', async () => {
    const clock = createManualClock()
    const sleep = clockSleep(clock)
    const start = clock.now()
    const work = (async () => {
      for (let i = 0; i < 5; i++) await sleep(60_000)
      return clock.now() - start
    })()
    expect(await clock.runUntil(work)).toBe(5 * 60_000)
  })

  it('an aborted sleep rejects with the reason and leaves no timer behind', async () => {
    const clock = createManualClock()
    const controller = new AbortController()
    const waiting = clockSleep(clock)(1_000, controller.signal)
    controller.abort(new Error('stop'))
    await expect(waiting).rejects.toThrow('stop')
    expect(clock.pending()).toBe(0)
  })

  it('every() repeats until stopped', async () => {
    const clock = createManualClock()
    let runs = 0
    const stop = every(clock, 30_000, () => runs++)
    await clock.advance(95_000)
    expect(runs).toBe(3)
    stop()
    await clock.advance(95_000)
    expect(runs).toBe(3)
    expect(clock.pending()).toBe(0)
  })

  it('the real clock sleeps with the shared real sleep', () => {
    expect(clockSleep(realClock)).toBe(realSleep)
  })
})
