// Fault injection (in-process and over the admin HTTP surface) and the request log.
import { afterEach, describe, expect, it } from 'vitest'
import type { PartBuild } from '../../shared/printago/api-types'
import { waitFor } from '../../test-support/wait'
import { startTestSandbox, type TestSandbox } from './index'
import { build, call, makePart, sandbox } from './test-utils'

let sb: TestSandbox
afterEach(() => sb?.close())

const admin = (method: string, path: string, body?: unknown, header = true): Promise<Response> =>
  fetch(sb.url + path, {
    method,
    headers: { ...(header ? { 'x-sandbox-admin': '1' } : {}), 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body)
  })

describe('injectFault', () => {
  it('status: answers without acting, once by default, filtered by method', async () => {
    sb = await sandbox()
    const part = await makePart(sb)
    sb.injectFault({
      method: 'POST',
      path: '/v2/builds',
      kind: 'status',
      status: 503,
      body: { message: 'down' }
    })
    expect((await call(sb, 'GET', '/v2/builds')).status).toBe(404)
    const r = await call(sb, 'POST', '/v2/builds', { parts: [{ partId: part.id }] })
    expect(r.status).toBe(503)
    expect(r.json).toEqual({ message: 'down' })
    expect(sb.state.partBuilds.size).toBe(0)
    expect((await call(sb, 'POST', '/v2/builds', { parts: [{ partId: part.id }] })).status).toBe(
      201
    )
    // Canonical bodies and extra headers for a throttling fault.
    sb.injectFault({
      path: /^\/v1\/printers/,
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '7' }
    })
    const t = await call(sb, 'GET', '/v1/printers?limit=1')
    expect(t.status).toBe(429)
    expect(t.headers.get('retry-after')).toBe('7')
    expect(t.json).toEqual({ statusCode: 429, message: 'ThrottlerException: Too Many Requests' })
  })

  it('delay: waits, then handles normally', async () => {
    sb = await sandbox()
    sb.injectFault({ path: '/v1/stores', kind: 'delay', delayMs: 150 })
    const t0 = Date.now()
    const r = await call(sb, 'GET', '/v1/stores')
    expect(r.status).toBe(200)
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140)
  })

  it('reset: the socket dies before anything happens', async () => {
    sb = await sandbox()
    const part = await makePart(sb)
    sb.injectFault({ path: '/v2/builds', kind: 'reset' })
    await expect(call(sb, 'POST', '/v2/builds', { parts: [{ partId: part.id }] })).rejects.toThrow()
    expect(sb.state.partBuilds.size).toBe(0)
    expect(sb.log.at(-1)).toMatchObject({ path: '/v2/builds', status: 0, fault: 'reset' })
  })

  it('drop-after: the action happens, the answer never arrives', async () => {
    sb = await sandbox()
    const part = await makePart(sb)
    sb.injectFault({ path: '/v2/builds', kind: 'drop-after' })
    await expect(
      call(sb, 'POST', '/v2/builds', { parts: [{ partId: part.id, label: 'lost reply' }] })
    ).rejects.toThrow()
    const builds = await call<PartBuild[]>(sb, 'GET', '/v1/part-builds')
    expect(builds.json.map((b) => b.label)).toEqual(['lost reply'])
    expect(sb.log.at(-2)).toMatchObject({
      path: '/v2/builds',
      status: 201,
      fault: 'drop-after',
      rateLimited: true
    })

    // Also for uploads: the bytes are stored although the client saw a dead socket.
    const r = await call<{ signedUrls: { uploadUrl: string; path: string }[] }>(
      sb,
      'POST',
      '/v1/storage/signed-upload-urls',
      { filenames: ['d.stl'] }
    )
    const s = r.json.signedUrls[0]!
    sb.injectFault({ method: 'PUT', path: /^\/_storage\//, kind: 'drop-after' })
    await expect(fetch(s.uploadUrl, { method: 'PUT', body: 'bytes' })).rejects.toThrow()
    expect(sb.state.uploads.has(s.path)).toBe(true)
  })

  it('times counts down; Infinity persists until clearFaults', async () => {
    sb = await sandbox()
    sb.injectFault({ path: '/v1/stores', kind: 'status', status: 500, times: 2 })
    const statuses = []
    for (let i = 0; i < 3; i++) statuses.push((await call(sb, 'GET', '/v1/stores')).status)
    expect(statuses).toEqual([500, 500, 200])
    sb.injectFault({ path: '/v1/stores', kind: 'status', status: 502, times: Infinity })
    for (let i = 0; i < 3; i++) expect((await call(sb, 'GET', '/v1/stores')).status).toBe(502)
    sb.clearFaults()
    expect((await call(sb, 'GET', '/v1/stores')).status).toBe(200)
    expect(() => sb.injectFault({ path: '/x', kind: 'status' })).toThrow()
  })
})

