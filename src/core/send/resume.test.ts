// Crash anywhere, resume, and still exactly one build per file.
import { afterEach, describe, expect, it } from 'vitest'
import type { SendRequest } from '../../shared/send'
import { detachedFetch } from '../../test-support/http'
import { userLabel } from './marker'
import { one, sendHarness, waitFor, type SendHarness } from '../../test-support/send'

let h: SendHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** A service whose journal refuses every write after the first `n` entries: a crash there. */
async function crashingService(harness: SendHarness, n: number) {
  let written = 0
  const stop = new AbortController()
  const journal = await harness.journal((entries) => {
    if (stop.signal.aborted) throw new Error('crashed')
    if (written + entries.length > n) {
      stop.abort(new Error('crash'))
      throw new Error('crash')
    }
    written += entries.length
  })
  const service = await harness.service({ journal, signal: stop.signal })
  return { service, journal, stop }
}

describe('crash and resume', () => {
  it('resumes from every step of a two-file job with exactly one build per file', async () => {
    h = await sendHarness()
    // Entries of a clean two-file run: job (its record twice), 2×hashed, urls,
    // 2×(uploaded, part-intent, part), build-intent, build, end = 14.
    for (let n = 1; n <= 13; n++) {
      const a = await h.stl(`a${n}.stl`, 3, 100 + n)
      const b = await h.stl(`b${n}.stl`, 3, 200 + n)
      const { service, journal } = await crashingService(h, n)
      const request: SendRequest = {
        items: [
          { path: a, quantity: 1, label: `A${n}` },
          { path: b, quantity: 2, label: `B${n}` }
        ],
        routing: { mode: 'any' }
      }
      const first = await service.send(request).catch((e: unknown) => e)
      await journal.close()
      const fresh = await h.service()
      const resumed = await fresh.resumePending()
      await fresh.close()
      const builds = [...h.sandbox.state.partBuilds.values()]
      expect((first as { status?: string }).status, `crash after ${n} entries`).toBe('interrupted')
      expect(
        builds.filter((x) => userLabel(x.label ?? '') === `A${n}`),
        `crash after ${n} entries`
      ).toHaveLength(1)
      expect(
        builds.filter((x) => userLabel(x.label ?? '') === `B${n}`),
        `crash after ${n} entries`
      ).toHaveLength(1)
      for (const r of resumed) expect(r.status).toBe('done')
    }
  })

  it('a crash while the build request is in flight is reconciled on resume', async () => {
    h = await sendHarness({}, { fetch: detachedFetch })
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'delay', delayMs: 100 })
    const landed = (): boolean => h!.sandbox.log.some((e) => e.fault === 'delay')
    const file = await h.stl('inflight.stl')
    const { service, journal, stop } = await crashingService(h, 100)
    const first = service.send(one(file))
    // The process dies once the build request has left; Printago still performs it.
    await waitFor(() => h!.requests.some((r) => r.path === '/v2/builds'))
    stop.abort(new Error('kill'))
    expect((await first).status).toBe('interrupted')
    await journal.close()
    const settles: number[] = []
    const fresh = await h.service({
      settleMs: 600,
      // The settle wait is where Printago finishes what it was doing: model it as exactly that.
      sleep: async (ms, signal) => {
        settles.push(ms)
        await waitFor(landed)
        await h!.clock.sleep(ms, signal)
      }
    })
    const [resumed] = await fresh.resumePending()
    expect(resumed!.status).toBe('done')
    expect(settles).toHaveLength(1)
    // Found by reading Printago, not sent again.
    expect(h.sandbox.log.filter((e) => e.path === '/v2/builds')).toHaveLength(1)
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    expect(resumed!.files[0]!.partBuildId).toBe([...h.sandbox.state.partBuilds.keys()][0])
  })
})
