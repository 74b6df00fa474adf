// The send pipeline's test bench: an in-process sandbox (real HTTP), a client and services wired
// to one test clock, a temp folder for files and the journal, and one teardown for all of it.
//
// The clock makes waits free without faking I/O: `now()` is real time plus every wait skipped so
// far, and `sleep(ms)` returns at once having moved `now()` past its deadline. Back-offs,
// Retry-After and settle delays keep their order and their lengths on that clock — a test can
// still prove "no request before Retry-After" — but take no real time. Timeouts of requests in
// flight (the client's, the upload's) stay real: they measure the server, not us.
import { join } from 'node:path'
import type { Sleep } from '../core/infra/async'
import { monotonicOf } from '../core/infra/clock'
import { openJournal, type Journal, type JournalEntry } from '../core/infra/journal'
import {
  createPrintagoClient,
  type PrintagoClient,
  type PrintagoClientOptions
} from '../core/printago/client'
import { createRateLimiter } from '../core/printago/rate-limiter'
import { createMemoryDedupeCache } from '../core/send/dedupe-cache'
import { createSendService, type SendService, type SendServiceOptions } from '../core/send/service'
import {
  applySendEntry,
  emptySendState,
  sendStateFromSnapshot,
  sendStateToSnapshot,
  type SendJournalState
} from '../core/send/state'
import { startTestSandbox, type TestSandbox } from '../sandbox/testing'
import type { SandboxOptions } from '../sandbox/types'
import type { SendProgress, SendRequest } from '../shared/send'
import { writeStl } from './stl'
import { tempDir } from './temp'

/** A clock whose sleeps skip ahead instead of waiting. */
export interface TestClock {
  now(): number
  sleep: Sleep
  /** Every sleep asked for, in ms, in order. */
  readonly sleeps: readonly number[]
}

/** Real time plus the waits skipped so far; concurrent sleepers wake in deadline order. */
export function createTestClock(): TestClock {
  let skipped = 0
  const sleeps: number[] = []
  const sleepers: Array<{ at: number; wake: () => void }> = []
  let scheduled = false
  const now = (): number => Date.now() + skipped
  const advance = (): void => {
    scheduled = false
    sleepers.sort((a, b) => a.at - b.at)
    const first = sleepers[0]
    if (!first) return
    skipped += Math.max(0, first.at - now())
    const t = now()
    while (sleepers[0] && sleepers[0].at <= t) sleepers.shift()!.wake()
    if (sleepers.length > 0) schedule()
  }
  // Sleeps asked for in the same turn of the event loop are woken together, in deadline order.
  const schedule = (): void => {
    if (scheduled) return
    scheduled = true
    setImmediate(advance)
  }
  const sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      sleeps.push(ms)
      if (signal?.aborted) {
        reject(signal.reason)
        return
      }
      const sleeper = {
        at: now() + Math.max(0, ms),
        wake: () => {
          signal?.removeEventListener('abort', onAbort)
          resolve()
        }
      }
      const onAbort = (): void => {
        sleepers.splice(sleepers.indexOf(sleeper), 1)
        reject(signal?.reason)
      }
      signal?.addEventListener('abort', onAbort, { once: true })
      sleepers.push(sleeper)
      schedule()
    })
  return { now, sleep, sleeps }
}

/** Waiting for a state is the one helper of ./wait (the send tests import it from here). */
export { waitFor } from './wait'

/** A REST request as the client sent it, stamped with the test clock. */
export interface ClientRequest {
  method: string
  path: string
  at: number
}

