// The soak's gateway: what it holds counts as in flight until the sandbox is done with it — also
// after a client gave up — a late rule answers first and acts later, and a refusal acts never.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { startTestSandbox, type TestSandbox } from '../../src/sandbox/testing'
import { makePart } from '../../src/sandbox/testing/test-utils'
import { startRelay, type Relay } from './relay'

let sb: TestSandbox
let relay: Relay
beforeEach(async () => {
  sb = await startTestSandbox({ ratePerMinute: 0, ratePerHour: 0, speed: 0, mqtt: false })
  relay = await startRelay(sb.url)
})
afterEach(async () => {
  await relay.close()
  await sb.close()
})

const post = (path: string, body: unknown, signal?: AbortSignal): Promise<Response> =>
  fetch(relay.url + path, {
    method: 'POST',
    headers: {
      authorization: `ApiKey ${sb.apiKey}`,
      'x-printago-storeid': sb.storeId,
      'content-type': 'application/json'
    },
    body: JSON.stringify(body),
    signal
  })

describe('the soak relay', () => {
  it('answers a late 504 at once and builds only after it, counting it in flight meanwhile', async () => {
    const part = await makePart(sb)
    relay.late({
      method: 'POST',
      path: '/v2/builds',
      status: 504,
      body: 'json',
      forwardAfterMs: 200
    })
    const r = await post('/v2/builds', { parts: [{ partId: part.id, label: 'late' }] })
    expect(r.status).toBe(504)
    expect(await r.json()).toMatchObject({ statusCode: 504 })
    expect(sb.state.partBuilds.size).toBe(0)
    expect(relay.inFlight).toBe(1)
    await relay.idle()
    expect(sb.state.partBuilds.size).toBe(1)
    expect(relay.lateAnswers).toBe(1)
  })

  it('keeps a request in flight after its client gave up, until the sandbox acted', async () => {
    const part = await makePart(sb)
    sb.injectFault({ method: 'POST', path: '/v2/builds', kind: 'delay', delayMs: 300 })
    const gaveUp = post('/v2/builds', { parts: [{ partId: part.id }] }, AbortSignal.timeout(50))
    await expect(gaveUp).rejects.toThrow()
    expect(relay.inFlight).toBe(1)
    await relay.idle()
    expect(sb.state.partBuilds.size).toBe(1)
  })

  it('refuses a query parameter without forwarding', async () => {
    relay.refuse({ method: 'GET', path: '/v1/part-builds', param: 'label.endsWith', times: 1 })
    const get = (q: string): Promise<Response> =>
      fetch(`${relay.url}/v1/part-builds?${q}`, {
        headers: { authorization: `ApiKey ${sb.apiKey}`, 'x-printago-storeid': sb.storeId }
      })
    expect((await get('label.endsWith=x')).status).toBe(400)
    expect((await get('label.endsWith=x')).status).toBe(200)
    expect(relay.refused).toBe(1)
    expect(sb.log.filter((e) => e.path === '/v1/part-builds')).toHaveLength(1)
    expect(relay.inFlight).toBe(0)
  })
})
