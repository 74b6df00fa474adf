// A REST pass that fails partway: the batches before the failure are saved, and the copies that
// finished in them are handed back — so their desktop notification still comes.
import { afterEach, describe, expect, it } from 'vitest'

import type { HistoryEntry, JobCopy } from '../../shared/history'
import { sandbox } from '../../sandbox/testing/test-utils'
import { sendToSandbox, tempHistory } from '../../test-support/history-store'
import { createManualClock } from '../infra/clock'
import { createPrintagoClient, type PrintagoClient } from '../printago/client'
import { PrintagoError } from '../printago/errors'
import { createStatusSync } from './sync'
import { reconcileEntries, ReconcileError } from './sync-reconcile'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

/** Two entries whose jobs completed in Printago, and a client whose second list call fails. */
async function setup(): Promise<{
  client: PrintagoClient
  store: Awaited<ReturnType<typeof tempHistory>>['store']
  calls: () => number
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
    retry: { maxAttempts: 1 }
  })
  // Newest first in the store: the older entry is the second batch.
  h.store.add({
    ...(await sendToSandbox(sb, { knownJobIds: true })),
    sentAt: '2026-01-02T00:00:00Z'
  })
  h.store.add({
    ...(await sendToSandbox(sb, { knownJobIds: true })),
    sentAt: '2026-01-01T00:00:00Z'
  })
  for (let i = 0; i < 6; i++) sb.tick()
  let n = 0
  const client = {
    ...real,
    listPrintJobs: (query: Parameters<PrintagoClient['listPrintJobs']>[0], o?: object) => {
      if (++n === 2)
        return Promise.reject(
          new PrintagoError({ code: 'server', status: 503, message: 'Printago had a server error' })
        )
      return real.listPrintJobs(query, o)
    }
  } as PrintagoClient
  return { client, store: h.store, calls: () => n }
}

describe('a REST pass that fails partway', () => {
  it('hands back the copies that finished in the batches before the failure', async () => {
    const { client, store } = await setup()
    const error = await reconcileEntries({
      store,
      client,
      entries: store.list(),
      batchSize: 1
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ReconcileError)
    const partial = (error as ReconcileError).partial
    expect(partial.finished.map((f) => f.copy.status)).toEqual(['completed'])
    expect((error as ReconcileError).cause).toMatchObject({ code: 'server', status: 503 })
    // Saved too: the first entry is printed, the second still as it was.
    expect(store.list().map((e) => e.status)).toEqual(['printed', 'queued'])
  })

  it('the sync notifies those copies although the pass failed', async () => {
    const { client, store, calls } = await setup()
    const clock = createManualClock()
    const sync = createStatusSync({ store, client, clock, batchSize: 1 })
    cleanups.push(() => sync.close())
    const finished: Array<{ entry: HistoryEntry; copy: JobCopy }> = []
    sync.onJobFinished((entry, copy) => finished.push({ entry, copy }))
    await clock.runUntil(sync.refresh())
    expect(calls()).toBe(2)
    expect(finished.map((f) => [f.entry.id, f.copy.status])).toEqual([
      [store.list()[0]!.id, 'completed']
    ])
    expect(sync.snapshot().sync.error).toMatch(/server error \(503\)/)
  })
})
