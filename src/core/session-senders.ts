// One send service per journal folder per process. The journal's lock file keeps other processes
// out but lets this process in twice, and two services on one journal would each run the same
// unfinished job: two uploads, two builds. So every session leases its service here, keyed by
// the folder's real path: a second lease of an open service shares it, a lease of a service that
// is closing waits until it is closed, and a service opened for another Printago store in the
// same folder is refused.
import { mkdirSync, realpathSync } from 'node:fs'

import type { SendProgress } from '../shared/send'
import type { Clock } from './infra/clock'
import { clockSleep, monotonicOf, realClock } from './infra/clock'
import type { PrintagoClient } from './printago/client'
import { openDedupeCache } from './send/dedupe-cache'
import { createSendService, type SendService } from './send/service'
import type { JobRecord } from './send/state'

export interface SenderLease {
  readonly service: SendService
  /**
   * Gives the service back. The last lease closes it: waits for its running jobs, or with
   * `interrupt` stops them first like a quit (nothing final is written; the next open resumes them).
   */
  release(options?: { interrupt?: boolean }): Promise<void>
}

export interface LeaseOptions {
  /** The store's data folder; the journal is its `journal/` subfolder. */
  storeDir: string
  client: PrintagoClient
  clock?: Clock
  onProgress?: (progress: SendProgress) => void
  /** How long a build request may still be acted on after it left (default: the service's). */
  settleMs?: number
  /** Writes a job's queued files to the history (see SendServiceOptions.recordHistory). */
  recordHistory?: (job: JobRecord, indices: number[]) => void
}

interface Entry {
  identity: string
  refs: number
  listeners: Set<(progress: SendProgress) => void>
  /** The history writers of the sessions holding a lease; the latest one records. */
  recorders: Array<(job: JobRecord, indices: number[]) => void>
  lifetime: AbortController
  ready: Promise<SendService>
  closed: Promise<void> | null
}

const entries = new Map<string, Entry>()
const counts = new Map<string, { opened: number; open: number; maxOpen: number }>()

/** Thrown when the folder's journal is held by a session of another store in this process. */
export class SendServiceBusyError extends Error {
  constructor(readonly journalDir: string) {
    super(`The send journal in ${journalDir} is in use by another store's session`)
    this.name = 'SendServiceBusyError'
  }
}

function journalKey(storeDir: string): string {
  const dir = `${storeDir}/journal`
  mkdirSync(dir, { recursive: true })
  return realpathSync(dir)
}

function count(key: string): { opened: number; open: number; maxOpen: number } {
  let c = counts.get(key)
  if (!c) counts.set(key, (c = { opened: 0, open: 0, maxOpen: 0 }))
  return c
}

function open(key: string, opts: LeaseOptions, identity: string): Entry {
  const clock = opts.clock ?? realClock
  const listeners = new Set<(progress: SendProgress) => void>()
  const recorders: Entry['recorders'] = []
  const lifetime = new AbortController()
  const c = count(key)
  c.opened++
  c.open++
  c.maxOpen = Math.max(c.maxOpen, c.open)
  const ready = openDedupeCache(opts.storeDir, { now: () => clock.now() }).then((dedupe) =>
    createSendService({
      client: opts.client,
      journalDir: key,
      dedupe,
      signal: lifetime.signal,
      ...(opts.settleMs !== undefined ? { settleMs: opts.settleMs } : {}),
      now: () => clock.now(),
      // A test's manual clock is monotonic by construction; real time uses the system's.
      ...(clock === realClock ? {} : { monotonic: monotonicOf(() => clock.now()) }),
      sleep: clockSleep(clock),
      onProgress: (p) => {
        for (const l of listeners) l(p)
      },
      recordHistory: (job, indices) => {
        const recorder = recorders.at(-1)
        if (!recorder) throw new Error('no history is open for this store')
        recorder(job, indices)
      }
    })
  )
  const entry: Entry = { identity, refs: 0, listeners, recorders, lifetime, ready, closed: null }
  entries.set(key, entry)
  ready.catch(() => {
    // A service that failed to open (journal locked by another process…) holds nothing.
    if (entries.get(key) === entry) entries.delete(key)
    c.open--
  })
  return entry
}

/** Leases the send service of `storeDir`, opening it if no session of this process has it open. */
export async function leaseSendService(opts: LeaseOptions): Promise<SenderLease> {
  const key = journalKey(opts.storeDir)
  const identity = `${opts.client.baseUrl}|${opts.client.storeId}`
  for (;;) {
    const current = entries.get(key)
    if (current?.closed) {
      await current.closed
      continue
    }
    if (current && current.identity !== identity) throw new SendServiceBusyError(key)
    const entry = current ?? open(key, opts, identity)
    entry.refs++
    const listener = opts.onProgress
    if (listener) entry.listeners.add(listener)
    const recorder = opts.recordHistory
    if (recorder) entry.recorders.push(recorder)
    const dropRecorder = (): void => {
      const at = recorder ? entry.recorders.lastIndexOf(recorder) : -1
      if (at >= 0) entry.recorders.splice(at, 1)
    }
    let service: SendService
    try {
      service = await entry.ready
    } catch (error) {
      entry.refs--
      if (listener) entry.listeners.delete(listener)
      dropRecorder()
      throw error
    }
    let released = false
    return {
      service,
      async release(options = {}) {
        if (released) return
        released = true
        if (listener) entry.listeners.delete(listener)
        if (--entry.refs > 0) {
          dropRecorder()
          return
        }
        if (options.interrupt) entry.lifetime.abort(new Error('the store was closed'))
        entry.closed = service.close().finally(() => {
          if (entries.get(key) === entry) entries.delete(key)
          count(key).open--
        })
        await entry.closed
      }
    }
  }
}

/**
 * How many send services this process opened for `storeDir`'s journal, how many are open now and
 * the most that were ever open at once (never more than one).
 */
export function sendServiceCounts(storeDir: string): {
  opened: number
  open: number
  maxOpen: number
} {
  return { ...count(journalKey(storeDir)) }
}
