// The REST budget of a live session in steady state: realtime up, 20 of my jobs open, a busy farm
// around them (another client's jobs printing on a printer that clears its own bed), the renderer
// asking for the printer list every 30 s. One clock drives the sandbox and the session; requests
// are counted in the sandbox's request log over 10 virtual minutes.
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import type { HistoryEntry } from '../shared/history'
import type { TestSandbox } from '../sandbox/testing'
import { makePart, PRINTER, sandbox } from '../sandbox/testing/test-utils'
import { sendToSandbox } from '../test-support/history-store'
import { boxStl } from '../test-support/stl'
import { tempDir } from '../test-support/temp'
import { waitFor } from '../test-support/wait'
import { nodeConfFactory } from './history/store'
import { createManualClock } from './infra/clock'
import { openStoreSession, type StoreSession } from './session'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const MINUTE = 60_000

function maxPerWindow(times: readonly number[], windowMs = MINUTE): number {
  let max = 0
  for (let i = 0; i < times.length; i++) {
    let n = 0
    for (let j = i; j < times.length && times[j]! < times[i]! + windowMs; j++) n++
    max = Math.max(max, n)
  }
  return max
}

describe('a live session in steady state', () => {
  it('stays within 6 REST requests a minute with realtime up and 20 open jobs', async () => {
    const clock = createManualClock(Date.parse('2026-04-28T12:00:00.000Z'))
    const sb: TestSandbox = await sandbox({
      clock,
      speed: 1,
      lifecycle: 'full',
      mqttEntityPayloads: 'mixed'
    })
    cleanups.push(() => sb.close())
    const { dir, cleanup } = await tempDir('session-budget-')
    cleanups.push(cleanup)

    // Requests in flight, so each step of the clock lets them finish first.
    let inflight = 0
    const counted: typeof fetch = async (input, init) => {
      inflight++
      try {
        return await fetch(input, init)
      } finally {
        inflight--
      }
    }
    const bedWaits: string[] = []
    const session: StoreSession = await openStoreSession({
      dir: join(dir, 'store'),
      storeId: sb.storeId,
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      createConf: nodeConfFactory,
      historyWriteDelayMs: 0,
      clock,
      fetch: counted,
      live: {
        realtimeUrl: sb.mqttUrl,
        notifications: () => true,
        onHistoryChanged: () => undefined,
        onJobFinished: () => undefined,
        onPrintersChanged: () => undefined,
        onResumed: () => undefined,
        onBedWait: (w) => bedWaits.push(w.entry.label)
      }
    })
    cleanups.push(() => session.close())
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r))
      await waitFor(() => inflight === 0, 5000, 'requests in flight')
      for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r))
    }
    const run = async (ms: number): Promise<void> => {
      const end = clock.now() + ms
      while (clock.now() < end) {
        await clock.advance(1000)
        await settle()
      }
    }
    await waitFor(() => session.sync!.snapshot().sync.mode === 'realtime', 5000, 'realtime')
    // The renderer asks for the printers every 30 s (usePrinters).
    let askPrinters = true
    const poll = async (): Promise<void> => {
      while (askPrinters) {
        await session.printers.list().catch(() => undefined)
        await new Promise<void>((r) => clock.setTimeout(r, 30_000))
      }
    }
    void poll()
    cleanups.push(() => void (askPrinters = false))

    // A busy farm: another client's jobs print one after another on the A1 (it clears its bed).
    const other = await makePart(sb, 'other-client', boxStl(20, 20, 5))
    sb.createBuild({ partId: other.id, quantity: 30, tags: { 'printer.id': `=${PRINTER.a1}` } })
    // My 20 open jobs: queued for the P1S #2, whose bed nobody clears.
    const part = await makePart(sb, 'mine', boxStl(30, 20, 10))
    const mine: HistoryEntry[] = []
    for (let i = 0; i < 4; i++) {
      const e = await sendToSandbox(sb, {
        partId: part.id,
        quantity: 5,
        label: `Order ${i + 1}`,
        routing: { mode: 'printer', printerId: PRINTER.p1s2 }
      })
      mine.push(session.history.add(e))
    }
    // Settle: discovery, the part's estimate, the first queue read.
    await run(3 * MINUTE)
    const open = session.history.openEntries().flatMap((e) => e.copies)
    expect(open).toHaveLength(20)
    const start = clock.now()
    const fromLog = sb.log.length
    await run(10 * MINUTE)
    const times = sb.log
      .slice(fromLog)
      .filter((r) => r.at >= start)
      .map((r) => r.at)
    const paths = sb.log.slice(fromLog).map((r) => `${r.method} ${r.path}`)
    // The report: requests in 10 virtual minutes, and the busiest minute.
    console.info(
      `steady state, 20 open jobs, realtime up: ${times.length} requests in 10 min, at most ${maxPerWindow(times)} in a minute`,
      [...new Set(paths)].map((p) => `${p} ×${paths.filter((x) => x === p).length}`)
    )
    expect(maxPerWindow(times)).toBeLessThanOrEqual(6)
    expect(times.length).toBeLessThanOrEqual(60)
    // The watchdog did look (one batched read every few minutes).
    expect(paths.filter((p) => p === 'GET /v1/print-jobs').length).toBeGreaterThanOrEqual(3)
    // Steady state means what it says: the farm went on meanwhile, my jobs stayed queued.
    expect(
      [...sb.state.printJobs.values()].filter((j) => j.status === 'completed').length
    ).toBeGreaterThan(3)
    expect(session.sync!.snapshot().sync.mode).toBe('realtime')
    const places = session.sync!.snapshot().entries.flatMap((e) => e.copies.map((c) => c.queue))
    expect(places.every((q) => q && q.total >= 20)).toBe(true)
    expect(session.history.get(mine[0]!.id)!.estimate?.seconds).toBeGreaterThan(0)
    // And the P1S #2's bed was said to be in the way, once per order.
    expect(bedWaits.sort()).toEqual(['Order 1', 'Order 2', 'Order 3', 'Order 4'])
  })
})
