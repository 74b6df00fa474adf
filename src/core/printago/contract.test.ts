// Contract details that decide whether the app works against the real service, each against the
// sandbox: the rate-limit header variants, a 401 from /v1/stores confirmed with the printers
// before the key is called wrong, the part-by-hash look-up when the server refuses its filter,
// and what the legacy /v1/builds fallback drops.
import { afterEach, describe, expect, it } from 'vitest'

import type { TestSandbox } from '../../sandbox/testing'
import { makePart, sandbox, sha256 } from '../../sandbox/testing/test-utils'
import { boxStl } from '../../test-support/stl'
import { clockSleep, createManualClock } from '../infra/clock'
import { verifyStoreAccess } from '../stores'
import { createPrintagoClient, type ClientNotice, type PrintagoClient } from './client'
import { rateLimitWaitSeconds } from './errors'
import { createRateLimiter } from './rate-limiter'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function start(opts: Parameters<typeof sandbox>[0] = {}): Promise<TestSandbox> {
  const sb = await sandbox(opts)
  cleanups.push(() => sb.close())
  return sb
}

/** A client without its own limiter whose waits are recorded (and pass at once). */
function recordingClient(sb: TestSandbox): { client: PrintagoClient; waits: number[] } {
  const waits: number[] = []
  const client = createPrintagoClient({
    baseUrl: sb.url,
    apiKey: sb.apiKey,
    storeId: sb.storeId,
    limiter: null,
    random: () => 0,
    sleep: async (ms) => void waits.push(ms)
  })
  return { client, waits }
}

describe('rate-limit headers', () => {
  it('waits for a per-limit retry-after-<name> when Retry-After is absent', async () => {
    const sb = await start()
    sb.injectFault({
      path: '/v1/printers',
      kind: 'status',
      status: 429,
      headers: { 'retry-after-minute': '7', 'retry-after-hour': '3' }
    })
    const { client, waits } = recordingClient(sb)
    expect((await client.listPrinters()).length).toBeGreaterThan(0)
    expect(waits).toEqual([7000])
  })

  it('waits for x-ratelimit-reset when its window reports nothing remaining', async () => {
    const sb = await start()
    sb.injectFault({
      path: '/v1/printers',
      kind: 'status',
      status: 429,
      headers: {
        'x-ratelimit-remaining-minute': '0',
        'x-ratelimit-reset-minute': '5',
        'x-ratelimit-remaining-hour': '12',
        'x-ratelimit-reset-hour': '1800'
      }
    })
    const { client, waits } = recordingClient(sb)
    await client.listPrinters()
    expect(waits).toEqual([5000])
  })

  it("holds itself back on a window reported empty, before the sandbox's limit answers 429", async () => {
    const clock = createManualClock()
    // The server allows 3 a minute and says so in its headers; the client believes 60.
    const sb = await start({ ratePerMinute: 3, rateLimitHeaders: true, clock })
    const limiter = createRateLimiter({ now: clock.now, sleep: clockSleep(clock), marginMs: 0 })
    const waited: number[] = []
    const client = createPrintagoClient({
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      storeId: sb.storeId,
      limiter,
      now: clock.now,
      sleep: clockSleep(clock),
      onWait: (w) => waited.push(w.seconds)
    })
    for (let i = 0; i < 4; i++) await clock.runUntil(client.listPrinters({ limit: 1 }))
    expect(sb.log.map((r) => r.status)).toEqual([200, 200, 200, 200])
    expect(waited).toEqual([60])
    // Retry-After alone (the documented header) still works: the plain 429 of the limit.
    expect(rateLimitWaitSeconds(new Headers({ 'retry-after': '12' }), clock.now())).toBe(12)
  })
})

describe('connecting a store', () => {
  it('confirms a 401 from /v1/stores with the printers before calling the key wrong', async () => {
    const sb = await start()
    sb.injectFault({ path: '/v1/stores', kind: 'status', status: 401 })
    const r = await verifyStoreAccess({ apiKey: sb.apiKey, storeId: sb.storeId, baseUrl: sb.url })
    expect(r).toEqual({ ok: true, value: { name: `Store ${sb.storeId.slice(0, 6)}` } })
    expect(sb.log.map((e) => `${e.status} ${e.path}?${e.query}`)).toEqual([
      '401 /v1/stores?',
      '200 /v1/printers?limit=1'
    ])
    // A key Printago does not know: both say 401, and the key is called wrong.
    const wrong = await verifyStoreAccess({
      apiKey: 'z'.repeat(72),
      storeId: sb.storeId,
      baseUrl: sb.url
    })
    expect(wrong).toMatchObject({ ok: false, error: { code: 'auth' } })
  })
})

describe('parts by hash', () => {
  it('falls back to paging when the server refuses the fileHashes filter', async () => {
    const sb = await start()
    const bytes = boxStl(12, 12, 12)
    const part = await makePart(sb, 'hashed', bytes)
    await makePart(sb, 'other', boxStl(5, 5, 5))
    sb.injectFault({ method: 'GET', path: '/v1/parts', kind: 'status', status: 400 })
    const { client } = recordingClient(sb)
    const found = await client.findPartsByHash(sha256(bytes))
    expect(found.map((p) => p.id)).toEqual([part.id])
    const reads = sb.log.filter((r) => r.method === 'GET' && r.path === '/v1/parts')
    expect(reads.map((r) => r.status)).toEqual([400, 200])
    expect(reads[1]!.query).toMatch(/offset=0/)
  })
})

describe('the legacy /v1/builds fallback', () => {
  it('says what it dropped: the queue position', async () => {
    const sb = await start()
    const part = await makePart(sb, 'legacy')
    sb.injectFault({
      path: '/v2/builds',
      kind: 'status',
      status: 404,
      body: { statusCode: 404, message: 'Cannot POST /v2/builds', error: 'Not Found' }
    })
    const { client } = recordingClient(sb)
    const notices: ClientNotice[] = []
    client.on('notice', (n) => notices.push(n))
    const r = await client.createBuild({
      parts: [{ partId: part.id, quantity: 1, position: 'front', parameters: { width: 3 } }]
    })
    expect(client.usesLegacyBuilds).toBe(true)
    expect(notices).toEqual([
      {
        kind: 'legacy-build',
        dropped: ['queue position (front of the queue)'],
        partBuildIds: [r.partBuilds[0]!.id],
        message: expect.stringMatching(/older \/v1\/builds, which has no queue position/)
      }
    ])
    // Parameters are not dropped: /v1 takes them as parameterOverrides.
    expect(sb.state.partBuilds.get(r.partBuilds[0]!.id)!.parameterOverrides).toEqual([
      { name: 'width', type: 'number', value: 3 }
    ])
    // Without a position there is nothing to say.
    await client.createBuild({ parts: [{ partId: part.id, quantity: 1 }] })
    expect(notices).toHaveLength(1)
  })
})
