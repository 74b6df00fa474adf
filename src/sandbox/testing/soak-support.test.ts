// What an exactly-once soak needs from the sandbox: a virtual clock behind every time-dependent
// behaviour, faults that act and then answer an error, look-alike builds from another client, and
// the optional rate-limit headers.
import { afterEach, describe, expect, it } from 'vitest'
import type { Part, PartBuild, PrintJob } from '../../shared/printago/api-types'
import type { TestSandbox } from './index'
import { build, call, makePart, PRINTER, sandbox } from './test-utils'
import { createVirtualClock } from './virtual-clock'

let sb: TestSandbox
afterEach(() => sb?.close())

const admin = (method: string, path: string, body?: unknown): Promise<Response> =>
  fetch(sb.url + path, {
    method,
    headers: { 'x-sandbox-admin': '1', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })

describe('SandboxOptions.clock', () => {
  it('drives the rate limiter: Retry-After 60 s passes on the virtual clock, not in real time', async () => {
    const clock = createVirtualClock()
    sb = await sandbox({ clock, ratePerMinute: 2, ratePerHour: 100 })
    expect((await call(sb, 'GET', '/v1/printers')).status).toBe(200)
    expect((await call(sb, 'GET', '/v1/printers')).status).toBe(200)
    const refused = await call(sb, 'GET', '/v1/printers')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toBe('60')
    clock.advance(59_999)
    expect((await call(sb, 'GET', '/v1/printers')).status).toBe(429)
    clock.advance(1)
    expect((await call(sb, 'GET', '/v1/printers')).status).toBe(200)
    // The request log is stamped on the same clock.
    expect(sb.log.at(-1)?.at).toBe(clock.now())
  })

  it('drives signed-URL expiry and entity timestamps', async () => {
    const clock = createVirtualClock(Date.parse('2030-01-01T00:00:00.000Z'))
    sb = await sandbox({ clock, seed: undefined, uploadUrlTtlMs: 15 * 60_000 })
    const part = await makePart(sb)
    expect(part.createdAt).toBe('2030-01-01T00:00:00.000Z')
    const r = await call<{ signedUrls: { uploadUrl: string }[] }>(
      sb,
      'POST',
      '/v1/storage/signed-upload-urls',
      { filenames: ['late.stl'] }
    )
    clock.advance(15 * 60_000 + 1)
    const put = await fetch(r.json.signedUrls[0]!.uploadUrl, { method: 'PUT', body: 'x' })
    expect(put.status).toBe(403)
    expect(await put.text()).toContain('Request has expired')
    const later = await makePart(sb, 'later')
    expect(Date.parse(later.createdAt)).toBe(clock.now())
  })

  it("drives the scheduler's timer: a print runs by advancing virtual time only", async () => {
    const clock = createVirtualClock()
    sb = await sandbox({ clock, speed: 1 })
    const part = await makePart(sb)
    const pb = await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })
    const job = [...sb.state.printJobs.values()].find((j) => j.partBuildId === pb.id)!
    clock.advance(100)
    expect(job.status).toBe('assigned')
    clock.advance(2_000)
    expect(job.status).toBe('slicing')
    clock.advance(120_000)
    expect(job.status).toBe('completed')
    expect(Date.parse(job.printingCompletedAt!)).toBeLessThanOrEqual(clock.now())
    sb.setSpeed(0)
    expect(clock.pending()).toBe(0)
  })
})

