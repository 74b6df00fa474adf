// The status sync over REST alone, against the real sandbox: its budget, back-off, failures and
// deleted jobs. Every timer of the sync runs on a manual clock; real HTTP settles between steps.
import { copyFileSync, writeFileSync } from 'node:fs'

import { afterEach, describe, expect, it } from 'vitest'

import type { HistoryEntry, JobCopy } from '../../shared/history'
import type { TestSandbox } from '../../sandbox/testing'
import {
  advanceSettled,
  sendToSandbox,
  historyBed,
  tempHistory,
  testConfFactory,
  trackedClient
} from '../../test-support/history-store'
import { createManualClock, type ManualClock } from '../infra/clock'
import type { PrintagoClient } from '../printago/client'
import { openHistoryStore, type HistoryStore } from './store'
import { createStatusSync, type StatusSync } from './sync'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(opts: { ratePerMinute?: number } = {}): Promise<{
  sb: TestSandbox
  client: PrintagoClient
  store: HistoryStore
}> {
  const { sb, client, store } = await historyBed(cleanups, {
    sandbox: { ratePerMinute: opts.ratePerMinute ?? 0 }
  })
  return { sb, client, store }
}

const jobReads = (sb: TestSandbox, from = 0): number =>
  sb.log.slice(from).filter((r) => r.method === 'GET' && r.path.startsWith('/v1/print-jobs')).length

function maxPerWindow(times: readonly number[], windowMs = 60_000): number {
  let max = 0
  for (let i = 0; i < times.length; i++) {
    let n = 0
    for (let j = i; j < times.length && times[j]! < times[i]! + windowMs; j++) n++
    max = Math.max(max, n)
  }
  return max
}

/** A started sync over REST on a manual clock, with a request-tracking client; closed after. */
function startSync(
  store: HistoryStore,
  client: PrintagoClient
): { clock: ManualClock; t: ReturnType<typeof trackedClient>; sync: StatusSync } {
  const clock = createManualClock()
  const t = trackedClient(client)
  const sync = createStatusSync({ store, client: t.client, clock })
  track(sync)
  sync.start()
  return { clock, t, sync }
}

function track(sync: StatusSync): Array<{ entry: HistoryEntry; copy: JobCopy }> {
  const finished: Array<{ entry: HistoryEntry; copy: JobCopy }> = []
  sync.onJobFinished((entry, copy) => finished.push({ entry, copy }))
  cleanups.push(() => sync.close())
  return finished
}

