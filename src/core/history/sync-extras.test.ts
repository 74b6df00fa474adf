// The sync's extras against the real sandbox, over REST on a manual clock: where my queued copies
// stand in Printago's queue (and how a Move to front shows), and the parts' slicing estimates and
// thumbnails — asked for with the estimate endpoint when Printago has none — inside the budget.
import { afterEach, describe, expect, it } from 'vitest'

import type { TestSandbox } from '../../sandbox/testing'
import { makePart, PRINTER, sandbox } from '../../sandbox/testing/test-utils'
import {
  advanceSettled,
  sendToSandbox,
  tempHistory,
  trackedClient
} from '../../test-support/history-store'
import { boxStl } from '../../test-support/stl'
import { waitFor } from '../../test-support/wait'
import { createManualClock } from '../infra/clock'
import { createPrintagoClient, type PrintagoClient } from '../printago/client'
import { queueOperation } from './queue-actions'
import { createStatusSync, type StatusSync } from './sync'
import { PART_CHECKS_MS } from './sync-parts'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(): Promise<{
  sb: TestSandbox
  client: PrintagoClient
  store: Awaited<ReturnType<typeof tempHistory>>['store']
  clock: ReturnType<typeof createManualClock>
  idle: () => Promise<void>
  start: (extras: { queue?: boolean; parts?: boolean }) => StatusSync
}> {
  const sb = await sandbox()
  cleanups.push(() => sb.close())
  const h = await tempHistory(sb.storeId)
  cleanups.push(h.cleanup)
  const real = createPrintagoClient({
    baseUrl: sb.url,
    apiKey: sb.apiKey,
    storeId: sb.storeId,
    limiter: null,
    retry: { baseMs: 1, capMs: 5 }
  })
  const t = trackedClient(real)
  // The part calls go through the tracked read calls' bookkeeping too.
  const client = {
    ...t.client,
    listParts: real.listParts,
    requestPartEstimate: real.requestPartEstimate,
    signedDownloadUrls: real.signedDownloadUrls,
    download: real.download
  } as PrintagoClient
  const clock = createManualClock()
  const idle = async (): Promise<void> => {
    await t.idle()
    // Downloads and part calls are not tracked: let their sockets settle too.
    for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r))
  }
  return {
    sb,
    client,
    store: h.store,
    clock,
    idle,
    start: (extras) => {
      const sync = createStatusSync({ store: h.store, client, clock, extras })
      cleanups.push(() => sync.close())
      sync.start()
      return sync
    }
  }
}

const reads = (sb: TestSandbox, method: string, path: RegExp): number =>
  sb.log.filter((r) => r.method === method && path.test(r.path)).length

describe('queue places', () => {
  it('shows "#k of n" for my queued copies and follows a Move to front', async () => {
    const { sb, client, store, clock, idle, start } = await setup()
    // Everyone's jobs wait for the X1 Carbon (busy with a print started outside Printago).
    const toX1 = { mode: 'printer', printerId: PRINTER.x1c } as const
    await sendToSandbox(sb, { routing: toX1, quantity: 2 }) // another client's, not in my history
    const mine = store.add(await sendToSandbox(sb, { routing: toX1, knownJobIds: true }))
    const sync = start({ queue: true })
    await advanceSettled(clock, 2000, 1000, idle)
    expect(sync.snapshot().entries[0]!.copies[0]!.queue).toEqual({ position: 3, total: 3 })
    // Not written to the history file.
    expect(store.get(mine.id)!.copies[0]!.queue).toBeUndefined()
    const before = reads(sb, 'GET', /^\/v1\/print-jobs$/)
    const r = await queueOperation(
      { store, client, queueChanged: () => sync.queueChanged() },
      'move-to-front',
      {
        entryId: mine.id
      }
    )
    expect(r.affected).toEqual([mine.copies[0]!.printJobId])
    await advanceSettled(clock, 5000, 1000, idle)
    expect(reads(sb, 'GET', /^\/v1\/print-jobs$/)).toBe(before + 1)
    expect(sync.snapshot().entries[0]!.copies[0]!.queue).toEqual({ position: 1, total: 3 })
  })
})

describe('estimates and thumbnails', () => {
  it('reads the estimate and the thumbnail after the part was analysed', async () => {
    const { sb, store, clock, idle, start } = await setup()
    const part = await makePart(sb, 'cube', boxStl(20, 20, 10))
    sb.tick() // Printago analyses the part
    const entry = store.add(await sendToSandbox(sb, { partId: part.id }))
    start({ parts: true })
    await advanceSettled(clock, PART_CHECKS_MS[0]! + 1000, 1000, idle)
    const got = store.get(entry.id)!
    expect(got.estimate).toMatchObject({ materials: [{ type: 'PLA' }] })
    expect(got.estimate!.seconds).toBeGreaterThan(0)
    expect(got.estimate!.grams).toBeGreaterThan(0)
    // Downloaded from the signed URL (storage, outside the API's budget).
    await waitFor(() => store.get(entry.id)!.remoteThumbnail !== undefined, 5000, 'the thumbnail')
    expect(store.get(entry.id)!.remoteThumbnail).toMatch(/^data:image\/png;base64,/)
    expect(reads(sb, 'POST', /\/estimate$/)).toBe(0) // it had one: nothing to ask for
    expect(reads(sb, 'POST', /^\/v1\/storage\/signed-urls$/)).toBe(1)
  })

  it('asks Printago for an estimate once when it has none, and gives up after the last read', async () => {
    const { sb, store, clock, idle, start } = await setup()
    // A file the engines cannot read: Printago never gets an estimate for it.
    const entry = store.add(await sendToSandbox(sb))
    start({ parts: true })
    await advanceSettled(clock, PART_CHECKS_MS.at(-1)! + 60_000, 5000, idle)
    expect(reads(sb, 'GET', /^\/v1\/parts$/)).toBe(PART_CHECKS_MS.length)
    expect(reads(sb, 'POST', /^\/v1\/parts\/[a-z0-9]+\/estimate$/)).toBe(1)
    expect(store.get(entry.id)!.estimate).toBeUndefined()
  })

  it('asks for the estimate of a part Printago has not analysed, and shows it once made', async () => {
    const { sb, store, clock, idle, start } = await setup()
    const part = await makePart(sb, 'late', boxStl(10, 10, 10))
    // Printago is slow: no analysis happens until the estimate is asked for (then on a tick).
    const entry = store.add(await sendToSandbox(sb, { partId: part.id }))
    start({ parts: true })
    // The second read (30 s, later if the jobs' polls left the budget too full) asks for one.
    await advanceSettled(clock, PART_CHECKS_MS[2]! - 5000, 1000, idle)
    expect(reads(sb, 'GET', /^\/v1\/parts$/)).toBe(2)
    expect(reads(sb, 'POST', /\/estimate$/)).toBe(1)
    sb.tick()
    await advanceSettled(clock, PART_CHECKS_MS[3]!, 5000, idle)
    await waitFor(() => store.get(entry.id)!.estimate !== undefined, 5000, 'the estimate')
    expect(store.get(entry.id)!.estimate!.seconds).toBeGreaterThan(0)
  })
})
