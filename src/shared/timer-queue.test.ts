import { describe, expect, it } from 'vitest'
import { createTimerQueue } from './timer-queue'

describe('createTimerQueue', () => {
  it('fires due timers earliest first, equal times in the order set, and moves time to each', () => {
    const q = createTimerQueue(100)
    const fired: string[] = []
    q.setTimeout(() => fired.push(`b@${q.now()}`), 20)
    q.setTimeout(() => fired.push(`a@${q.now()}`), 10)
    q.setTimeout(() => fired.push(`c@${q.now()}`), 20)
    const late = q.setTimeout(() => fired.push('late'), 50)
    q.clearTimeout(late)
    while (q.fireNext(130)) {
      // all due by 130
    }
    expect(fired).toEqual(['a@110', 'b@120', 'c@120'])
    expect(q.pending()).toBe(0)
    q.moveTo(90)
    expect(q.now()).toBe(120)
    q.moveTo(130)
    expect(q.now()).toBe(130)
  })
})