describe('status sync over REST (manual clock)', () => {
  it('keeps within 6 requests per minute however much there is to do', async () => {
    const { sb, client, store } = await setup()
    const part = (await sendToSandbox(sb)).partId
    for (let i = 0; i < 20; i++)
      store.add(await sendToSandbox(sb, { partId: part, knownJobIds: true }))
    const start = sb.log.length
    const clock = createManualClock()
    const t = trackedClient(client)
    // One build per request: a full pass needs 20 requests, far more than the budget.
    const sync = createStatusSync({ store, client: t.client, clock, batchSize: 1 })
    track(sync)
    sync.start()
    for (let i = 0; i < 20; i++) void sync.refresh()
    await advanceSettled(clock, 5 * 60_000, 1000, t.idle)
    expect(maxPerWindow(sync.requestTimes)).toBe(6) // the budget, not the plan, was the limit
    expect(sync.requests).toBeGreaterThanOrEqual(20) // it did get through the whole pass…
    expect(sync.requests).toBeLessThanOrEqual(36) // …within 6 per sliding minute over [0, 5 min]
    expect(jobReads(sb, start)).toBe(sync.requests) // counted by the server too
    expect(store.list().every((e) => e.syncedAt !== undefined)).toBe(true)
  })

  it('closes promptly while waiting for the budget, and stops touching the store', async () => {
    const { sb, client, store } = await setup()
    const part = (await sendToSandbox(sb)).partId
    for (let i = 0; i < 8; i++)
      store.add(await sendToSandbox(sb, { partId: part, knownJobIds: true }))
    const clock = createManualClock()
    const t = trackedClient(client)
    const sync = createStatusSync({ store, client: t.client, clock, batchSize: 1 })
    sync.start()
    await advanceSettled(clock, 1000, 1000, t.idle) // 6 requests done, the 7th waits for the budget
    expect(sync.requests).toBe(6)
    await sync.close()
    await advanceSettled(clock, 5 * 60_000, 10_000, t.idle)
    expect(sync.requests).toBe(6)
  })

  it('looks up the jobs of a new entry once the discovery delay has passed', async () => {
    const { sb, client, store } = await setup()
    const clock = createManualClock()
    const t = trackedClient(client)
    const sync = createStatusSync({ store, client: t.client, clock, discoverDelayMs: 3000 })
    track(sync)
    sync.start()
    await advanceSettled(clock, 1000, 1000, t.idle)
    expect(sync.requests).toBe(0) // nothing to follow yet
    const entry = store.add(await sendToSandbox(sb, { quantity: 2 })) // no job ids known
    await advanceSettled(clock, 2000, 1000, t.idle)
    expect(sync.requests).toBe(0)
    await advanceSettled(clock, 1000, 1000, t.idle) // the delay, well before the first poll
    expect(sync.requests).toBe(1)
    expect(store.get(entry.id)!.copies).toHaveLength(2)
    // A look-up still pending when the sync closes is dropped with every other timer.
    store.add(await sendToSandbox(sb))
    await sync.close()
    expect(clock.pending()).toBe(0)
  })

  it('backs off while nothing changes, then to 1/min and stops once nothing is open', async () => {
    const { sb, client, store } = await setup()
    const e = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const clock = createManualClock()
    const t = trackedClient(client)
    const sync = createStatusSync({ store, client: t.client, clock })
    const finished = track(sync)
    sync.start()
    await advanceSettled(clock, 5 * 60_000, 1000, t.idle)
    // Unchanged open job: 10 s, 15 s, 22.5 s … up to 60 s — well under 6/min.
    expect(maxPerWindow(sync.requestTimes)).toBeLessThanOrEqual(4)
    const openPolls = sync.requests
    expect(openPolls).toBeGreaterThanOrEqual(5)
    expect(openPolls).toBeLessThanOrEqual(12)
    // The job prints and finishes; the next poll sees it.
    for (let i = 0; i < 5; i++) sb.tick()
    await advanceSettled(clock, 60_000, 1000, t.idle)
    expect(store.get(e.id)?.status).toBe('printed')
    expect(finished.map((f) => f.copy.status)).toEqual(['completed'])
    const afterDone = sb.log.length
    await advanceSettled(clock, 30 * 60_000, 5000, t.idle)
    expect(jobReads(sb, afterDone)).toBeLessThanOrEqual(5) // a few idle checks at 1/min…
    const stopped = sync.requests
    await advanceSettled(clock, 30 * 60_000, 5000, t.idle)
    expect(sync.requests).toBe(stopped) // …then nothing
    expect(clock.pending()).toBe(0)
  })

  it('makes no request at all when nothing is open', async () => {
    const { sb, client } = await setup()
    const h = await tempHistory(sb.storeId)
    cleanups.push(h.cleanup)
    const clock = createManualClock()
    const sync = createStatusSync({ store: h.store, client, clock })
    track(sync)
    sync.start()
    await advanceSettled(clock, 10 * 60_000, 10_000, () => new Promise((r) => setImmediate(r)))
    expect(sync.requests).toBe(0)
  })

  it('keeps the last known state on 401/403/429/5xx and recovers afterwards', async () => {
    const { sb, client, store } = await setup()
    const e = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const { clock, t, sync } = startSync(store, client)
    await advanceSettled(clock, 1000, 1000, t.idle)
    const syncedAt = store.get(e.id)?.syncedAt
    expect(syncedAt).toBeDefined()
    for (const [status, words] of [
      [401, /API key/],
      [403, /queue\.view/],
      [429, /rate limit/],
      [503, /server error/]
    ] as const) {
      sb.injectFault({
        method: 'GET',
        path: '/v1/print-jobs',
        kind: 'status',
        status,
        times: Infinity,
        headers: status === 429 ? { 'retry-after': '1' } : {}
      })
      sb.tick()
      await sync.refresh().then(undefined, () => undefined)
      await t.idle()
      const snap = sync.snapshot()
      expect(snap.sync.error).toMatch(words)
      expect(snap.sync.mode).toBe('offline')
      expect(snap.entries).toHaveLength(1)
      expect(store.get(e.id)?.copies[0]?.status).toBe('pending') // last known state…
      expect(store.get(e.id)?.syncedAt).toBe(syncedAt) // …with its age
      sb.clearFaults()
      await advanceSettled(clock, 2000, 1000, t.idle)
    }
    await sync.refresh()
    expect(sync.snapshot().sync.error).toBeUndefined()
    expect(store.get(e.id)?.copies[0]?.status).not.toBe('pending')
  }, 30_000)

  it('marks a job deleted on the server instead of dropping it', async () => {
    const { sb, client, store } = await setup()
    const e = store.add(await sendToSandbox(sb, { quantity: 2, knownJobIds: true }))
    const { clock, t, sync } = startSync(store, client)
    await advanceSettled(clock, 1000, 1000, t.idle)
    const gone = e.copies[0]!.printJobId
    sb.state.printJobs.delete(gone)
    await sync.refresh()
    const after = store.get(e.id)!
    expect(after.copies).toHaveLength(2)
    expect(after.copies.find((c) => c.printJobId === gone)?.deletedOnServer).toBe(true)
    expect(sb.log.some((r) => r.path === `/v1/print-jobs/${gone}` && r.status === 404)).toBe(true)
  })

  it('ends an entry whose only job was deleted as cancelled, and stops polling it', async () => {
    const { sb, client, store } = await setup()
    const e = store.add(await sendToSandbox(sb, { quantity: 1, knownJobIds: true }))
    const { clock, t, sync } = startSync(store, client)
    await advanceSettled(clock, 1000, 1000, t.idle)
    sb.state.printJobs.delete(e.copies[0]!.printJobId)
    await sync.refresh()
    const after = store.get(e.id)!
    expect(after.copies[0]).toMatchObject({ status: 'pending', deletedOnServer: true })
    // Not "Queued" forever: a deleted open copy counts as cancelled, and nothing is left open.
    expect(after.status).toBe('cancelled')
    expect(store.openEntries()).toEqual([])
    await advanceSettled(clock, 10 * 60_000, 5000, t.idle)
    const stopped = sync.requests
    await advanceSettled(clock, 30 * 60_000, 5000, t.idle)
    expect(sync.requests).toBe(stopped)
  })

  it('discovers the jobs of an entry recovered from the backup without job ids', async () => {
    const { sb, client } = await setup()
    const h = await tempHistory(sb.storeId)
    cleanups.push(h.cleanup)
    // The app sent the file and crashed before any job id was known; the history file was then
    // damaged and only its backup copy, with the entry but no copies, could be read.
    const sent = h.store.add(await sendToSandbox(sb, { quantity: 2 }))
    expect(sent.copies).toEqual([])
    h.store.close()
    copyFileSync(h.store.path, h.store.backupPath)
    writeFileSync(h.store.path, '{"format":"printago-send-history","entr')
    const store = openHistoryStore({
      dir: h.dir,
      storeId: sb.storeId,
      createConf: testConfFactory,
      writeDelayMs: 0
    })
    cleanups.push(() => store.close())
    expect(store.recovered?.message).toMatch(/1 from the backup copy/)
    expect(store.get(sent.id)).toMatchObject({ status: 'queued', copies: [] })
    expect(store.openEntries().map((e) => e.id)).toEqual([sent.id])

    const mark = sb.log.length
    const { clock, t } = startSync(store, client)
    await advanceSettled(clock, 1000, 1000, t.idle)
    // Found by its part build (no job id needed), in one list call.
    const found = store.get(sent.id)!
    expect(found.copies.map((c) => c.printJobId).sort()).toEqual(
      [...sb.state.printJobs.values()]
        .filter((j) => j.partBuildId === sent.partBuildId)
        .map((j) => j.id)
        .sort()
    )
    expect(found.syncedAt).toBeDefined()
    expect(sb.log.slice(mark).map((r) => `${r.method} ${r.path} ${r.query ?? ''}`.trim())).toEqual([
      expect.stringMatching(new RegExp(`^GET /v1/print-jobs .*${sent.partBuildId}`))
    ])
    // …and followed from there on.
    for (let i = 0; i < 6; i++) sb.tick()
    await advanceSettled(clock, 2 * 60_000, 1000, t.idle)
    expect(store.get(sent.id)?.status).toBe('printed')
  })
})