export interface SendHarness {
  sandbox: TestSandbox
  clock: TestClock
  dir: string
  journalDir: string
  client: PrintagoClient
  /** Every REST request the client sent, with the clock's time when it left. */
  requests: ClientRequest[]
  /** Number of sandbox log entries at a mark; `since(mark)` lists what came after. */
  mark(): number
  since(
    mark: number
  ): Array<{ method: string; path: string; status: number; at: number; fault?: string }>
  /** A binary STL in the temp folder (contents vary with the name unless `seed` is given). */
  stl(name: string, triangles?: number, seed?: number): Promise<string>
  /** A service on the harness's journal folder, dedupe cache, clock and progress log. */
  service(extra?: Partial<SendServiceOptions>): Promise<SendService>
  /** The send journal, opened with a test hook run before each write (throw = crash there). */
  journal(beforeWrite: (entries: JournalEntry[]) => void): Promise<Journal<SendJournalState>>
  /** Every progress event of every service, in order. */
  progress: SendProgress[]
  close(): Promise<void>
}

/** A sandbox (no rate limit, paused scheduler), a client with fast retries, a temp dir. */
export async function sendHarness(
  sandboxOptions: SandboxOptions = {},
  clientOptions: Partial<PrintagoClientOptions> = {}
): Promise<SendHarness> {
  const clock = createTestClock()
  const sandbox = await startTestSandbox({
    ratePerMinute: 0,
    ratePerHour: 0,
    speed: 0,
    ...sandboxOptions
  })
  const { dir, cleanup } = await tempDir()
  const requests: ClientRequest[] = []
  const send = clientOptions.fetch ?? globalThis.fetch
  const client = createPrintagoClient({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    storeId: sandbox.storeId,
    limiter: createRateLimiter({
      perMinute: 10_000,
      perHour: 100_000,
      now: clock.now,
      sleep: clock.sleep
    }),
    timeoutMs: 2000,
    retry: { baseMs: 5, capMs: 40, retryAfterJitterMs: 20 },
    sleep: clock.sleep,
    now: clock.now,
    ...clientOptions,
    fetch: (input, init) => {
      const url = new URL(String(input))
      requests.push({ method: init?.method ?? 'GET', path: url.pathname, at: clock.now() })
      return send(input, init)
    }
  })
  const dedupe = createMemoryDedupeCache(clock.now)
  const progress: SendProgress[] = []
  const services: SendService[] = []
  const journals: Array<Journal<SendJournalState>> = []
  const journalDir = join(dir, 'journal')
  return {
    sandbox,
    clock,
    dir,
    journalDir,
    client,
    requests,
    mark: () => sandbox.log.length,
    since: (m) => sandbox.log.slice(m),
    stl: (name, triangles = 4, seed = name.length * 7919 + name.charCodeAt(0)) =>
      writeStl(dir, name, triangles, seed),
    async service(extra = {}) {
      const s = await createSendService({
        client,
        journalDir,
        dedupe,
        onProgress: (p) => progress.push(p),
        upload: {
          baseDelayMs: 5,
          capDelayMs: 40,
          idleTimeoutMs: 2000,
          sleep: clock.sleep
        },
        settleMs: 0,
        now: clock.now,
        monotonic: monotonicOf(clock.now),
        sleep: clock.sleep,
        ...extra
      })
      services.push(s)
      return s
    },
    async journal(beforeWrite) {
      const journal = await openJournal<SendJournalState>({
        dir: journalDir,
        empty: emptySendState,
        apply: applySendEntry,
        toSnapshot: (s) => sendStateToSnapshot(s, clock.now()),
        fromSnapshot: sendStateFromSnapshot,
        now: clock.now,
        beforeWrite
      })
      journals.push(journal)
      return journal
    },
    progress,
    async close() {
      for (const s of services) await s.close().catch(() => undefined)
      for (const j of journals) await j.close().catch(() => undefined)
      await sandbox.close()
      await cleanup()
    }
  }
}

/** A one-file request routed to any printer. */
export function one(path: string, extra: Partial<SendRequest['items'][number]> = {}): SendRequest {
  return { items: [{ path, quantity: 1, ...extra }], routing: { mode: 'any' } }
}

/** Sandbox log entries as "METHOD /path", every signed-URL storage path shown as /_storage. */
export function calls(entries: Array<{ method: string; path: string }>): string[] {
  return entries.map((e) => `${e.method} ${e.path.startsWith('/_storage/') ? '/_storage' : e.path}`)
}
