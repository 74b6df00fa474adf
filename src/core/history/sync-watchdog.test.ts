// Realtime connected but silent about jobs (an API key that receives no job events, entity names
// other than assumed): the real sandbox and a broker that forwards everything but job events. The
// history must not freeze: the watchdog brings the state within its budget, the sync then polls
// as if realtime were down, and trusts realtime again once a job event of ours arrives.
import { EventEmitter } from 'node:events'

import { afterEach, describe, expect, it } from 'vitest'

import { startMqttBroker } from '../../sandbox/mqtt-broker'
import type { TestSandbox } from '../../sandbox/testing'
import { sandbox } from '../../sandbox/testing/test-utils'
import type { SandboxEventMap, SandboxEntityEvent } from '../../sandbox/types'
import {
  advanceSettled,
  sendToSandbox,
  tempHistory,
  trackedClient
} from '../../test-support/history-store'
import { waitFor } from '../../test-support/wait'
import { createManualClock } from '../infra/clock'
import { createPrintagoClient } from '../printago/client'
import { createRealtimeClient } from '../printago/realtime'
import { createStatusSync } from './sync'
import { WATCHDOG_INTERVAL_MS } from './sync-poll-policy'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

function maxPerWindow(times: readonly number[], windowMs = 60_000): number {
  let max = 0
  for (let i = 0; i < times.length; i++) {
    let n = 0
    for (let j = i; j < times.length && times[j]! < times[i]! + windowMs; j++) n++
    max = Math.max(max, n)
  }
  return max
}

/** The sandbox, a broker fed through a gate that can hold back job events, and a sync. */
async function setup(): Promise<{
  sb: TestSandbox
  gate: { jobs: boolean }
  publishRaw: (topic: string, payload: string) => Promise<void>
  sync: ReturnType<typeof createStatusSync>
  store: Awaited<ReturnType<typeof tempHistory>>['store']
  clock: ReturnType<typeof createManualClock>
  idle: () => Promise<void>
  realtimeConnected: () => boolean
}> {
  const sb = await sandbox()
  cleanups.push(() => sb.close())
  const gate = { jobs: false }
  const events = new EventEmitter<SandboxEventMap>()
  const onEntity = (e: SandboxEntityEvent): void => {
    if (e.entityType !== 'printJob' || gate.jobs) events.emit('entity', e)
  }
  sb.events.on('entity', onEntity)
  cleanups.push(() => void sb.events.off('entity', onEntity))
  const broker = await startMqttBroker({ storeId: sb.storeId, apiKey: sb.apiKey, events })
  cleanups.push(() => broker.close())
  const h = await tempHistory(sb.storeId)
  cleanups.push(h.cleanup)
  const t = trackedClient(
    createPrintagoClient({
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      storeId: sb.storeId,
      limiter: null,
      retry: { baseMs: 1, capMs: 5 }
    })
  )
  const realtime = createRealtimeClient({
    url: broker.wsUrl,
    storeId: sb.storeId,
    apiKey: sb.apiKey,
    baseBackoffMs: 30,
    maxBackoffMs: 100
  })
  const clock = createManualClock()
  const sync = createStatusSync({ store: h.store, client: t.client, realtime, clock })
  cleanups.push(() => sync.close())
  return {
    sb,
    gate,
    publishRaw: (topic, payload) => broker.publishRaw(topic, payload),
    sync,
    store: h.store,
    clock,
    idle: t.idle,
    realtimeConnected: () => realtime.state === 'connected'
  }
}