describe('request log', () => {
  it('records method, path, query, status and a masked key, never the raw key', async () => {
    sb = await sandbox()
    await call(sb, 'GET', '/v1/printers?limit=2')
    await call(sb, 'GET', '/v1/printers', undefined, { key: 'not-a-real-key' })
    await call(sb, 'GET', '/v1/printers', undefined, { key: sb.limitedApiKey })
    const [ok, bad, limited] = sb.log
    expect(ok).toMatchObject({
      method: 'GET',
      path: '/v1/printers',
      query: 'limit=2',
      status: 200,
      rateLimited: true
    })
    expect(ok?.keyId).toBe(sb.apiKey.slice(0, 24))
    expect(bad).toMatchObject({ status: 401, rateLimited: false })
    expect(bad?.keyId).toMatch(/^fp:/)
    expect(limited?.keyId).toBe(sb.limitedApiKey.slice(0, 24))
    const text = JSON.stringify(sb.log)
    expect(text).not.toContain(sb.apiKey)
    expect(text).not.toContain(sb.limitedApiKey)
    expect(text).not.toContain('not-a-real-key')
  })
})

describe('admin HTTP surface', () => {
  it('requires x-sandbox-admin: 1', async () => {
    sb = await sandbox()
    expect((await admin('GET', '/_sandbox/state', undefined, false)).status).toBe(403)
    expect((await admin('GET', '/_sandbox/nope')).status).toBe(404)
  })

  it('faults (string and regex paths), log, state, tick, speed, printers', async () => {
    sb = await sandbox({ ratePerMinute: 5 })
    const part = await makePart(sb)
    expect(
      (
        await admin('POST', '/_sandbox/faults', {
          path: { regex: '^/v1/print-jobs' },
          kind: 'status',
          status: 500,
          times: 'Infinity'
        })
      ).status
    ).toBe(201)
    expect(
      (await admin('POST', '/_sandbox/faults', { path: '/v1/stores', kind: 'drop-after' })).status
    ).toBe(201)
    expect(
      (await admin('POST', '/_sandbox/faults', { path: { regex: '(' }, kind: 'reset' })).status
    ).toBe(400)
    expect((await admin('POST', '/_sandbox/faults', { path: '/x', kind: 'explode' })).status).toBe(
      400
    )
    expect((await call(sb, 'GET', '/v1/print-jobs?status=pending')).status).toBe(500)
    expect((await call(sb, 'GET', '/v1/print-jobs')).status).toBe(500)
    await expect(call(sb, 'GET', '/v1/stores')).rejects.toThrow()
    expect((await admin('DELETE', '/_sandbox/faults')).status).toBe(200)
    expect((await call(sb, 'GET', '/v1/print-jobs')).status).toBe(200)

    const log = (await (await admin('GET', '/_sandbox/log')).json()) as {
      path: string
      fault?: string
    }[]
    expect(log.some((e) => e.fault === 'drop-after' && e.path === '/v1/stores')).toBe(true)
    expect(log.every((e) => !e.path.startsWith('/_sandbox'))).toBe(true)

    const pb = await build(sb, part.id)
    const ticked = (await (await admin('POST', '/_sandbox/tick', { steps: 2 })).json()) as {
      builds: { id: string; jobs: { status: string }[] }[]
    }
    expect(ticked.builds.find((b) => b.id === pb.id)?.jobs[0]?.status).toBe('slicing')
    const state = (await (await admin('GET', '/_sandbox/state')).json()) as {
      counts: Record<string, number>
      speed: number
    }
    expect(state.counts).toMatchObject({ parts: 1, partBuilds: 1, printJobs: 1, printers: 8 })
    expect(state.speed).toBe(0)

    expect((await admin('POST', '/_sandbox/speed', { speed: 'fast' })).status).toBe(400)
    expect(await (await admin('POST', '/_sandbox/speed', { speed: 5 })).json()).toEqual({
      speed: 5
    })
    await admin('POST', '/_sandbox/speed', { speed: 0 })

    const p = await admin('PATCH', '/_sandbox/printers/sbxprinter00000000000007', {
      isOnline: true,
      id: 'hack'
    })
    expect(await p.json()).toMatchObject({ id: 'sbxprinter00000000000007', isOnline: true })
    // None of the admin calls above used the 5/min API budget.
    expect(sb.log.filter((e) => e.rateLimited).length).toBeLessThanOrEqual(5)
  })
})

describe('delay fault models a slow server', () => {
  it('acts after the delay even when the client gave up waiting', async () => {
    const sb = await startTestSandbox({ port: 0, speed: 0, mqtt: false })
    try {
      sb.injectFault({
        method: 'POST',
        path: '/v1/storage/signed-upload-urls',
        kind: 'delay',
        delayMs: 300
      })
      const headers = {
        authorization: `ApiKey ${sb.apiKey}`,
        'x-printago-storeid': sb.storeId,
        'content-type': 'application/json'
      }
      const gaveUp = await fetch(`${sb.url}/v1/storage/signed-upload-urls`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ filenames: ['a.stl'] }),
        signal: AbortSignal.timeout(50)
      }).catch((e: Error) => e)
      expect(gaveUp).toBeInstanceOf(Error)
      // The server answers (to nobody) once its delay is over: wait for that, not for a time.
      const acted = () => sb.log.find((e) => e.path === '/v1/storage/signed-upload-urls')
      await waitFor(() => acted() !== undefined, 10_000, 'the delayed request to be handled')
      expect(acted()?.status).toBe(201)
    } finally {
      await sb.close()
    }
  })
})
