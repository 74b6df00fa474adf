// The build is queued exactly once even when what we read back is ambiguous: look-alike builds of
// another client, a gateway that answers 502/504 while Printago still acts, a wall clock that
// steps while a build is in doubt.
import { afterEach, describe, expect, it } from 'vitest'
import { monotonicOf } from '../infra/clock'
import { createPrintagoClient } from '../printago/client'
import { createRateLimiter } from '../printago/rate-limiter'
import { startGatewayProxy, type GatewayProxy } from '../../test-support/gateway-proxy'
import { detachedFetch } from '../../test-support/http'
import { one, sendHarness, waitFor, type SendHarness } from '../../test-support/send'
import { MAX_LABEL_LENGTH } from '../../shared/send'
import { markerFor, markerOf, markLabel, userLabel } from './marker'

let h: SendHarness | undefined
let proxy: GatewayProxy | undefined
afterEach(async () => {
  await proxy?.close()
  proxy = undefined
  await h?.close()
  h = undefined
})

/** Queue a build as another client would (the web UI, a second machine): plain REST. */
async function otherClientBuild(
  harness: SendHarness,
  partId: string,
  label: string,
  quantity = 1
): Promise<string> {
  const res = await fetch(`${harness.sandbox.url}/v2/builds`, {
    method: 'POST',
    headers: {
      authorization: `ApiKey ${harness.sandbox.limitedApiKey}`,
      'x-printago-storeid': harness.sandbox.storeId,
      'content-type': 'application/json'
    },
    body: JSON.stringify({ parts: [{ partId, quantity, label }] })
  })
  expect(res.status).toBe(201)
  const body = (await res.json()) as { partBuilds: Array<{ id: string }> }
  return body.partBuilds[0]!.id
}

describe('the marker', () => {
  it('is stable per file of a job, distinct across files and jobs, and stripped for display', () => {
    expect(markerFor('job', 0)).toBe(markerFor('job', 0))
    expect(markerFor('job', 0)).not.toBe(markerFor('job', 1))
    expect(markerFor('job', 0)).not.toBe(markerFor('job2', 0))
    const marked = markLabel('Order 7', markerFor('job', 0))
    expect(markerOf(marked)).toBe(markerFor('job', 0))
    expect(userLabel(marked)).toBe('Order 7')
    expect(markerOf('Order 7')).toBeUndefined()
    // A label that itself looks marked loses only the marker we added.
    const tricky = markLabel('x [ps:abcdefgh]', 'zzzzzzzz')
    expect(userLabel(tricky)).toBe('x [ps:abcdefgh]')
  })

  it("keeps a marked label within Printago's 1024 characters, never splitting a character", () => {
    const long = markLabel('a'.repeat(MAX_LABEL_LENGTH), 'abcdefgh')
    expect(long.length).toBe(MAX_LABEL_LENGTH)
    expect(markerOf(long)).toBe('abcdefgh')
    const emoji = markLabel('😀'.repeat(MAX_LABEL_LENGTH), 'abcdefgh')
    expect(emoji.length).toBeLessThanOrEqual(MAX_LABEL_LENGTH)
    expect(emoji).not.toMatch(/[\ud800-\udbff] \[ps:/)
  })
})

describe('reconciliation never adopts a build the journal does not own', () => {
  it('a look-alike build (same part, label, quantity) queued by another client while ours was in doubt is not taken for ours', async () => {
    h = await sendHarness()
    const file = await h.stl('look.stl')
    // Our build request dies before Printago acts on it…
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'reset' })
    let other: string | undefined
    const service = await h.service({
      settleMs: 1000,
      // …and while we wait to check, someone queues the same part, same label and quantity.
      sleep: async (ms, signal) => {
        if (!other) {
          const partId = [...h!.sandbox.state.parts.keys()][0]!
          other = await otherClientBuild(h!, partId, 'L')
        }
        await h!.clock.sleep(ms, signal)
      }
    })
    const result = await service.send(one(file, { label: 'L' }))
    expect(result.status).toBe('done')
    expect(other).toBeDefined()
    // Ours was queued after all (not lost), and theirs stays theirs.
    expect(result.files[0]!.partBuildId).not.toBe(other)
    expect(h.sandbox.state.partBuilds.size).toBe(2)
    const ours = h.sandbox.state.partBuilds.get(result.files[0]!.partBuildId)!
    expect(userLabel(ours.label!)).toBe('L')
  })

  it('a wall clock set back by minutes while a build is in doubt does not duplicate it', async () => {
    h = await sendHarness()
    const file = await h.stl('back.stl')
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'drop-after' })
    let offset = 0
    const stepped = (): number => h!.clock.now() + offset
    const client = createPrintagoClient({
      baseUrl: h.sandbox.url,
      apiKey: h.sandbox.apiKey,
      storeId: h.sandbox.storeId,
      limiter: createRateLimiter({ perMinute: 10_000, perHour: 100_000, now: stepped }),
      retry: { baseMs: 5, capMs: 40 },
      sleep: h.clock.sleep,
      now: stepped,
      fetch: async (input, init) => {
        try {
          return await fetch(input, init)
        } finally {
          // The answer is lost, and the clock is set back 5 minutes (NTP, a user, a VM resume).
          if (String(input).endsWith('/v2/builds')) offset = -5 * 60_000
        }
      }
    })
    const service = await h.service({
      client,
      now: stepped,
      monotonic: monotonicOf(h.clock.now)
    })
    const result = await service.send(one(file, { label: 'B' }))
    expect(result.status).toBe('done')
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    expect(h.sandbox.log.filter((e) => e.path === '/v2/builds')).toHaveLength(1)
  })

  it('a wall clock set forward while a build is in doubt does not cut the settle wait short', async () => {
    h = await sendHarness({}, { timeoutMs: 40, fetch: detachedFetch })
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'delay', delayMs: 150 })
    const landed = (): boolean =>
      h!.sandbox.log.some((e) => e.fault === 'delay' && e.status === 201)
    let offset = 0
    const waits: number[] = []
    const service = await h.service({
      settleMs: 800,
      now: () => h!.clock.now() + offset,
      monotonic: monotonicOf(h.clock.now),
      onProgress: (p) => {
        if (p.step === 'retrying' && p.error?.code === 'outcome-unknown') offset = 3_600_000
      },
      sleep: async (ms, signal) => {
        waits.push(ms)
        await waitFor(landed)
        await h!.clock.sleep(ms, signal)
      }
    })
    const result = await service.send(one(await h.stl('fwd.stl')))
    await waitFor(landed)
    expect(result.status).toBe('done')
    expect(waits.length).toBeGreaterThan(0)
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })
})

