import { copyFileSync, writeFileSync } from 'node:fs'

import { afterEach, describe, expect, it } from 'vitest'

import type { HistoryEntry, JobCopy } from '../../shared/history'
import { startMqttBroker, type MqttBroker } from '../../sandbox/mqtt-broker'
import { sandbox } from '../../sandbox/testing/test-utils'
import type { TestSandbox } from '../../sandbox/testing'
import { openHistoryStore, type HistoryStore } from './store'
import { createManualClock } from '../infra/clock'
import {
  manualClock,
  sendToSandbox,
  tempHistory,
  testConfFactory,
  trackedClient
} from '../../test-support/history-store'
import { waitFor } from '../../test-support/wait'
import { createPrintagoClient, type PrintagoClient } from '../printago/client'
import {
  createRealtimeClient,
  parseRealtimeMessage,
  type RealtimeClient
} from '../printago/realtime'
import {
  applyJobFacts,
  createStatusSync,
  jobFacts,
  notificationText,
  RequestBudget,
  shouldNotify,
  type StatusSync
} from './sync'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(opts: { ratePerMinute?: number } = {}): Promise<{
  sb: TestSandbox
  client: PrintagoClient
  store: HistoryStore
}> {
  const sb = await sandbox({ ratePerMinute: opts.ratePerMinute ?? 0 })
  cleanups.push(() => sb.close())
  const h = await tempHistory(sb.storeId)
  cleanups.push(h.cleanup)
  const client = createPrintagoClient({
    baseUrl: sb.url,
    apiKey: sb.apiKey,
    storeId: sb.storeId,
    limiter: null,
    retry: { baseMs: 1, capMs: 5 }
  })
  return { sb, client, store: h.store }
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

function track(sync: StatusSync): Array<{ entry: HistoryEntry; copy: JobCopy }> {
  const finished: Array<{ entry: HistoryEntry; copy: JobCopy }> = []
  sync.onJobFinished((entry, copy) => finished.push({ entry, copy }))
  cleanups.push(() => sync.close())
  return finished
}

describe('notifications', () => {
  const copy = (status: string): JobCopy => ({
    printJobId: 'j1',
    status,
    printerId: 'p1',
    printerName: 'P1S #1',
    updatedAt: '2026-01-01T00:00:00.000Z'
  })

  it('shouldNotify: only completed/failed transitions, and only when enabled', () => {
    const on = { notifications: true }
    expect(shouldNotify(copy('printing'), copy('completed'), on)).toBe(true)
    expect(shouldNotify(copy('printing'), copy('failed'), on)).toBe(true)
    expect(shouldNotify(undefined, copy('completed'), on)).toBe(true)
    expect(shouldNotify(copy('completed'), copy('completed'), on)).toBe(false)
    expect(shouldNotify(copy('pending'), copy('cancelled'), on)).toBe(false)
    expect(shouldNotify(copy('pending'), copy('printing'), on)).toBe(false)
    expect(shouldNotify(copy('printing'), copy('completed'), { notifications: false })).toBe(false)
    expect(
      shouldNotify(copy('printing'), { ...copy('completed'), deletedOnServer: true }, on)
    ).toBe(false)
  })

  it('notificationText names the file, the copy and the printer', () => {
    const entry = {
      label: 'Benchy',
      fileName: 'benchy.stl',
      copies: [
        copy('completed'),
        { ...copy('failed'), printJobId: 'j2', errorMessage: 'Spaghetti' }
      ]
    } as HistoryEntry
    expect(notificationText(entry, entry.copies[0]!)).toEqual({
      title: 'Printed: Benchy',
      body: 'Copy 1 of 2 on P1S #1 finished.'
    })
    expect(notificationText(entry, entry.copies[1]!)).toEqual({
      title: 'Print failed: Benchy',
      body: 'Copy 2 of 2 on P1S #1 failed: Spaghetti'
    })
  })
})

describe('pieces', () => {
  it('RequestBudget allows max per sliding window', () => {
    const b = new RequestBudget(6)
    for (let i = 0; i < 6; i++) {
      expect(b.waitMs(1000 + i)).toBe(0)
      b.take(1000 + i)
    }
    expect(b.waitMs(1010)).toBe(60_000 - 10)
    expect(b.waitMs(61_000)).toBe(0)
    expect(b.recent(61_003)).toBe(2)
  })

  it('reads job facts from entities and changes of either shape', () => {
    expect(jobFacts('j', { status: 'printing', assignedPrinterId: 'p' })).toEqual({
      id: 'j',
      status: 'printing',
      assignedPrinterId: 'p'
    })
    expect(
      jobFacts('j', {}, { status: { old: 'pending', new: 'assigned' }, errorMessage: null })
    ).toEqual({
      id: 'j',
      status: 'assigned',
      errorMessage: null
    })
    expect(jobFacts('j', { status: 42, partBuildId: ['x'] })).toEqual({ id: 'j' })
    const prev: JobCopy = { printJobId: 'j', status: 'pending', printerId: null, updatedAt: 't0' }
    expect(applyJobFacts(prev, { id: 'j', status: 'pending' }, () => undefined, 'now')).toBeNull()
    expect(
      applyJobFacts(prev, { id: 'j', assignedPrinterId: 'p1' }, () => 'A1', 'now')
    ).toMatchObject({
      status: 'pending',
      printerId: 'p1',
      printerName: 'A1'
    })
  })

  it('parses realtime messages defensively', () => {
    const s = 'store1'
    const t = `stores/${s}/entities/print-jobs`
    expect(parseRealtimeMessage(t, 'nope', s)).toEqual({ ok: false, reason: 'not JSON' })
    expect(parseRealtimeMessage(t, '[1]', s)).toEqual({ ok: false, reason: 'not an object' })
    expect(
      parseRealtimeMessage(t, '{"entityType":"coffee","action":"INSERT","entities":{"a":{}}}', s)
    ).toEqual({ ok: false, reason: 'unknown entityType' })
    expect(
      parseRealtimeMessage(t, '{"entityType":"printJob","action":"EXPLODE","entities":{"a":{}}}', s)
    ).toEqual({ ok: false, reason: 'unknown action' })
    expect(parseRealtimeMessage(t, '{"entityType":"printJob","action":"UPDATE"}', s)).toEqual({
      ok: false,
      reason: 'missing entities'
    })
    expect(parseRealtimeMessage('stores/other/entities/x', '{}', s)).toEqual({
      ok: false,
      reason: 'foreign topic'
    })
    // The topic names the type when the payload does not; spellings are normalised.
    const ok = parseRealtimeMessage(
      t,
      '{"action":"update","entities":{"a":{"status":"printing"}}}',
      s
    )
    expect(ok).toMatchObject({ ok: true, message: { entityType: 'printJob', action: 'UPDATE' } })
    expect(
      parseRealtimeMessage(
        `stores/${s}/printer-stats/p1`,
        '{"state":"PRINTING","data":{"print":{"percent":42}}}',
        s
      )
    ).toEqual({
      ok: true,
      message: {
        kind: 'printer-stats',
        topic: `stores/${s}/printer-stats/p1`,
        printerId: 'p1',
        percent: 42,
        state: 'PRINTING'
      }
    })
  })
})

describe('status sync over REST (manual clock)', () => {
  it('keeps within 6 requests per minute however much there is to do', async () => {
    const { sb, client, store } = await setup()
    const part = (await sendToSandbox(sb)).partId
    for (let i = 0; i < 20; i++)
      store.add(await sendToSandbox(sb, { partId: part, knownJobIds: true }))
    const start = sb.log.length
    const clock = manualClock()
    const t = trackedClient(client)
    // One build per request: a full pass needs 20 requests, far more than the budget.
    const sync = createStatusSync({ store, client: t.client, clock, batchSize: 1 })
    track(sync)
    sync.start()
    for (let i = 0; i < 20; i++) void sync.refresh()
    await clock.advance(5 * 60_000, 1000, t.idle)
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
    const clock = manualClock()
    const t = trackedClient(client)
    const sync = createStatusSync({ store, client: t.client, clock, batchSize: 1 })
    sync.start()
    await clock.advance(1000, 1000, t.idle) // 6 requests done, the 7th waits for the budget
    expect(sync.requests).toBe(6)
    await sync.close()
    await clock.advance(5 * 60_000, 10_000, t.idle)
    expect(sync.requests).toBe(6)
  })

  it('backs off while nothing changes, then to 1/min and stops once nothing is open', async () => {
    const { sb, client, store } = await setup()
    const e = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const clock = manualClock()
    const t = trackedClient(client)
    const sync = createStatusSync({ store, client: t.client, clock })
    const finished = track(sync)
    sync.start()
    await clock.advance(5 * 60_000, 1000, t.idle)
    // Unchanged open job: 10 s, 15 s, 22.5 s … up to 60 s — well under 6/min.
    expect(maxPerWindow(sync.requestTimes)).toBeLessThanOrEqual(4)
    const openPolls = sync.requests
    expect(openPolls).toBeGreaterThanOrEqual(5)
    expect(openPolls).toBeLessThanOrEqual(12)
    // The job prints and finishes; the next poll sees it.
    for (let i = 0; i < 5; i++) sb.tick()
    await clock.advance(60_000, 1000, t.idle)
    expect(store.get(e.id)?.status).toBe('printed')
    expect(finished.map((f) => f.copy.status)).toEqual(['completed'])
    const afterDone = sb.log.length
    await clock.advance(30 * 60_000, 5000, t.idle)
    expect(jobReads(sb, afterDone)).toBeLessThanOrEqual(5) // a few idle checks at 1/min…
    const stopped = sync.requests
    await clock.advance(30 * 60_000, 5000, t.idle)
    expect(sync.requests).toBe(stopped) // …then nothing
    expect(clock.pending()).toBe(0)
  })

  it('makes no request at all when nothing is open', async () => {
    const { sb, client } = await setup()
    const h = await tempHistory(sb.storeId)
    cleanups.push(h.cleanup)
    const clock = manualClock()
    const sync = createStatusSync({ store: h.store, client, clock })
    track(sync)
    sync.start()
    await clock.advance(10 * 60_000, 10_000, () => new Promise((r) => setImmediate(r)))
    expect(sync.requests).toBe(0)
  })

  it('keeps the last known state on 401/403/429/5xx and recovers afterwards', async () => {
    const { sb, client, store } = await setup()
    const e = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const clock = manualClock()
    const t = trackedClient(client)
    const sync = createStatusSync({ store, client: t.client, clock })
    track(sync)
    sync.start()
    await clock.advance(1000, 1000, t.idle)
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
      await clock.advance(2000, 1000, t.idle)
    }
    await sync.refresh()
    expect(sync.snapshot().sync.error).toBeUndefined()
    expect(store.get(e.id)?.copies[0]?.status).not.toBe('pending')
  }, 30_000)

  it('marks a job deleted on the server instead of dropping it', async () => {
    const { sb, client, store } = await setup()
    const e = store.add(await sendToSandbox(sb, { quantity: 2, knownJobIds: true }))
    const clock = manualClock()
    const t = trackedClient(client)
    const sync = createStatusSync({ store, client: t.client, clock })
    track(sync)
    sync.start()
    await clock.advance(1000, 1000, t.idle)
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
    const clock = manualClock()
    const t = trackedClient(client)
    const sync = createStatusSync({ store, client: t.client, clock })
    track(sync)
    sync.start()
    await clock.advance(1000, 1000, t.idle)
    sb.state.printJobs.delete(e.copies[0]!.printJobId)
    await sync.refresh()
    const after = store.get(e.id)!
    expect(after.copies[0]).toMatchObject({ status: 'pending', deletedOnServer: true })
    // Not "Queued" forever: a deleted open copy counts as cancelled, and nothing is left open.
    expect(after.status).toBe('cancelled')
    expect(store.openEntries()).toEqual([])
    await clock.advance(10 * 60_000, 5000, t.idle)
    const stopped = sync.requests
    await clock.advance(30 * 60_000, 5000, t.idle)
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
    const clock = manualClock()
    const t = trackedClient(client)
    const sync = createStatusSync({ store, client: t.client, clock })
    track(sync)
    sync.start()
    await clock.advance(1000, 1000, t.idle)
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
    await clock.advance(2 * 60_000, 1000, t.idle)
    expect(store.get(sent.id)?.status).toBe('printed')
  })
})

