import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createRateLimiter } from './rate-limiter'
import { tempDir } from '../../test-support/temp'

/** A fake clock whose sleep advances time instantly. */
function fakeClock(start = 1_000_000): {
  now: () => number
  sleep: (ms: number) => Promise<void>
  slept: number[]
} {
  let t = start
  const slept: number[] = []
  return {
    now: () => t,
    sleep: async (ms) => {
      slept.push(ms)
      t += ms
    },
    slept
  }
}

describe('createRateLimiter', () => {
  it('lets `limit` requests through per window, then waits for the oldest to leave', async () => {
    const clock = fakeClock()
    const waits: number[] = []
    const limiter = createRateLimiter({
      marginMs: 0,
      windows: [{ limit: 3, windowMs: 1000 }],
      now: clock.now,
      sleep: clock.sleep,
      onWait: (w) => waits.push(w.seconds)
    })
    for (let i = 0; i < 3; i++) await limiter.acquire()
    expect(clock.slept).toEqual([])
    await limiter.acquire()
    expect(clock.slept).toEqual([1000])
    expect(waits).toEqual([1])
  })

  it('enforces both windows (per minute and per hour)', async () => {
    const clock = fakeClock()
    const limiter = createRateLimiter({
      marginMs: 0,
      perMinute: 2,
      perHour: 3,
      now: clock.now,
      sleep: clock.sleep
    })
    const start = clock.now()
    const times: number[] = []
    for (let i = 0; i < 5; i++) {
      await limiter.acquire()
      times.push(clock.now() - start)
    }
    // 2 at t=0, 1 after the minute frees, then the hour is full until the first two leave it.
    expect(times).toEqual([0, 0, 60_000, 3_600_000, 3_600_000])
  })

  it('never lets concurrent callers exceed the window', async () => {
    const { dir, cleanup } = await tempDir()
    try {
      const clock = fakeClock()
      const file = join(dir, 'log.json')
      const limiter = createRateLimiter({
        marginMs: 0,
        // The second window only keeps the log long enough to inspect it.
        windows: [
          { limit: 2, windowMs: 1000 },
          { limit: 100, windowMs: 100_000 }
        ],
        now: clock.now,
        sleep: clock.sleep,
        persistPath: file
      })
      await Promise.all(Array.from({ length: 6 }, () => limiter.acquire()))
      limiter.flush()
      const { log } = JSON.parse(readFileSync(file, 'utf8')) as { log: number[] }
      expect(log).toHaveLength(6)
      for (const t of log)
        expect(log.filter((s) => s > t - 1000 && s <= t).length).toBeLessThanOrEqual(2)
    } finally {
      await cleanup()
    }
  })

  it('blockUntil holds everyone back and is reported as retry-after', async () => {
    const clock = fakeClock()
    const reasons: string[] = []
    const limiter = createRateLimiter({
      marginMs: 0,
      now: clock.now,
      sleep: clock.sleep,
      onWait: (w) => reasons.push(w.reason)
    })
    limiter.blockUntil(clock.now() + 2500)
    expect(limiter.delayMs()).toBe(2500)
    await limiter.acquire()
    expect(clock.slept).toEqual([2500])
    expect(reasons).toEqual(['retry-after'])
  })

  it('a waiting acquire can be aborted without blocking the next caller', async () => {
    let t = 0
    const limiter = createRateLimiter({
      marginMs: 0,
      windows: [{ limit: 1, windowMs: 1000 }],
      now: () => t,
      sleep: (ms, signal) =>
        new Promise((resolve, reject) => {
          signal?.addEventListener('abort', () => reject(signal.reason))
          setTimeout(() => {
            t += ms
            resolve()
          }, 5)
        })
    })
    await limiter.acquire()
    const controller = new AbortController()
    const waiting = limiter.acquire({ signal: controller.signal })
    controller.abort(new Error('cancel'))
    await expect(waiting).rejects.toThrow('cancel')
    await limiter.acquire()
    expect(t).toBe(1000)
  })

  describe('persistence', () => {
    let dir: string
    let cleanup: () => Promise<void>
    beforeEach(async () => ({ dir, cleanup } = await tempDir()))
    afterEach(() => cleanup())

    it('a restarted limiter remembers recent requests', async () => {
      const clock = fakeClock()
      const file = join(dir, 'rate.json')
      const a = createRateLimiter({
        marginMs: 0,
        windows: [{ limit: 2, windowMs: 60_000 }],
        now: clock.now,
        sleep: clock.sleep,
        persistPath: file
      })
      await a.acquire()
      await a.acquire()
      a.flush()
      const b = createRateLimiter({
        marginMs: 0,
        windows: [{ limit: 2, windowMs: 60_000 }],
        now: clock.now,
        sleep: clock.sleep,
        persistPath: file
      })
      expect(b.delayMs()).toBe(60_000)
    })

    it('a wall clock set back a day never makes a wait longer than the window (plus margin)', async () => {
      const clock = fakeClock(Date.parse('2026-05-01T12:00:00Z'))
      const file = join(dir, 'rate.json')
      const a = createRateLimiter({ perMinute: 2, now: clock.now, persistPath: file })
      await a.acquire()
      await a.acquire()
      a.blockUntil(clock.now() + 30_000) // a 429's Retry-After
      a.flush()
      // The next run starts with the clock one day earlier: every stamp is "in the future".
      const back = fakeClock(clock.now() - 86_400_000)
      const b = createRateLimiter({
        perMinute: 2,
        now: back.now,
        sleep: back.sleep,
        persistPath: file
      })
      expect(b.delayMs()).toBeGreaterThan(0)
      expect(b.delayMs()).toBeLessThanOrEqual(61_000)
      await b.acquire()
      expect(Math.max(...back.slept)).toBeLessThanOrEqual(61_000)
    })
  })

  it("waits a margin past the window's edge, for the server's clock", async () => {
    const clock = fakeClock()
    const limiter = createRateLimiter({
      windows: [{ limit: 2, windowMs: 60_000 }],
      marginMs: 1000,
      now: clock.now,
      sleep: clock.sleep
    })
    await limiter.acquire()
    await limiter.acquire()
    expect(limiter.delayMs()).toBe(61_000)
    await limiter.acquire()
    expect(clock.slept).toEqual([61_000])
  })
})