describe('realtime connected but silent about jobs', () => {
  it('the watchdog brings the state, then the sync polls until a job event of ours arrives', async () => {
    const { sb, gate, sync, store, clock, idle, realtimeConnected } = await setup()
    const entry = store.add(await sendToSandbox(sb, { knownJobIds: true, quantity: 2 }))
    sync.start()
    await waitFor(realtimeConnected, 5000, 'realtime')
    await advanceSettled(clock, 1000, 1000, idle) // the reconciliation after connecting
    const afterConnect = sync.requests
    expect(sync.snapshot().sync.mode).toBe('realtime')

    // The jobs move on; no event about them reaches us.
    for (let i = 0; i < 3; i++) sb.tick()
    const moved = [...sb.state.printJobs.values()].find((j) => j.partBuildId === entry.partBuildId)!
    expect(moved.status).not.toBe('pending')
    await advanceSettled(clock, WATCHDOG_INTERVAL_MS - 10_000, 5000, idle)
    expect(store.get(entry.id)!.copies.every((c) => c.status === 'pending')).toBe(true)
    expect(sync.requests).toBe(afterConnect) // nothing but the watchdog may ask
    await advanceSettled(clock, 10_000, 5000, idle) // the watchdog's pass
    expect(sync.requests).toBe(afterConnect + 1)
    await waitFor(
      () => store.get(entry.id)!.copies.some((c) => c.status === moved.status),
      2000,
      'the state the watchdog read'
    )
    // It found what realtime should have brought: polling as if realtime were down.
    const doubted = sync.snapshot().sync
    expect(doubted.mode).toBe('polling')
    expect(doubted.note).toMatch(/job events do not seem to arrive/)
    expect(sync.realtimeDoubt).toBeTruthy()

    // Polling keeps the history moving within the budget while the jobs print.
    for (let i = 0; i < 12; i++) sb.tick()
    await advanceSettled(clock, 90_000, 5000, idle)
    expect(store.get(entry.id)!.status).toBe('printed')
    expect(maxPerWindow(sync.requestTimes)).toBeLessThanOrEqual(6)

    // Job events flow again: one of ours is trusted evidence, and polling stops.
    gate.jobs = true
    store.add(
      await sendToSandbox(sb, {
        knownJobIds: true,
        routing: { mode: 'printer', printerId: 'sbxprinter00000000000007' }
      })
    )
    const other = store.list().find((e) => e.id !== entry.id)!
    sb.tick() // nothing happens to the job on the offline printer…
    sb.updatePrinter('sbxprinter00000000000007', {
      isOnline: true,
      isAvailable: true,
      confirmedReady: true
    })
    sb.tick() // …until its printer comes online: assigned, announced over realtime
    await waitFor(() => store.get(other.id)!.copies[0]?.status === 'assigned', 3000, 'the event')
    await waitFor(() => sync.realtimeDoubt === undefined, 2000, 'trust')
    expect(sync.snapshot().sync.mode).toBe('realtime')
    const trusted = sync.requests
    await advanceSettled(clock, WATCHDOG_INTERVAL_MS - 10_000, 10_000, idle)
    expect(sync.requests).toBe(trusted) // back to the watchdog's pace
  })

  it('unreadable messages on the job topic while jobs are open make the sync poll', async () => {
    const { sb, sync, store, clock, idle, realtimeConnected, publishRaw } = await setup()
    const entry = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    sync.start()
    await waitFor(realtimeConnected, 5000, 'realtime')
    await advanceSettled(clock, 1000, 1000, idle)
    const before = sync.requests
    // Job events in a shape this app does not read (another envelope than assumed).
    await publishRaw(
      `stores/${sb.storeId}/entities/jobs`,
      JSON.stringify({ type: 'job', op: 'changed', data: { id: 'x' } })
    )
    await waitFor(() => sync.realtimeDoubt !== undefined, 2000, 'doubt')
    expect(sync.realtimeDoubt).toMatch(/cannot read/)
    sb.tick()
    await advanceSettled(clock, 15_000, 5000, idle)
    expect(sync.requests).toBeGreaterThan(before) // polled, long before any watchdog
    expect(store.get(entry.id)!.copies[0]!.status).toBe('assigned')
    // Messages about other entity types are no sign of lost job events.
    const { mayBeJobEvent } = await import('./sync-realtime-health')
    expect(
      mayBeJobEvent({
        topic: `stores/${sb.storeId}/entities/materials`,
        reason: 'unknown entityType',
        rawType: 'material'
      })
    ).toBe(false)
  })
})
