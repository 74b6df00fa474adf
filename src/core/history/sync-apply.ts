// Applying what Printago says about print jobs to the history: reading job facts from a REST job
// or an MQTT entity (defensively: any field may be missing or of the wrong type), turning them
// into a copy, and writing changed copies to their entry. Older states than one already applied
// are ignored, so REST answers and MQTT events may arrive in any order.
import type { HistoryEntry, JobCopy } from '../../shared/history'
import type { PrintJob } from '../../shared/printago/api-types'
import type { HistoryStore } from './store'

/** The job fields the history uses; everything may be missing in a partial MQTT entity. */
export type JobFacts = Partial<
  Pick<
    PrintJob,
    | 'status'
    | 'assignedPrinterId'
    | 'errorMessage'
    | 'updatedAt'
    | 'partBuildId'
    | 'quantityIndex'
    | 'printingStartedAt'
    | 'printingCompletedAt'
    | 'logsUri'
  >
> & { id: string }

/** The `fields=` projection of job reads: exactly what `jobFacts` reads. */
export const JOB_FIELDS =
  'id,partBuildId,quantityIndex,status,assignedPrinterId,errorMessage,updatedAt,printingStartedAt,printingCompletedAt,logsUri'

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined
}

function strOrNull(v: unknown): string | null | undefined {
  return v === null ? null : typeof v === 'string' ? v : undefined
}

/** A `changes` value may be the new value or an `{old,new}` / `{from,to}` pair (undocumented). */
export function changedValue(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v)) {
    const r = v as Record<string, unknown>
    if ('new' in r) return r['new']
    if ('to' in r) return r['to']
  }
  return v
}

/** Reads job facts from a REST job or an MQTT entity (+ its changes), defensively. */
export function jobFacts(
  id: string,
  raw: Record<string, unknown>,
  changes?: Record<string, unknown>
): JobFacts {
  const merged: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(changes ?? {})) merged[k] = changedValue(v)
  Object.assign(merged, raw)
  const facts: JobFacts = { id }
  const status = str(merged['status'])
  if (status) facts.status = status as PrintJob['status']
  const printer = strOrNull(merged['assignedPrinterId'])
  if (printer !== undefined) facts.assignedPrinterId = printer
  const error = strOrNull(merged['errorMessage'])
  if (error !== undefined) facts.errorMessage = error
  const updatedAt = str(merged['updatedAt'])
  if (updatedAt) facts.updatedAt = updatedAt
  const build = str(merged['partBuildId'])
  if (build) facts.partBuildId = build
  const started = strOrNull(merged['printingStartedAt'])
  if (started !== undefined) facts.printingStartedAt = started
  const completed = strOrNull(merged['printingCompletedAt'])
  if (completed !== undefined) facts.printingCompletedAt = completed
  const logs = strOrNull(merged['logsUri'])
  if (logs !== undefined) facts.logsUri = logs
  if (typeof merged['quantityIndex'] === 'number') facts.quantityIndex = merged['quantityIndex']
  return facts
}

/** The copy after applying `facts` (a new object), or null when nothing visible changed. */
export function applyJobFacts(
  prev: JobCopy | undefined,
  facts: JobFacts,
  printerName: (id: string) => string | undefined,
  nowIso: string
): JobCopy | null {
  const printerId =
    facts.assignedPrinterId !== undefined ? facts.assignedPrinterId : (prev?.printerId ?? null)
  const next: JobCopy = {
    printJobId: facts.id,
    status: facts.status ?? prev?.status ?? 'pending',
    printerId,
    updatedAt: facts.updatedAt ?? prev?.updatedAt ?? nowIso
  }
  const name = printerId
    ? (printerName(printerId) ?? (prev?.printerId === printerId ? prev.printerName : null))
    : null
  if (name) next.printerName = name
  const error = facts.errorMessage !== undefined ? facts.errorMessage : prev?.errorMessage
  if (error) next.errorMessage = error
  // Partial facts (an MQTT row with only the changed fields) keep what the copy knew.
  const keep = <K extends 'startedAt' | 'finishedAt' | 'logsUri'>(
    k: K,
    v: string | null | undefined
  ): void => {
    const value = v !== undefined ? v : prev?.[k]
    if (value) next[k] = value
  }
  keep('startedAt', facts.printingStartedAt)
  keep('finishedAt', facts.printingCompletedAt)
  keep('logsUri', facts.logsUri)
  if (prev?.deletedOnServer && !facts.status) next.deletedOnServer = true
  if (
    prev &&
    prev.status === next.status &&
    prev.printerId === next.printerId &&
    (prev.printerName ?? null) === (next.printerName ?? null) &&
    (prev.errorMessage ?? null) === (next.errorMessage ?? null) &&
    (prev.startedAt ?? null) === (next.startedAt ?? null) &&
    (prev.finishedAt ?? null) === (next.finishedAt ?? null) &&
    (prev.logsUri ?? null) === (next.logsUri ?? null) &&
    !!prev.deletedOnServer === !!next.deletedOnServer
  ) {
    return null
  }
  return next
}