describe('status-after faults', () => {
  it('performs the build, then answers a gateway error (HTML by default)', async () => {
    sb = await sandbox()
    const part = await makePart(sb)
    sb.injectFault({ method: 'POST', path: '/v2/builds', kind: 'status-after', status: 504 })
    const r = await call(sb, 'POST', '/v2/builds', {
      parts: [{ partId: part.id, label: 'seen as failed' }]
    })
    expect(r.status).toBe(504)
    expect(r.headers.get('content-type')).toMatch(/^text\/html/)
    expect(r.text).toContain('<h1>504 Gateway Timeout</h1>')
    expect([...sb.state.partBuilds.values()].map((b) => b.label)).toEqual(['seen as failed'])
    expect(sb.log.at(-1)).toMatchObject({
      path: '/v2/builds',
      status: 504,
      actedStatus: 201,
      fault: 'status-after',
      rateLimited: true
    })
  })

  it('answers plain text or Printago JSON as the rule chooses; storage uploads too', async () => {
    sb = await sandbox()
    const part = await makePart(sb)
    sb.injectFault({ path: '/v2/builds', kind: 'status-after', status: 502, bodyStyle: 'text' })
    const text = await call(sb, 'POST', '/v2/builds', { parts: [{ partId: part.id }] })
    expect(text.status).toBe(502)
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(text.text).toMatch(/upstream connect error/)
    sb.injectFault({ path: '/v2/builds', kind: 'status-after', status: 503, bodyStyle: 'json' })
    const json = await call(sb, 'POST', '/v2/builds', { parts: [{ partId: part.id }] })
    expect(json.status).toBe(503)
    expect(json.json).toEqual({
      statusCode: 503,
      message: 'Service Unavailable',
      error: 'Service Unavailable'
    })
    expect(sb.state.partBuilds.size).toBe(2)

    const s = await call<{ signedUrls: { uploadUrl: string; path: string }[] }>(
      sb,
      'POST',
      '/v1/storage/signed-upload-urls',
      { filenames: ['g.stl'] }
    )
    sb.injectFault({ method: 'PUT', path: /^\/_storage\//, kind: 'status-after', status: 502 })
    const put = await fetch(s.json.signedUrls[0]!.uploadUrl, { method: 'PUT', body: 'bytes' })
    expect(put.status).toBe(502)
    expect(sb.state.uploads.has(s.json.signedUrls[0]!.path)).toBe(true)
  })

  it('plain status faults can send gateway bodies too, without acting; rules are validated', async () => {
    sb = await sandbox()
    const part = await makePart(sb)
    expect(
      (
        await admin('POST', '/_sandbox/faults', {
          path: '/v2/builds',
          kind: 'status',
          status: 502,
          bodyStyle: 'html'
        })
      ).status
    ).toBe(201)
    const r = await call(sb, 'POST', '/v2/builds', { parts: [{ partId: part.id }] })
    expect(r.status).toBe(502)
    expect(r.text).toContain('502 Bad Gateway')
    expect(sb.state.partBuilds.size).toBe(0)
    expect(() => sb.injectFault({ path: '/x', kind: 'status-after' })).toThrow(/status/)
    expect(() =>
      sb.injectFault({
        path: '/x',
        kind: 'status',
        status: 500,
        bodyStyle: 'xml' as unknown as 'json'
      })
    ).toThrow(/bodyStyle/)
  })
})

describe('look-alike builds from another client', () => {
  it('createBuild / POST /_sandbox/builds make builds the client under test did not send', async () => {
    sb = await sandbox()
    const part: Part = await makePart(sb)
    const mine = await build(sb, part.id, { label: 'Order 7', quantity: 2 })
    const before = sb.log.length
    const twin = sb.createBuild({ partId: part.id, label: 'Order 7', quantity: 2 })
    expect(twin.id).not.toBe(mine.id)
    expect(twin).toMatchObject({ partId: part.id, label: 'Order 7', quantity: 2 })
    const r = await admin('POST', '/_sandbox/builds', {
      parts: [{ partId: part.id, label: 'Order 7', quantity: 2 }]
    })
    expect(r.status).toBe(201)
    const third = ((await r.json()) as { partBuilds: PartBuild[] }).partBuilds[0]!
    expect(sb.log.length).toBe(before) // neither went through the API
    const listed = await call<PartBuild[]>(sb, 'GET', '/v1/part-builds?label=Order%207')
    expect(listed.json.map((b) => b.id).sort()).toEqual([mine.id, twin.id, third.id].sort())
    const jobs = await call<PrintJob[]>(sb, 'GET', `/v1/print-jobs?partBuildId=${twin.id}`)
    expect(jobs.json).toHaveLength(2)

    expect(() => sb.createBuild({ partId: 'z'.repeat(24) })).toThrow(/not found/)
    expect((await admin('POST', '/_sandbox/builds', { parts: [{ quantity: 1 }] })).status).toBe(400)
  })
})

describe('rate-limit header variants', () => {
  it('off by default: Retry-After only', async () => {
    sb = await sandbox({ ratePerMinute: 1 })
    const ok = await call(sb, 'GET', '/v1/stores')
    expect(ok.headers.get('x-ratelimit-limit')).toBeNull()
    const refused = await call(sb, 'GET', '/v1/stores')
    expect(refused.status).toBe(429)
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/)
    expect(refused.headers.get('retry-after-minute')).toBeNull()
  })

  it('with rateLimitHeaders: per-window limit/remaining/reset, and retry-after per exhausted window', async () => {
    const clock = createVirtualClock()
    sb = await sandbox({ clock, ratePerMinute: 2, ratePerHour: 3, rateLimitHeaders: true })
    const first = await call(sb, 'GET', '/v1/stores')
    expect(Object.fromEntries([...first.headers].filter(([k]) => k.startsWith('x-rate')))).toEqual({
      'x-ratelimit-limit': '2',
      'x-ratelimit-remaining': '1',
      'x-ratelimit-reset': '60',
      'x-ratelimit-limit-minute': '2',
      'x-ratelimit-remaining-minute': '1',
      'x-ratelimit-reset-minute': '60',
      'x-ratelimit-limit-hour': '3',
      'x-ratelimit-remaining-hour': '2',
      'x-ratelimit-reset-hour': '3600'
    })
    clock.advance(20_000)
    expect((await call(sb, 'GET', '/v1/stores')).headers.get('x-ratelimit-reset-minute')).toBe('40')
    const minute = await call(sb, 'GET', '/v1/stores')
    expect(minute.status).toBe(429)
    expect(minute.headers.get('retry-after')).toBe('40')
    expect(minute.headers.get('retry-after-minute')).toBe('40')
    expect(minute.headers.get('retry-after-hour')).toBeNull()
    expect(minute.headers.get('x-ratelimit-remaining-minute')).toBe('0')
    clock.advance(60_000)
    expect((await call(sb, 'GET', '/v1/stores')).status).toBe(200)
    const hour = await call(sb, 'GET', '/v1/stores')
    expect(hour.status).toBe(429)
    expect(hour.headers.get('retry-after-hour')).toBe(String(3600 - 80))
    expect(hour.headers.get('retry-after')).toBe(String(3600 - 80))
    // Errors after the limiter (403) carry the headers too; before it (401) they do not.
    const forbidden = await call(
      sb,
      'PATCH',
      '/v1/print-jobs/cancel',
      { printJobIds: [] },
      {
        key: sb.limitedApiKey
      }
    )
    expect(forbidden.status).toBe(403)
    expect(forbidden.headers.get('x-ratelimit-limit-minute')).toBe('2')
    const anon = await call(sb, 'GET', '/v1/stores', undefined, { key: null })
    expect(anon.status).toBe(401)
    expect(anon.headers.get('x-ratelimit-limit')).toBeNull()
  })
})
