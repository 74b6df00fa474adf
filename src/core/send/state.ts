// The send journal's state: every send job with the durable facts its steps produced. The
// pipeline writes an entry before moving on, and this reducer rebuilds the same state after a
// crash, so a resumed job continues from its last durable step.
import type { SendRequest } from '../../shared/send'
import type { ProjectFacts } from '../../shared/send-project'
import type { JournalEntry } from '../infra/journal'
import { peekJournal } from '../infra/journal-peek'

/** Durable facts about one file of a job. */
export interface ItemRecord {
  sha256?: string
  size?: number
  /** A 3MF's plates and, sliced, where it may print (from the check; absent for an STL). */
  project?: ProjectFacts
  /** Signed upload target (may have expired by the time it is used). */
  target?: { uploadUrl: string; path: string }
  /** Storage path whose PUT succeeded. */
  uploadedPath?: string
  /** A POST /v1/parts may have been sent without its answer being recorded. */
  partIntent?: boolean
  partId?: string
  reusedPart?: boolean
  /** The cached part turned out to be gone: don't reuse the cache for this item again. */
  noReuse?: boolean
  partBuildId?: string
  printJobIds?: string[]
  error?: { code: string; message: string }
  /** The part is given (Print again): never uploaded, never replaced by another part. */
  fixedPart?: boolean
  /** History entry this file prints again. */
  reprintOf?: string
  /** Its build is in the history (written after the history file was). */
  recorded?: boolean
}

/** A file whose part is known before the job starts (Print again). */
export interface FixedPart {
  index: number
  partId: string
  sha256: string
  reprintOf?: string
  project?: ProjectFacts
}

/** A build call that may have been sent: reconcile before repeating it. */
export interface BuildIntent {
  intentId: string
  /** Client clock when the intent was recorded (before the request left). */
  at: number
  /** Item indices the request covered. */
  indices: number[]
  /** The request carried each file's marker in its label (marker.ts): matched by marker only. */
  marked?: boolean
  /** Monotonic clock (ms) and boot when the request left: the settle wait survives clock steps. */
  mono?: number
  boot?: string | null
}

export type JobStatus = 'active' | 'done' | 'failed' | 'cancelled'

export interface JobRecord {
  jobId: string
  createdAt: number
  request: SendRequest
  status: JobStatus
  endedAt?: number
  error?: { code: string; message: string }
  items: ItemRecord[]
  buildIntent?: BuildIntent
  /** Its builds must reach the history; false for jobs of older versions (recorded at once). */
  tracksHistory?: boolean
}

export interface SendJournalState {
  jobs: Map<string, JobRecord>
  /** Entries of jobs whose start record was lost (damaged): job id → count. Not persisted. */
  orphans?: Map<string, number>
}

/** Journal entry payloads written by the pipeline (plus `seq`/`at` added by the journal). */
export type SendEntry =
  | {
      type: 'job'
      jobId: string
      request: SendRequest
      createdAt: number
      fixed?: FixedPart[]
      /** Its builds must reach the history (`recorded` entries say when they did). */
      history?: boolean
    }
  | {
      type: 'hashed'
      jobId: string
      index: number
      sha256: string
      size: number
      project?: ProjectFacts
    }
  | {
      type: 'urls'
      jobId: string
      targets: Array<{ index: number; uploadUrl: string; path: string }>
    }
  | { type: 'uploaded'; jobId: string; index: number; path: string }
  | { type: 'part-intent'; jobId: string; index: number }
  | { type: 'part'; jobId: string; index: number; partId: string; reused: boolean }
  | { type: 'part-stale'; jobId: string; index: number }
  | {
      type: 'build-intent'
      jobId: string
      intentId: string
      indices: number[]
      marked?: boolean
      mono?: number
      boot?: string | null
    }
  | {
      type: 'build'
      jobId: string
      builds: Array<{ index: number; partBuildId: string; printJobIds: string[] }>
    }
  | { type: 'build-clear'; jobId: string; intentId: string }
  | { type: 'item-failed'; jobId: string; index: number; error: { code: string; message: string } }
  | { type: 'recorded'; jobId: string; indices: number[] }
  | {
      type: 'end'
      jobId: string
      status: Exclude<JobStatus, 'active'>
      error?: { code: string; message: string }
    }

/** A fresh, empty state. */
export function emptySendState(): SendJournalState {
  return { jobs: new Map() }
}