/** One copy that reached completed/failed during a sync step. */
export interface FinishedCopy {
  entry: HistoryEntry
  prev: JobCopy | undefined
  copy: JobCopy
}

/** What one sync step (a REST pass, one MQTT message) applies its facts with. */
export interface ApplyContext {
  store: HistoryStore
  printerName: (id: string) => string | undefined
  now: () => number
  /** Latest server `updatedAt` applied per job: older events/answers are ignored. */
  seen: Map<string, string>
  /** Collects the copies that finished during the step. */
  finished: FinishedCopy[]
}

/** Applies job facts to one entry; returns true when one of its copies changed. */
export function applyToEntry(
  ctx: ApplyContext,
  entryId: string,
  jobs: JobFacts[],
  extra?: Partial<HistoryEntry>
): boolean {
  const nowIso = new Date(ctx.now()).toISOString()
  const changedCopies: Array<{ prev: JobCopy | undefined; copy: JobCopy }> = []
  const updated = ctx.store.update(entryId, (entry) => {
    const copies = [...entry.copies]
    const order = new Map<string, number>()
    for (const job of jobs) {
      const last = ctx.seen.get(job.id)
      if (job.updatedAt && last && job.updatedAt < last) continue // out of order: older state
      const i = copies.findIndex((c) => c.printJobId === job.id)
      const prev = i >= 0 ? copies[i] : undefined
      const next = applyJobFacts(prev, job, ctx.printerName, nowIso)
      if (job.updatedAt) ctx.seen.set(job.id, job.updatedAt)
      if (job.quantityIndex !== undefined) order.set(job.id, job.quantityIndex)
      if (!next) continue
      if (i >= 0) copies[i] = next
      else copies.push(next)
      changedCopies.push({ prev, copy: next })
    }
    if (changedCopies.length === 0 && !extra) return null
    if (order.size > 0 && changedCopies.some((c) => !c.prev)) {
      // New copies: keep Printago's quantityIndex order where we know it.
      copies.sort((a, b) => (order.get(a.printJobId) ?? 1e9) - (order.get(b.printJobId) ?? 1e9))
    }
    return {
      ...entry,
      ...extra,
      copies,
      updatedAt: changedCopies.length > 0 ? nowIso : entry.updatedAt
    }
  })
  if (!updated) return false
  for (const c of changedCopies) {
    if (
      c.copy.status !== c.prev?.status &&
      (c.copy.status === 'completed' || c.copy.status === 'failed')
    ) {
      ctx.finished.push({ entry: updated, prev: c.prev, copy: c.copy })
    }
  }
  return changedCopies.length > 0
}

/** Marks copies deleted on the server (kept, flagged, no longer open). */
export function markDeleted(ctx: ApplyContext, entryId: string, jobIds: Set<string>): void {
  if (jobIds.size === 0) return
  ctx.store.update(entryId, (entry) => {
    let changed = false
    const copies = entry.copies.map((c) => {
      if (!jobIds.has(c.printJobId) || c.deletedOnServer) return c
      changed = true
      return { ...c, deletedOnServer: true }
    })
    return changed ? { ...entry, copies, updatedAt: new Date(ctx.now()).toISOString() } : null
  })
}
