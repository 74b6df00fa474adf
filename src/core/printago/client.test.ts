import { afterEach, describe, expect, it } from 'vitest'
import { createPrintagoClient, type ClientWaitEvent, type PrintagoClientOptions } from './client'
import { parseRetryAfter, PrintagoError } from './errors'
import { createRateLimiter } from './rate-limiter'
import { json, scriptedServer, type Handler } from '../../test-support/http'

const KEY = 'k'.repeat(24) + 's'.repeat(48)
const STORE = 'store0000000000000000001'

let servers: Array<{ close: () => Promise<void> }> = []
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()))
  servers = []
})

async function setup(handler: Handler, extra: Partial<PrintagoClientOptions> = {}) {
  const server = await scriptedServer(handler)
  servers.push(server)
  const slept: number[] = []
  const waits: ClientWaitEvent[] = []
  const client = createPrintagoClient({
    baseUrl: server.url,
    apiKey: KEY,
    storeId: STORE,
    limiter: null,
    sleep: async (ms) => {
      slept.push(ms)
    },
    random: () => 0.5,
    onWait: (e) => waits.push(e),
    ...extra
  })
  return { client, server, slept, waits }
}

async function failure(promise: Promise<unknown>): Promise<PrintagoError> {
  try {
    await promise
  } catch (error) {
    expect(error).toBeInstanceOf(PrintagoError)
    return error as PrintagoError
  }
  throw new Error('expected a failure')
}