/** Fold one journal entry into the state. Unknown entry types are ignored (newer writers). */
export function applySendEntry(state: SendJournalState, raw: JournalEntry): void {
  const entry = raw as unknown as SendEntry & { at: number }
  if (entry.type === 'job') {
    // Written twice (one damaged copy must not lose the job): the second copy changes nothing.
    if (state.jobs.has(entry.jobId)) return
    const items: ItemRecord[] = entry.request.items.map(() => ({}))
    for (const f of entry.fixed ?? []) {
      const it = items[f.index]
      if (!it) continue
      Object.assign(it, { partId: f.partId, sha256: f.sha256, reusedPart: true, fixedPart: true })
      if (f.project) it.project = f.project
      if (f.reprintOf) it.reprintOf = f.reprintOf
    }
    state.jobs.set(entry.jobId, {
      jobId: entry.jobId,
      createdAt: entry.createdAt,
      request: entry.request,
      status: 'active',
      items,
      ...(entry.history ? { tracksHistory: true } : {})
    })
    return
  }
  const job = state.jobs.get(entry.jobId)
  if (!job) {
    if (typeof entry.jobId === 'string') {
      state.orphans ??= new Map()
      state.orphans.set(entry.jobId, (state.orphans.get(entry.jobId) ?? 0) + 1)
    }
    return
  }
  const item = (i: number): ItemRecord => {
    const it = job.items[i]
    if (!it) throw new Error(`journal entry for missing item ${i} of job ${job.jobId}`)
    return it
  }
  switch (entry.type) {
    case 'hashed':
      Object.assign(item(entry.index), {
        sha256: entry.sha256,
        size: entry.size,
        ...(entry.project ? { project: entry.project } : {})
      })
      break
    case 'urls':
      for (const t of entry.targets) {
        const it = item(t.index)
        it.target = { uploadUrl: t.uploadUrl, path: t.path }
        delete it.uploadedPath
      }
      break
    case 'uploaded':
      item(entry.index).uploadedPath = entry.path
      break
    case 'part-intent':
      item(entry.index).partIntent = true
      break
    case 'part': {
      const it = item(entry.index)
      it.partId = entry.partId
      it.reusedPart = entry.reused
      delete it.partIntent
      break
    }
    case 'part-stale': {
      const it = item(entry.index)
      delete it.partId
      delete it.target
      delete it.uploadedPath
      it.reusedPart = false
      it.noReuse = true
      break
    }
    case 'build-intent':
      job.buildIntent = {
        intentId: entry.intentId,
        at: entry.at,
        indices: [...entry.indices],
        ...(entry.marked ? { marked: true } : {}),
        ...(entry.mono !== undefined ? { mono: entry.mono, boot: entry.boot ?? null } : {})
      }
      break
    case 'build':
      for (const b of entry.builds) {
        Object.assign(item(b.index), {
          partBuildId: b.partBuildId,
          printJobIds: [...b.printJobIds]
        })
      }
      delete job.buildIntent
      break
    case 'build-clear':
      if (job.buildIntent?.intentId === entry.intentId) delete job.buildIntent
      break
    case 'item-failed':
      item(entry.index).error = entry.error
      break
    case 'recorded':
      for (const i of entry.indices) item(i).recorded = true
      break
    case 'end':
      job.status = entry.status
      job.endedAt = entry.at
      if (entry.error) job.error = entry.error
      break
  }
}

export interface RetentionPolicy {
  /** Finished jobs older than this are dropped at compaction. Default 7 days. */
  maxAgeMs: number
  /** At most this many finished jobs are kept. Default 2000. */
  maxFinished: number
}

/** Serialise for a snapshot, dropping old finished jobs (active jobs are always kept). */
export function sendStateToSnapshot(
  state: SendJournalState,
  now: number,
  retention: RetentionPolicy = { maxAgeMs: 7 * 86_400_000, maxFinished: 2000 }
): unknown {
  const active: JobRecord[] = []
  const finished: JobRecord[] = []
  // A job is kept whole while it is unfinished or has a build the history does not have yet.
  for (const job of state.jobs.values())
    (job.status === 'active' || unrecorded(job).length > 0 ? active : finished).push(job)
  // Finished jobs stay for a while: their part-build ids must remain "claimed" so a later
  // reconciliation never mistakes one of them for a build of another job.
  const kept = finished
    .filter((j) => now - (j.endedAt ?? j.createdAt) <= retention.maxAgeMs)
    .sort((a, b) => (b.endedAt ?? 0) - (a.endedAt ?? 0))
    .slice(0, retention.maxFinished)
  return { version: 1, jobs: [...active, ...kept] }
}

/** Indices of the job's built files whose history entry was not written yet. */
export function unrecorded(job: JobRecord): number[] {
  if (!job.tracksHistory) return []
  return job.items.flatMap((it, i) => (it.partBuildId && !it.recorded ? [i] : []))
}

/** Inverse of sendStateToSnapshot. */
export function sendStateFromSnapshot(data: unknown): SendJournalState {
  const state = emptySendState()
  const jobs = (data as { jobs?: unknown }).jobs
  if (!Array.isArray(jobs)) throw new Error('snapshot has no job list')
  for (const job of jobs as JobRecord[]) {
    if (typeof job?.jobId === 'string' && Array.isArray(job.items)) state.jobs.set(job.jobId, job)
  }
  return state
}

/** The unfinished jobs of a store's journal, read without taking its lock (for display). */
export async function peekUnfinished(journalDir: string): Promise<JobRecord[]> {
  const state = await peekJournal<SendJournalState>({
    dir: journalDir,
    empty: emptySendState,
    apply: applySendEntry,
    fromSnapshot: sendStateFromSnapshot
  })
  return [...state.jobs.values()].filter((j) => j.status === 'active')
}