describe('status sync over MQTT (real sandbox and broker)', () => {
  async function realtimeSetup(over: { password?: string } = {}): Promise<{
    sb: TestSandbox
    client: PrintagoClient
    store: HistoryStore
    broker: MqttBroker
    realtime: RealtimeClient
  }> {
    const { sb, client, store } = await setup()
    const broker = await startMqttBroker({
      storeId: sb.storeId,
      apiKey: sb.apiKey,
      limitedApiKey: sb.limitedApiKey,
      events: sb.events
    })
    cleanups.push(() => broker.close())
    const realtime = createRealtimeClient({
      url: broker.wsUrl,
      storeId: sb.storeId,
      apiKey: over.password ?? sb.apiKey,
      baseBackoffMs: 30,
      maxBackoffMs: 100,
      refusedBackoffMs: 60_000
    })
    return { sb, client, store, broker, realtime }
  }

  it('moves a job to completed from events alone, without any REST poll', async () => {
    const { sb, client, store, realtime } = await realtimeSetup()
    // The sync's own timers (discovery, throttle, polling) run on a manual clock; MQTT is real.
    const clock = createManualClock()
    const sync = createStatusSync({ store, client, realtime, clock, discoverDelayMs: 200 })
    const finished = track(sync)
    const snapshots: string[] = []
    sync.onChange((s) => snapshots.push(s.sync.mode))
    sync.start()
    await waitFor(() => realtime.state === 'connected', 5000, 'realtime')
    const mark = sb.log.length
    const entry = store.add(await sendToSandbox(sb, { quantity: 1, name: 'benchy' }))
    // The job INSERT was published before the entry existed: it is replayed from the buffer.
    await waitFor(() => store.get(entry.id)!.copies.length === 1, 2000, 'copy from the buffer')
    for (let i = 0; i < 5; i++) {
      sb.tick()
      await new Promise((r) => setTimeout(r, 20))
    }
    await waitFor(() => store.get(entry.id)?.status === 'printed', 5000, 'printed')
    await clock.advance(60_000) // past the discovery delay and the realtime grace: still no REST
    expect(jobReads(sb, mark)).toBe(0)
    expect(sync.requests).toBe(0)
    const copy = store.get(entry.id)!.copies[0]!
    expect(copy.printerId).toMatch(/^sbxprinter/)
    expect(copy.printerName).toBeTruthy() // from printer entity events
    expect(finished).toHaveLength(1)
    expect(finished[0]?.copy.status).toBe('completed')
    expect(sync.snapshot().sync.mode).toBe('realtime')
    expect(snapshots).toContain('realtime')
  })

  it('reconciles once over REST after the broker restarts', async () => {
    const { sb, client, store, broker, realtime } = await realtimeSetup()
    const entry = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const sync = createStatusSync({ store, client, realtime })
    const finished = track(sync)
    sync.start()
    await waitFor(() => realtime.state === 'connected', 5000, 'realtime')
    await waitFor(() => sync.requests === 1, 2000, 'the reconciliation after connecting')
    const port = broker.wsPort
    await broker.close()
    await waitFor(() => realtime.state !== 'connected', 2000, 'the drop')
    for (let i = 0; i < 5; i++) sb.tick() // the job completes while nobody listens
    expect(store.get(entry.id)?.status).not.toBe('printed')
    const mark = sb.log.length
    const again = await startMqttBroker({
      storeId: sb.storeId,
      apiKey: sb.apiKey,
      events: sb.events,
      port
    })
    cleanups.push(() => again.close())
    await waitFor(() => store.get(entry.id)?.status === 'printed', 5000, 'printed after reconnect')
    expect(realtime.stats.connects).toBe(2)
    expect(jobReads(sb, mark)).toBe(1)
    expect(finished.map((f) => f.copy.status)).toEqual(['completed'])
  })

  it('ignores malformed and unknown messages and keeps working', async () => {
    const { sb, client, store, broker, realtime } = await realtimeSetup()
    const entry = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const sync = createStatusSync({ store, client, realtime })
    track(sync)
    sync.start()
    await waitFor(() => realtime.state === 'connected', 5000, 'realtime')
    const topic = `stores/${sb.storeId}/entities/print-jobs`
    const jobId = entry.copies[0]!.printJobId
    await broker.publishRaw(topic, 'not json at all')
    await broker.publishRaw(topic, Buffer.from([0xff, 0x00, 0xfe]))
    await broker.publishRaw(topic, '[]')
    await broker.publishRaw(
      `stores/${sb.storeId}/entities/coffee`,
      JSON.stringify({ entityType: 'coffee', action: 'INSERT', entities: { x: {} } })
    )
    await broker.publishRaw(topic, JSON.stringify({ entityType: 'printJob', action: 'UPDATE' }))
    await broker.publishRaw(
      topic,
      JSON.stringify({ entityType: 'printJob', action: 'UPDATE', entities: { [jobId]: 'nope' } })
    )
    await broker.publishRaw(
      topic,
      JSON.stringify({
        entityType: 'printJob',
        action: 'UPDATE',
        entities: {},
        changes: { [jobId]: { status: { old: 'pending', new: 'printing' } } }
      })
    )
    await waitFor(
      () => store.get(entry.id)?.copies[0]?.status === 'printing',
      2000,
      'the valid message'
    )
    expect(realtime.stats.ignored).toBe(6)
    expect(realtime.stats.ignoredByReason).toMatchObject({
      'not JSON': 2,
      'not an object': 1,
      'unknown entityType': 1,
      'missing entities': 2
    })
    expect(realtime.state).toBe('connected')
  })

  it('shows printing progress from printer stats without writing it to disk', async () => {
    const { sb, client, store, broker, realtime } = await realtimeSetup()
    const entry = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const sync = createStatusSync({ store, client, realtime, changeThrottleMs: 0 })
    track(sync)
    sync.start()
    await waitFor(() => realtime.state === 'connected', 5000, 'realtime')
    for (let i = 0; i < 4; i++) sb.tick() // assigned → slicing → sending → printing
    await waitFor(() => store.get(entry.id)?.copies[0]?.status === 'printing', 3000, 'printing')
    const printerId = store.get(entry.id)!.copies[0]!.printerId!
    await broker.publishRaw(
      `stores/${sb.storeId}/printer-stats/${printerId}`,
      JSON.stringify({ printerId, state: 'PRINTING', data: { print: { percent: 42 } } })
    )
    await waitFor(() => sync.snapshot().entries[0]?.copies[0]?.progress === 42, 2000, 'progress')
    store.flush()
    expect(store.get(entry.id)!.copies[0]!.progress).toBeUndefined()
  })

  it('falls back to polling when the broker refuses the key', async () => {
    const { sb, client, store, realtime } = await realtimeSetup({ password: 'z'.repeat(72) })
    store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const sync = createStatusSync({ store, client, realtime, realtimeGraceMs: 50 })
    track(sync)
    sync.start()
    await waitFor(() => realtime.state === 'refused', 5000, 'refusal')
    await waitFor(() => sync.requests >= 1, 2000, 'a poll')
    const snap = sync.snapshot()
    expect(snap.sync.mode).toBe('polling')
    expect(snap.sync.error).toMatch(/Live updates are unavailable: .*Bad username or password/)
    expect(realtime.clientId).toMatch(/^apiclient_z{24}_[0-9a-f]+$/)
  })
})
