// The build step: one POST /v2/builds per job, never duplicated — an answer lost, a request timed
// out that Printago still performs, an outcome that stays unknown until a resume.
import { afterEach, describe, expect, it } from 'vitest'
import { detachedFetch } from '../../test-support/http'
import { calls, one, sendHarness, waitFor, type SendHarness } from '../../test-support/send'

let h: SendHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('build', () => {
  it('falls back to /v1/builds when /v2/builds answers 404', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({
      method: 'POST',
      path: '/v2/builds',
      kind: 'status',
      status: 404,
      body: { statusCode: 404, message: 'Cannot POST /v2/builds', error: 'Not Found' },
      times: Infinity
    })
    const service = await h.service()
    const result = await service.send(one(await h.stl('legacy.stl'), { quantity: 2 }))
    expect(result.status).toBe('done')
    expect(h.sandbox.log.filter((e) => e.path === '/v1/builds' && e.status === 201)).toHaveLength(1)
    expect(h.sandbox.state.partBuilds.get(result.files[0]!.partBuildId)!.quantity).toBe(2)
  })

  it('a dropped answer to POST /v2/builds is reconciled without a duplicate', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'drop-after' })
    const service = await h.service()
    const m = h.mark()
    const result = await service.send(one(await h.stl('a.stl'), { quantity: 2 }))
    expect(result.status).toBe('done')
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    expect(result.files[0]!.partBuildId).toBe([...h.sandbox.state.partBuilds.keys()][0])
    expect(calls(h.since(m)).slice(-2)).toEqual(['POST /v2/builds', 'GET /v1/part-builds'])
  })

  it('a timed-out build that Printago still performs is reconciled after settling', async () => {
    h = await sendHarness({}, { timeoutMs: 40, fetch: detachedFetch })
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'delay', delayMs: 100 })
    const landed = (): boolean => h!.sandbox.log.some((e) => e.fault === 'delay')
    const settles: number[] = []
    const service = await h.service({
      settleMs: 800,
      // The settle wait is where Printago finishes what it was doing: model it as exactly that.
      sleep: async (ms, signal) => {
        settles.push(ms)
        await waitFor(landed)
        await h!.clock.sleep(ms, signal)
      }
    })
    const result = await service.send(one(await h.stl('slow.stl')))
    expect(result.status).toBe('done')
    // It waited (about) the settle delay after the request left before reading Printago.
    expect(settles).toHaveLength(1)
    expect(settles[0]).toBeGreaterThan(0)
    expect(settles[0]).toBeLessThanOrEqual(800)
    // Found by reading Printago, not sent again.
    expect(h.sandbox.log.filter((e) => e.path === '/v2/builds')).toHaveLength(1)
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    expect(result.files[0]!.partBuildId).toBe([...h.sandbox.state.partBuilds.keys()][0])
    expect(h.progress.some((p) => p.step === 'retrying')).toBe(true)
  })

  it('a build timeout where Printago did nothing is sent again once', async () => {
    h = await sendHarness({}, { timeoutMs: 150 })
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'reset' })
    const service = await h.service()
    const result = await service.send(one(await h.stl('r.stl')))
    expect(result.status).toBe('done')
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    expect(h.sandbox.log.filter((e) => e.path === '/v2/builds')).toHaveLength(2)
  })

  it('a build whose outcome stays unknown is reported per file as outcome-unknown and finished on resume', async () => {
    h = await sendHarness()
    // The build request dies without an answer, and Printago can't be read to check it.
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'reset' })
    h.sandbox.injectFault({
      method: 'GET',
      path: '/v1/part-builds',
      kind: 'status',
      status: 503,
      headers: { 'retry-after': '0' },
      times: Infinity
    })
    const service = await h.service({ settleMs: 300 })
    const file = await h.stl('unknown.stl')
    const result = await service.send(one(file), undefined, { jobId: 'unknown' })
    expect(result.status).toBe('interrupted')
    expect(result.error?.code).toBe('outcome-unknown')
    expect(result.unfinished).toEqual([
      {
        file,
        index: 0,
        error: { code: 'outcome-unknown', message: expect.stringContaining('did not confirm') }
      }
    ])
    // Progress says it waits and then checks — never that it blindly retries.
    const mine = h.progress.filter((p) => p.jobId === 'unknown')
    const wait = mine.find((p) => p.step === 'retrying' && p.waitSeconds)
    expect(wait).toMatchObject({ waitSeconds: 1, error: { code: 'outcome-unknown' } })
    expect(mine.some((p) => p.step === 'queuing' && p.error?.code === 'outcome-unknown')).toBe(true)
    expect(h.sandbox.log.filter((e) => e.path === '/v2/builds')).toHaveLength(1)
    h.sandbox.clearFaults()
    const [resumed] = await service.resumePending()
    expect(resumed!.status).toBe('done')
    expect(resumed!.unfinished).toBeUndefined()
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })
})