describe('createPrintagoClient', () => {
  it('sends the ApiKey and store headers and counts calls', async () => {
    const { client, server } = await setup((_req, res) => json(res, 200, []))
    await client.listPrinters()
    await client.listStores()
    expect(server.requests[0]!.headers['authorization']).toBe(`ApiKey ${KEY}`)
    expect(server.requests[0]!.headers['x-printago-storeid']).toBe(STORE)
    expect(server.requests.map((r) => r.url)).toEqual(['/v1/printers', '/v1/stores'])
    expect(client.apiCalls).toBe(2)
  })

  it('maps 401 to auth with guidance and never mentions the key', async () => {
    const { client } = await setup((_r, res) =>
      json(res, 401, { statusCode: 401, message: 'Unauthorized' })
    )
    const error = await failure(client.listPrinters())
    expect(error.code).toBe('auth')
    expect(error.status).toBe(401)
    expect(error.message).toContain('PRINTAGO_API_KEY/PRINTAGO_STORE_ID')
    expect(JSON.stringify({ ...error, message: error.message })).not.toContain(KEY)
  })

  it('maps 403 to forbidden naming the permission', async () => {
    const { client } = await setup((_r, res) =>
      json(res, 403, { statusCode: 403, message: 'Forbidden resource' })
    )
    const error = await failure(client.cancelPrintJobs(['a']))
    expect(error.code).toBe('forbidden')
    expect(error.message).toContain('queue.manage')
  })

  it('maps 400 to validation with the server message and path', async () => {
    const { client, server } = await setup((_r, res) =>
      json(res, 400, {
        message: 'Request body data is not following the promised type.',
        path: '$input.fileUris',
        reason: 'required'
      })
    )
    const error = await failure(
      client.createPart({
        name: 'x',
        description: '',
        type: 'stl',
        fileUris: [],
        parameters: [],
        printTags: {},
        overriddenProcessProfileId: null
      })
    )
    expect(error.code).toBe('validation')
    expect(error.fieldPath).toBe('$input.fileUris')
    expect(error.message).toContain('$input.fileUris')
    expect(error.message).toContain('not following the promised type')
    expect(server.requests).toHaveLength(1)
    expect(server.requests[0]!.headers['content-type']).toBe('application/json')
  })

  it('treats 404 and an empty 200 body as not found for single reads', async () => {
    const { client } = await setup((req, res) => {
      if (req.url.startsWith('/v1/part-builds/')) {
        res.writeHead(200)
        res.end()
      } else json(res, 404, { statusCode: 404, message: 'Part x not found' })
    })
    expect(await client.getPartBuild('b1')).toBeNull()
    expect(await client.getPart('p1')).toBeNull()
  })

  it('unwraps {data, meta} list answers', async () => {
    const { client } = await setup((_r, res) =>
      json(res, 200, { data: [{ id: 'a' }], meta: { total: 1 } })
    )
    expect(await client.listPrintJobs({ meta: true })).toEqual([{ id: 'a' }])
  })

  it('honours Retry-After (seconds) on 429 as a floor, for a POST too', async () => {
    let n = 0
    const { client, server, slept, waits } = await setup((_r, res) => {
      if (n++ === 0)
        json(res, 429, { statusCode: 429, message: 'Too Many Requests' }, { 'retry-after': '7' })
      else json(res, 201, { signedUrls: [{ uploadUrl: 'http://x/u', path: 'p' }] })
    })
    const urls = await client.getSignedUploadUrls(['a.stl'])
    expect(urls).toHaveLength(1)
    expect(server.requests).toHaveLength(2)
    expect(slept[0]).toBeGreaterThanOrEqual(7000)
    expect(slept[0]).toBeLessThan(7000 + 1000)
    expect(client.apiCalls).toBe(2)
    expect(waits).toHaveLength(1)
    expect(waits[0]!.reason).toBe('retry-after')
    expect(waits[0]!.seconds).toBeGreaterThanOrEqual(7)
  })

  it('429 on a non-idempotent POST is repeated (the server did nothing)', async () => {
    let n = 0
    const { client, server } = await setup((_r, res) => {
      if (n++ === 0)
        json(res, 429, {}, { 'retry-after': new Date(Date.now() + 3000).toUTCString() })
      else json(res, 201, { partBuilds: [], skuBuilds: [] })
    })
    await client.createBuild({ parts: [] })
    expect(server.requests).toHaveLength(2)
  })

  it('a 429 feeds the limiter so every later request waits, and emits waiting', async () => {
    let t = 1_000_000
    const waits: ClientWaitEvent[] = []
    let n = 0
    const limiter = createRateLimiter({
      now: () => t,
      sleep: async (ms) => {
        t += ms
      }
    })
    const { client } = await setup(
      (_r, res) => {
        if (n++ === 0) json(res, 429, {}, { 'retry-after': '5' })
        else json(res, 200, [])
      },
      {
        limiter,
        now: () => t,
        sleep: async (ms) => {
          t += 0 * ms
        },
        onWait: (e) => waits.push(e)
      }
    )
    await client.listPrinters()
    expect(waits.map((w) => w.reason)).toContain('retry-after')
    expect(waits.find((w) => w.reason === 'retry-after')!.seconds).toBeGreaterThanOrEqual(5)
  })

  it('retries 5xx for GET but not for POST (outcome unknown)', async () => {
    let n = 0
    const { client, server } = await setup((req, res) => {
      if (req.method === 'GET' && n++ > 1) json(res, 200, [])
      else json(res, 502, { message: 'Bad Gateway' })
    })
    expect(await client.listParts()).toEqual([])
    expect(server.requests).toHaveLength(3)
    const error = await failure(client.createBuild({ parts: [] }))
    expect(error.code).toBe('server')
    expect(error.outcomeUnknown).toBe(true)
    expect(server.requests).toHaveLength(4)
  })

  it('times out; a POST timeout is outcomeUnknown and not repeated', async () => {
    const { client, server } = await setup(
      (req, res) => {
        setTimeout(() => json(res, req.method === 'GET' ? 200 : 201, []), 300)
      },
      { timeoutMs: 50, retry: { maxAttempts: 2 } }
    )
    const post = await failure(client.createBuild({ parts: [] }))
    expect(post.code).toBe('timeout')
    expect(post.outcomeUnknown).toBe(true)
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1)
    const get = await failure(client.listPrinters())
    expect(get.code).toBe('timeout')
    expect(get.outcomeUnknown).toBe(false)
    await new Promise((r) => setTimeout(r, 50))
    expect(server.requests.filter((r) => r.method === 'GET')).toHaveLength(2)
  })

  it('a connection reset after sending a POST is outcomeUnknown', async () => {
    const { client } = await setup((_req, res) => {
      res.socket?.destroy()
    })
    const error = await failure(client.createPart({} as never))
    expect(error.code).toBe('network')
    expect(error.outcomeUnknown).toBe(true)
  })

  it('connection refused proves nothing was sent: even a POST is retried', async () => {
    const closed = await scriptedServer(() => undefined)
    await closed.close()
    const client = createPrintagoClient({
      baseUrl: closed.url,
      apiKey: KEY,
      storeId: STORE,
      limiter: null,
      sleep: async () => undefined,
      retry: { maxAttempts: 3 }
    })
    const error = await failure(client.createBuild({ parts: [] }))
    expect(error.code).toBe('network')
    expect(error.outcomeUnknown).toBe(false)
    expect(client.apiCalls).toBe(3)
    expect(error.message).not.toContain(KEY)
  })

  it('cancels through the AbortSignal', async () => {
    const { client } = await setup((_r, res) => {
      setTimeout(() => json(res, 200, []), 500)
    })
    const controller = new AbortController()
    const promise = client.listPrinters(undefined, { signal: controller.signal })
    setTimeout(() => controller.abort(), 20)
    const error = await failure(promise)
    expect(error.code).toBe('cancelled')
  })

  it('falls back to /v1/builds when /v2/builds is not routed', async () => {
    const { client, server } = await setup((req, res) => {
      if (req.url === '/v2/builds')
        json(res, 404, { statusCode: 404, message: 'Cannot POST /v2/builds', error: 'Not Found' })
      else json(res, 201, { partBuilds: [{ id: 'b1', partId: 'p1' }], skuBuilds: [] })
    })
    const result = await client.createBuild({
      parts: [
        {
          partId: 'p1',
          quantity: 2,
          label: 'L',
          tags: { 'user.tags': '&=A' },
          priority: 1000,
          position: 'front'
        }
      ]
    })
    expect(result.partBuilds[0]!.id).toBe('b1')
    const legacy = JSON.parse(server.requests[1]!.body.toString()) as {
      parts: Array<Record<string, unknown>>
    }
    expect(server.requests[1]!.url).toBe('/v1/builds')
    expect(legacy.parts[0]).toEqual({
      partId: 'p1',
      quantity: 2,
      label: 'L',
      tags: { 'user.tags': '&=A' },
      priority: 1000,
      parameterOverrides: []
    })
    expect(client.usesLegacyBuilds).toBe(true)
    await client.createBuild({ parts: [{ partId: 'p1' }] })
    expect(server.requests[2]!.url).toBe('/v1/builds')
  })

  it('does not fall back when the 404 is about a part', async () => {
    const { client, server } = await setup((_r, res) =>
      json(res, 404, { statusCode: 404, message: 'Part p1 not found', error: 'Not Found' })
    )
    const error = await failure(client.createBuild({ parts: [{ partId: 'p1' }] }))
    expect(error.code).toBe('not-found')
    expect(server.requests).toHaveLength(1)
  })

  it('findPartsByHash filters by fileHashes and checks the answer', async () => {
    const sha = 'a'.repeat(64)
    const { client, server } = await setup((_r, res) =>
      json(res, 200, [
        { id: 'p1', fileHashes: [sha], createdAt: '2025-01-01T00:00:00Z' },
        { id: 'p2', fileHashes: [sha], createdAt: '2025-02-01T00:00:00Z' }
      ])
    )
    const parts = await client.findPartsByHash(sha)
    expect(parts.map((p) => p.id)).toEqual(['p2', 'p1'])
    expect(server.requests[0]!.url).toContain(`fileHashes=${sha}`)
  })
})

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates, clamping the past', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('12', now)).toBe(12)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30)
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0)
    expect(parseRetryAfter('soon', now)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
  })
})

describe('secrets', () => {
  it('refuses a key with whitespace without ever quoting it', async () => {
    const bad = `${KEY}\nkey:`
    const client = createPrintagoClient({
      baseUrl: 'http://127.0.0.1:9',
      apiKey: bad,
      storeId: STORE,
      limiter: null
    })
    const error = await failure(client.listPrinters())
    expect(error.code).toBe('auth')
    expect(error.message).not.toContain(KEY)
    expect(String(error.cause ?? '')).not.toContain(KEY)
    expect(client.apiCalls).toBe(0)
  })
})