describe('reading back by marker', () => {
  it('works with a server that refuses the label filter (it reads the part’s builds instead)', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'drop-after' })
    const refused: string[] = []
    const client = createPrintagoClient({
      baseUrl: h.sandbox.url,
      apiKey: h.sandbox.apiKey,
      storeId: h.sandbox.storeId,
      limiter: null,
      sleep: h.clock.sleep,
      now: h.clock.now,
      fetch: async (input, init) => {
        if (String(input).includes('label.endsWith')) {
          refused.push(String(input))
          return new Response(JSON.stringify({ statusCode: 400, message: 'unknown filter' }), {
            status: 400,
            headers: { 'content-type': 'application/json' }
          })
        }
        return fetch(input, init)
      }
    })
    const service = await h.service({ client })
    const result = await service.send(one(await h.stl('nofilter.stl')))
    expect(result.status).toBe('done')
    expect(refused.length).toBeGreaterThan(0)
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })
})

describe('a gateway 5xx is an unknown outcome, not an answer', () => {
  it.each([
    [502, undefined],
    [504, undefined],
    [500, '<html>Internal Server Error</html>']
  ])(
    'a %s from a gateway that gave up before Printago acted: settle, find it, exactly one build',
    async (status, body) => {
      h = await sendHarness()
      proxy = await startGatewayProxy(h.sandbox.url, [
        { method: 'POST', path: '/v2/builds', status, hold: true, ...(body ? { body } : {}) }
      ])
      const gw = proxy
      const client = createPrintagoClient({
        baseUrl: gw.url,
        apiKey: h.sandbox.apiKey,
        storeId: h.sandbox.storeId,
        limiter: null,
        retry: { baseMs: 5, capMs: 40 },
        sleep: h.clock.sleep,
        now: h.clock.now
      })
      let settled = 0
      const service = await h.service({
        client,
        settleMs: 60_000,
        // While we wait, Printago finishes the request the gateway gave up on.
        sleep: async (ms, signal) => {
          settled++
          gw.release()
          await waitFor(() => gw.forwardedDone >= 1)
          await h!.clock.sleep(ms, signal)
        }
      })
      const result = await service.send(one(await h.stl(`gw${status}.stl`), { label: 'G' }))
      gw.release()
      await waitFor(() => gw.forwardedDone >= 1)
      expect(result.status).toBe('done')
      expect(settled).toBeGreaterThan(0)
      expect(h.sandbox.state.partBuilds.size).toBe(1)
      expect(result.files[0]!.partBuildId).toBe([...h.sandbox.state.partBuilds.keys()][0])
    }
  )

  it("Printago's own 500 (its JSON error body) needs no settle wait", async () => {
    h = await sendHarness()
    h.sandbox.injectFault({
      method: 'POST',
      path: '/v2/builds',
      kind: 'status',
      status: 500,
      body: { statusCode: 500, message: 'Internal server error' }
    })
    const waits: number[] = []
    const service = await h.service({
      settleMs: 60_000,
      sleep: async (ms, signal) => {
        waits.push(ms)
        await h!.clock.sleep(ms, signal)
      }
    })
    const result = await service.send(one(await h.stl('own500.stl')))
    expect(result.status).toBe('done')
    expect(waits.filter((ms) => ms >= 1000)).toEqual([])
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })
})

describe('a build answered incompletely every time', () => {
  it('ends with an error that says so, never `undefined`', async () => {
    h = await sendHarness()
    // Printago acts but the answer lists no part build, every time; reading it finds nothing.
    const fetchEmpty: typeof fetch = async (input, init) => {
      const res = await fetch(input, init)
      if (String(input).endsWith('/v2/builds')) {
        return new Response(JSON.stringify({ partBuilds: [], skuBuilds: [] }), {
          status: 201,
          headers: { 'content-type': 'application/json' }
        })
      }
      if (String(input).includes('/v1/part-builds')) {
        return new Response('[]', { status: 200, headers: { 'content-type': 'application/json' } })
      }
      return res
    }
    const client = createPrintagoClient({
      baseUrl: h.sandbox.url,
      apiKey: h.sandbox.apiKey,
      storeId: h.sandbox.storeId,
      limiter: null,
      fetch: fetchEmpty,
      sleep: h.clock.sleep,
      now: h.clock.now
    })
    const service = await h.service({ client, maxBuildAttempts: 2 })
    const result = await service.send(one(await h.stl('partial.stl')))
    expect(result.status).toBe('failed')
    expect(result.failures[0]!.error.message).toMatch(/incompletely/)
  })
})
