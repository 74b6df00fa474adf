// The status sync over MQTT: the real sandbox and its broker, the real realtime client. The
// sync's own timers (discovery, throttle, grace, polls) run on a manual clock.
import { afterEach, describe, expect, it } from 'vitest'

import type { HistoryEntry, JobCopy } from '../../shared/history'
import { startMqttBroker, type MqttBroker } from '../../sandbox/mqtt-broker'
import { sandbox } from '../../sandbox/testing/test-utils'
import type { TestSandbox } from '../../sandbox/testing'
import { sendToSandbox, tempHistory } from '../../test-support/history-store'
import { waitFor } from '../../test-support/wait'
import { createManualClock } from '../infra/clock'
import { createPrintagoClient, type PrintagoClient } from '../printago/client'
import { createRealtimeClient, type RealtimeClient } from '../printago/realtime'
import type { HistoryStore } from './store'
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

function track(sync: StatusSync): Array<{ entry: HistoryEntry; copy: JobCopy }> {
  const finished: Array<{ entry: HistoryEntry; copy: JobCopy }> = []
  sync.onJobFinished((entry, copy) => finished.push({ entry, copy }))
  cleanups.push(() => sync.close())
  return finished
}

describe('status sync over MQTT (real sandbox and broker)', () => {
  async function realtimeSetup(
    over: { password?: string; entityPayloads?: 'full' | 'changes' | 'mixed' } = {}
  ): Promise<{
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
      events: sb.events,
      entityPayloads: over.entityPayloads
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
    const jobId = store.get(entry.id)!.copies[0]!.printJobId
    for (let i = 0; i < 5; i++) {
      sb.tick()
      // Each state change arrives as its own event before the next tick.
      const state = sb.state.printJobs.get(jobId)!.status
      await waitFor(() => store.get(entry.id)?.copies[0]?.status === state, 2000, state)
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

  it('follows a job through UPDATE rows that carry only the changed fields', async () => {
    const { sb, client, store, realtime } = await realtimeSetup({ entityPayloads: 'changes' })
    const clock = createManualClock()
    const sync = createStatusSync({ store, client, realtime, clock })
    const finished = track(sync)
    sync.start()
    await waitFor(() => realtime.state === 'connected', 5000, 'realtime')
    await clock.advance(0)
    const entry = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const jobId = entry.copies[0]!.printJobId
    for (let i = 0; i < 5; i++) {
      sb.tick()
      const state = sb.state.printJobs.get(jobId)!.status
      await waitFor(() => store.get(entry.id)?.copies[0]?.status === state, 2000, state)
    }
    const job = sb.state.printJobs.get(jobId)!
    expect(job.status).toBe('completed')
    // Rows of only `{id, status, updatedAt…}`: what earlier rows said is kept, the rest filled in.
    expect(store.get(entry.id)!.copies[0]).toMatchObject({
      status: 'completed',
      printerId: job.assignedPrinterId,
      startedAt: job.printingStartedAt,
      finishedAt: job.printingCompletedAt
    })
    // No row named the printer: one printer list (inside the budget) did.
    await waitFor(() => !!store.get(entry.id)!.copies[0]!.printerName, 2000, 'the printer name')
    expect(finished.map((f) => f.copy.status)).toEqual(['completed'])
    expect(sb.log.filter((r) => r.path === '/v1/printers')).toHaveLength(1)
    expect(sync.requests).toBe(1) // that list; no job was read over REST
  })

  it('reconciles once over REST after the broker restarts', async () => {
    const { sb, client, store, broker, realtime } = await realtimeSetup()
    const entry = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    // No timer of the sync fires: the reconciliations come from the connects alone.
    const clock = createManualClock()
    const sync = createStatusSync({ store, client, realtime, clock })
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
    const sync = createStatusSync({ store, client, realtime, clock: createManualClock() })
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
    const clock = createManualClock()
    const sync = createStatusSync({ store, client, realtime, clock })
    const emitted: number[] = []
    sync.onChange((s) => emitted.push(s.entries[0]?.copies[0]?.progress ?? -1))
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
    // The change is emitted once the throttle (on the clock) lets it through.
    await clock.advance(250)
    expect(emitted.at(-1)).toBe(42)
    store.flush()
    expect(store.get(entry.id)!.copies[0]!.progress).toBeUndefined()
  })

  it('falls back to polling when the broker refuses the key', async () => {
    const { sb, client, store, realtime } = await realtimeSetup({ password: 'z'.repeat(72) })
    store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const clock = createManualClock()
    const sync = createStatusSync({ store, client, realtime, clock, realtimeGraceMs: 5000 })
    track(sync)
    sync.start()
    await waitFor(() => realtime.state === 'refused', 5000, 'refusal')
    expect(sync.requests).toBe(0) // polling waits for the grace period…
    await clock.advance(5000)
    await waitFor(() => sync.requests >= 1, 2000, 'a poll') // …then takes over
    const snap = sync.snapshot()
    expect(snap.sync.mode).toBe('polling')
    expect(snap.sync.error).toMatch(/Live updates are unavailable: .*Bad username or password/)
    expect(realtime.clientId).toMatch(/^apiclient_z{24}_[0-9a-f]+$/)
  })
})
