// Test helpers for the history services (Node side): stepping a manual clock while real I/O
// settles, a conf-backed history store, and sends against a real in-process sandbox (no upload
// pipeline: just part + build over REST). The plain entry builders, which the renderer's tests
// share, are in history-entries.ts and re-exported here, so history tests import from one place.
import type { HistoryEntry } from '../shared/history'
import type { Routing } from '../shared/send'
import { routingTags } from '../shared/send'
import type { TestSandbox } from '../sandbox/testing'
import { build, makePart, sandbox } from '../sandbox/testing/test-utils'
import type { RunningSandbox, SandboxOptions } from '../sandbox/types'
import {
  createHistoryEntry,
  nodeConfFactory,
  openHistoryStore,
  type ConfFactory,
  type HistoryStore
} from '../core/history/store'
import {
  createPrintagoClient,
  type PrintagoClient,
  type RetryPolicy
} from '../core/printago/client'
import type { ManualClock } from '../core/infra/clock'
import { tempDir } from './temp'
import { waitFor } from './wait'

export { historyCopy, historyEntry } from './history-entries'

/** Conf in Node, as electron-store is in the app (the one factory the CLI uses too). */
export const testConfFactory: ConfFactory = nodeConfFactory

/** A history store in a fresh temp dir. */
export async function tempHistory(
  storeId: string
): Promise<{ store: HistoryStore; dir: string; cleanup: () => Promise<void> }> {
  const { dir, cleanup } = await tempDir('history-')
  const store = openHistoryStore({ dir, storeId, createConf: testConfFactory, writeDelayMs: 0 })
  return {
    store,
    dir,
    cleanup: async () => {
      store.close()
      await cleanup()
    }
  }
}

/**
 * What most history tests start from: a real sandbox, a temporary history of its store and a
 * client without a limiter (fast retries unless told otherwise). `cleanups` gets what closes them.
 */
export async function historyBed(
  cleanups: Array<() => Promise<void> | void>,
  opts: { sandbox?: SandboxOptions; retry?: Partial<RetryPolicy> } = {}
): Promise<{ sb: TestSandbox; store: HistoryStore; dir: string; client: PrintagoClient }> {
  const sb = await sandbox(opts.sandbox)
  cleanups.push(() => sb.close())
  const h = await tempHistory(sb.storeId)
  cleanups.push(h.cleanup)
  const client = createPrintagoClient({
    baseUrl: sb.url,
    apiKey: sb.apiKey,
    storeId: sb.storeId,
    limiter: null,
    retry: opts.retry ?? { baseMs: 1, capMs: 5 }
  })
  return { sb, store: h.store, dir: h.dir, client }
}

/**
 * Moves a manual clock forward `ms` in `step` increments; after each step `settle` (e.g. waiting
 * for the real HTTP requests the fired timers started) runs, and timers that work set and that
 * are already due fire before the next step.
 */
export async function advanceSettled(
  clock: ManualClock,
  ms: number,
  step = 1000,
  settle?: () => Promise<void>
): Promise<void> {
  const end = clock.now() + ms
  while (clock.now() < end) {
    await clock.advance(Math.min(step, end - clock.now()))
    if (!settle) continue
    await settle()
    await clock.advance(0)
    await settle()
  }
}

/** Wraps a client's read calls to know when none is in flight (for manual-clock tests). */
export function trackedClient<
  C extends Pick<PrintagoClient, 'listPrintJobs' | 'getPrintJob' | 'listPrinters'>
>(client: C): { client: C; idle: () => Promise<void> } {
  let inflight = 0
  const wrap =
    <A extends unknown[], R>(fn: (...a: A) => Promise<R>) =>
    async (...a: A): Promise<R> => {
      inflight++
      try {
        return await fn(...a)
      } finally {
        inflight--
      }
    }
  const wrapped = {
    ...client,
    listPrintJobs: wrap(client.listPrintJobs.bind(client)),
    getPrintJob: wrap(client.getPrintJob.bind(client)),
    listPrinters: wrap(client.listPrinters.bind(client))
  } as C
  return {
    client: wrapped,
    idle: async () => {
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r))
      await waitFor(() => inflight === 0, 5000, 'requests to finish')
      for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r))
    }
  }
}

let fileSeq = 0

/** Sends one "file" to the sandbox (part + build over REST) and returns its history entry (not added). */
export async function sendToSandbox(
  sb: RunningSandbox,
  opts: {
    name?: string
    quantity?: number
    routing?: Routing
    label?: string
    partId?: string
    knownJobIds?: boolean
  } = {}
): Promise<HistoryEntry> {
  const name = opts.name ?? `part-${++fileSeq}`
  const routing = opts.routing ?? { mode: 'any' }
  const quantity = opts.quantity ?? 1
  const partId = opts.partId ?? (await makePart(sb, name, `solid ${name}\nendsolid`)).id
  const pb = await build(sb, partId, {
    quantity,
    label: opts.label ?? name,
    tags: routingTags(routing)
  })
  const jobIds = [...sb.state.printJobs.values()]
    .filter((j) => j.partBuildId === pb.id)
    .map((j) => j.id)
  return createHistoryEntry({
    storeId: sb.storeId,
    file: `/models/${name}.stl`,
    sha256: 'a'.repeat(64),
    size: 1234,
    partId,
    partBuildId: pb.id,
    // Like the send pipeline against the sandbox: the build response carries no jobs.
    printJobIds: opts.knownJobIds ? jobIds : [],
    routing,
    label: opts.label ?? name,
    quantity
  })
}
