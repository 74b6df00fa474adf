// Two sliding windows per key; 429 with Retry-After; rejected requests cost nothing.
import { describe, expect, it } from 'vitest'
import { SlidingWindowLimiter } from './rate-limit'
import { call, sandbox } from './testing/test-utils'

describe('SlidingWindowLimiter', () => {
  it('slides the minute window and reports seconds until the oldest hit leaves it', () => {
    let now = 1_000_000
    const l = new SlidingWindowLimiter(3, 100, () => now)
    expect(l.take('k').ok).toBe(true) // t=0
    now += 10_000
    expect(l.take('k').ok).toBe(true) // t=10s
    now += 10_000
    expect(l.take('k').ok).toBe(true) // t=20s
    now += 5_500
    expect(l.take('k')).toMatchObject({ ok: false, retryAfterSeconds: 35 }) // oldest leaves at t=60s
    // Rejections were not recorded: at t=60s+ the first slot frees up, only one.
    now = 1_000_000 + 60_001
    expect(l.take('k').ok).toBe(true)
    expect(l.take('k')).toMatchObject({ ok: false, retryAfterSeconds: 10 })
    expect(l.take('other').ok).toBe(true)
  })

  it('enforces the hour window independently, Retry-After at least 1', () => {
    let now = 0
    const l = new SlidingWindowLimiter(100, 2, () => now)
    expect(l.take('k').ok).toBe(true)
    now = 120_000
    expect(l.take('k').ok).toBe(true)
    now = 200_000
    expect(l.take('k')).toMatchObject({ ok: false, retryAfterSeconds: 3400 })
    now = 3_599_999.5
    expect(l.take('k')).toMatchObject({ ok: false, retryAfterSeconds: 1 })
    now = 3_600_001
    expect(l.take('k').ok).toBe(true)
  })

  it('treats 0 as unlimited', () => {
    const l = new SlidingWindowLimiter(0, 0)
    for (let i = 0; i < 5000; i++) expect(l.take('k').ok).toBe(true)
  })
})

describe('HTTP rate limiting', () => {
  it('429 ThrottlerException with Retry-After on the minute window, per key', async () => {
    const sb = await sandbox({ ratePerMinute: 3, ratePerHour: 100 })
    try {
      const firstAt = Date.now()
      for (let i = 0; i < 3; i++) expect((await call(sb, 'GET', '/v1/printers')).status).toBe(200)
      const r = await call(sb, 'GET', '/v1/printers')
      const elapsedS = (Date.now() - firstAt) / 1000
      expect(r.status).toBe(429)
      expect(r.json).toEqual({ statusCode: 429, message: 'ThrottlerException: Too Many Requests' })
      const after = Number(r.headers.get('retry-after'))
      expect(Number.isInteger(after)).toBe(true)
      // What is left of the minute since the first call (however slow the machine was meanwhile).
      expect(after).toBeGreaterThanOrEqual(Math.floor(60 - elapsedS) - 1)
      expect(after).toBeLessThanOrEqual(60)
      // Still limited, and the rejected calls did not count.
      expect((await call(sb, 'GET', '/v1/printers')).status).toBe(429)
      expect(sb.log.filter((e) => e.rateLimited)).toHaveLength(3)
      // Other key, own budget; unauthenticated, unknown-route and admin calls are not counted.
      expect(
        (await call(sb, 'GET', '/v1/printers', undefined, { key: sb.limitedApiKey })).status
      ).toBe(200)
      expect((await call(sb, 'GET', '/v1/printers', undefined, { key: null })).status).toBe(401)
      const admin = await fetch(sb.url + '/_sandbox/state', { headers: { 'x-sandbox-admin': '1' } })
      expect(admin.status).toBe(200)
    } finally {
      await sb.close()
    }
  })

  it('429 with an hour-scale Retry-After on the hour window', async () => {
    const sb = await sandbox({ ratePerMinute: 100, ratePerHour: 2 })
    try {
      expect((await call(sb, 'GET', '/v1/stores')).status).toBe(200)
      expect((await call(sb, 'GET', '/v1/stores')).status).toBe(200)
      const r = await call(sb, 'GET', '/v1/stores')
      expect(r.status).toBe(429)
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(3500)
    } finally {
      await sb.close()
    }
  })

  it('defaults to 60/min and 600/h', async () => {
    const sb = await sandbox({ ratePerMinute: undefined, ratePerHour: undefined })
    try {
      const results = await Promise.all(
        Array.from({ length: 61 }, () => call(sb, 'GET', '/v1/stores'))
      )
      expect(results.filter((r) => r.status === 200)).toHaveLength(60)
      expect(results.filter((r) => r.status === 429)).toHaveLength(1)
    } finally {
      await sb.close()
    }
  })
})
