import { describe, expect, it } from 'vitest'

import { createManualClock } from '../infra/clock'
import { PrintagoError } from '../printago/errors'
import { createBudgetedCalls, RequestBudget } from './sync-budget'

describe('request budget', () => {
  it('RequestBudget allows max per sliding window', () => {
    const b = new RequestBudget(6)
    for (let i = 0; i < 6; i++) {
      expect(b.waitMs(1000 + i)).toBe(0)
      b.take(1000 + i)
    }
    expect(b.waitMs(1010)).toBe(60_000 - 10)
    expect(b.waitMs(61_000)).toBe(0)
    expect(b.recent(61_003)).toBe(2)
  })

  it('holds a call on the clock until it fits the window, then after a Retry-After', async () => {
    const clock = createManualClock(0)
    const calls = createBudgetedCalls({ clock, maxPerMinute: 2 })
    const ok = (): Promise<string> => Promise.resolve('ok')
    await calls.call(ok)
    await calls.call(ok)
    let third = false
    const pending = calls.call(ok).then(() => (third = true))
    await clock.advance(59_999)
    expect(third).toBe(false)
    await clock.advance(1)
    await pending
    expect(calls.requestTimes).toEqual([0, 0, 60_000])
    calls.blockUntil(90_000)
    const held = calls.call(ok)
    await clock.runUntil(held)
    expect(calls.requestTimes.at(-1)).toBe(90_000)
  })

  it('lets no call be repeated by the client: the retry aborts it and its error is thrown', async () => {
    const calls = createBudgetedCalls({ clock: createManualClock(0), maxPerMinute: 6 })
    const busy = new PrintagoError({ code: 'server', status: 503, message: 'Server error' })
    let signal: AbortSignal | undefined
    const attempt = calls.call(
      (o) =>
        new Promise((_, reject) => {
          signal = o.signal
          o.signal?.addEventListener('abort', () => reject(new Error('aborted')))
          o.onRetry?.({ attempt: 1, delayMs: 10, method: 'GET', path: '/v1/x', error: busy })
        })
    )
    await expect(attempt).rejects.toBe(busy)
    expect(signal?.aborted).toBe(true)
    expect(calls.requestTimes).toHaveLength(1)
  })

  it('close ends the waits and aborts the requests in flight; later calls reject', async () => {
    const clock = createManualClock(0)
    const calls = createBudgetedCalls({ clock, maxPerMinute: 1 })
    let inflight: AbortSignal | undefined
    const first = calls.call(
      (o) =>
        new Promise((_, reject) => {
          inflight = o.signal
          o.signal?.addEventListener('abort', () => reject(new Error('aborted')))
        })
    )
    const waiting = calls.call(() => Promise.resolve('never sent'))
    await clock.advance(0)
    expect(clock.pending()).toBe(1) // the second call waits for the window
    calls.close()
    await expect(first).rejects.toThrow('aborted')
    expect(inflight?.aborted).toBe(true)
    await expect(waiting).rejects.toThrow('closed')
    await expect(calls.call(() => Promise.resolve(1))).rejects.toThrow('closed')
    expect(clock.pending()).toBe(0)
    expect(calls.requestTimes).toHaveLength(1)
  })
})
