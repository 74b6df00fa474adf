// An in-process send service on the shared data folder, as the app runs one, with the soak's
// hooks: it sees every journal entry before it is written (to inject a fault at that state), and
// it can "crash" — the journal refuses the write (maybe tearing it, as a power cut would) and the
// service's lifetime is aborted, like a killed process; requests already sent keep going.
import { appendFileSync } from 'node:fs'
import { join } from 'node:path'

import {
  encodeLine,
  JournalLockedError,
  LOG,
  openJournal,
  type Journal,
  type JournalEntry
} from '../../src/core/infra/journal'
import { JournalWriteError } from '../../src/core/send/context'
import { openDedupeCache } from '../../src/core/send/dedupe-cache'
import { createSendService, type SendResult, type SendService } from '../../src/core/send/service'
import {
  applySendEntry,
  emptySendState,
  sendStateFromSnapshot,
  sendStateToSnapshot,
  type SendJournalState
} from '../../src/core/send/state'
import type { SendRequest } from '../../src/shared/send'
import type { Dice } from './random'
import type { World } from './world'

/** In-process settle wait: Printago's real default (virtual time, so it costs nothing). */
export const SETTLE_MS = 60_000

export interface CrashPlan {
  /** The entry (and its index among this service's writes) at which the process dies. */
  at: (e: JournalEntry, k: number) => boolean
  /** 'before': that write never becomes durable (maybe torn); 'after': it does, then death. */
  when: 'before' | 'after'
  tear?: boolean
}

export interface ServiceOptions {
  crash?: CrashPlan
  /** Sees each entry before it is written (faults keyed to a journal state). */
  onEntry?: (e: JournalEntry) => void
  /** Wait for another holder of the folder to let go (else JournalLockedError). */
  waitForLock?: boolean
}

export interface ServiceActor {
  readonly service: SendService
  readonly journal: Journal<SendJournalState>
  readonly crashed: boolean
  crash(): void
  /** Waits for its jobs (a crashed one's end at once) and gives the folder back. */
  close(): Promise<void>
}

export async function openService(
  world: World,
  d: Dice,
  options: ServiceOptions = {}
): Promise<ServiceActor> {
  const stop = new AbortController()
  let writes = 0
  let crashed = false
  const crash = (): void => {
    if (stop.signal.aborted) return
    crashed = true
    world.count('in-process crashes')
    stop.abort(new Error('crash'))
  }
  const plan = options.crash
  // 'after' plans die at the next thing the process does once the entry is durable: its next
  // request has started (and goes on without it), or its next journal write.
  let armed = false
  const journal = await openJournal<SendJournalState>({
    dir: world.journalDir,
    empty: emptySendState,
    apply: applySendEntry,
    toSnapshot: (s) => sendStateToSnapshot(s, world.time.wall()),
    fromSnapshot: sendStateFromSnapshot,
    knows: (s, id) => s.jobs.has(id),
    // Small, so snapshots, their .bak and compaction run all the time.
    compactEvery: d.pick([6, 12, 30]),
    now: world.time.wall,
    lockWaitMs: options.waitForLock ? 120_000 : 0,
    beforeWrite: (entries) => {
      if (stop.signal.aborted) throw new Error('the process is dead')
      if (armed) {
        crash()
        throw new Error('crash')
      }
      for (const e of entries) options.onEntry?.(e)
      const hit = plan && !crashed ? entries.findIndex((e, i) => plan.at(e, writes + i)) : -1
      writes += entries.length
      if (hit < 0) return
      if (plan!.when === 'after') {
        armed = true
        return
      }
      if (plan!.tear) {
        // Power cut mid-append: a prefix of what was being written reaches the disk.
        const text = entries.map(encodeLine).join('')
        appendFileSync(join(world.journalDir, LOG), text.slice(0, d.int(1, text.length - 1)))
        world.count('torn journal writes')
      }
      crash()
      throw new Error('crash')
    }
  })
  for (const issue of journal.issues) world.count(`journal issue: ${issue.kind}`)
  if (world.realTimeDirty) {
    // A CLI process ran on real time: its last requests must be done before this service (on
    // virtual time) reads Printago's state. See quiet.ts.
    await world.quiet.settled()
    world.realTimeDirty = false
  }
  const service = await createSendService({
    client: world.client(d, () => {
      if (armed) queueMicrotask(crash)
    }),
    journal,
    dedupe: await openDedupeCache(world.storeDir, { now: world.time.wall }),
    signal: stop.signal,
    settleMs: SETTLE_MS,
    now: world.time.wall,
    monotonic: world.time.monotonic,
    sleep: world.time.sleep,
    concurrency: d.int(1, 3),
    upload: {
      baseDelayMs: 5,
      capDelayMs: 40,
      idleTimeoutMs: 2000,
      sleep: world.time.sleep,
      random: d.next
    }
  })
  return {
    service,
    journal,
    get crashed() {
      return crashed
    },
    crash,
    async close() {
      await service.close()
      await journal.close().catch(() => undefined)
    }
  }
}

/** Opens a service, or null when another holder has the folder (the caller retries). */
export async function tryOpenService(
  world: World,
  d: Dice,
  options: ServiceOptions = {}
): Promise<ServiceActor | null> {
  try {
    return await openService(world, d, options)
  } catch (error) {
    if (error instanceof JournalLockedError) return null
    throw error
  }
}

/** Every build id a result names goes to the ledger (a look-alike among them is "adopted"). */
export function claimResult(world: World, r: SendResult | undefined, where: string): void {
  for (const f of r?.files ?? []) world.ledger.claim(f.partBuildId, `${where}, job ${r!.jobId}`)
}

/**
 * Finishes every unfinished job of the folder with clean services (no faults), a few rounds at
 * most. Returns how many jobs are still unfinished.
 */
export async function sweep(world: World, d: Dice, rounds = 4): Promise<number> {
  world.sandbox.clearFaults()
  world.relay.clearLate()
  let left = 0
  for (let round = 0; round < rounds; round++) {
    const actor = await openService(world, d, { waitForLock: true })
    try {
      for (const r of await actor.service.resumePending()) claimResult(world, r, 'sweep')
      left = actor.service.pendingJobs().length
    } finally {
      await actor.close()
    }
    if (left === 0) break
  }
  return left
}

/**
 * The planned send's first attempt on `actor`. A send whose job could not even be journaled (the
 * process died, or the disk was full, at its first entry) rejects: nothing was sent, and the
 * finishing rounds send it again.
 */
export async function firstSend(
  world: World,
  actor: ServiceActor,
  request: SendRequest,
  jobId: string
): Promise<SendResult | undefined> {
  try {
    const r = await actor.service.send(request, undefined, { jobId })
    claimResult(world, r, `send ${jobId}`)
    return r
  } catch (error) {
    if (!(error instanceof JournalWriteError)) throw error
    world.count('sends refused by the journal')
    return undefined
  }
}
