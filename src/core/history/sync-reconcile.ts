// One REST pass over history entries: their jobs listed by part build (batched into
// `GET /v1/print-jobs?partBuildId.in=…`), applied, and open copies the server no longer lists
// confirmed one by one (GET → 404 marks them deleted, never drops them). The status sync runs it
// under its request budget; the CLI's `history --refresh` runs it straight.
import { isTerminal, type HistoryEntry } from '../../shared/history'
import type { PrintJob } from '../../shared/printago/api-types'
import { realClock } from '../infra/clock'
import type { CallOptions, PrintagoClient } from '../printago/client'
import type { HistoryStore } from './store'
import {
  applyToEntry,
  jobFacts,
  JOB_FIELDS,
  markDeleted,
  type ApplyContext,
  type FinishedCopy
} from './sync-apply'

export interface ReconcileOptions {
  store: HistoryStore
  client: Pick<PrintagoClient, 'listPrintJobs' | 'getPrintJob'>
  entries: HistoryEntry[]
  /** Default: the real clock's time. */
  now?: () => number
  /** Wraps every REST call (budget, no-retry); default calls straight through. */
  call?: <T>(fn: (o: CallOptions) => Promise<T>) => Promise<T>
  /** Part builds per `partBuildId.in=` request. Default 40 (keeps the URL short). */
  batchSize?: number
  printerName?: (id: string) => string | undefined
  seen?: Map<string, string>
}

export interface ReconcileResult {
  requests: number
  /** Entries whose copies changed. */
  changed: number
  finished: FinishedCopy[]
}

/**
 * A pass that failed partway: `cause` is the failed request's error; `partial` what the batches
 * before it applied (saved in the store) — their finished copies still deserve a notification.
 */
export class ReconcileError extends Error {
  constructor(
    readonly cause: unknown,
    readonly partial: ReconcileResult
  ) {
    super((cause as Error)?.message ?? String(cause))
    this.name = 'ReconcileError'
  }
}

/** The error a failed pass was about (unwrapping a ReconcileError). */
export function reconcileCause(e: unknown): unknown {
  return e instanceof ReconcileError ? e.cause : e
}

const PAGE = 1000

/**
 * One REST pass over `entries`: lists their jobs by part build (batched), applies them, and marks
 * open copies the server no longer has (confirmed one by one with GET → 404). A failed request
 * ends the pass with a ReconcileError that carries the first failure and what the batches before
 * it applied (including the copies that finished).
 */
export async function reconcileEntries(opts: ReconcileOptions): Promise<ReconcileResult> {
  const result: ReconcileResult = { requests: 0, changed: 0, finished: [] }
  try {
    await reconcileInto(opts, result)
  } catch (e) {
    throw new ReconcileError(e, result)
  }
  return result
}

async function reconcileInto(opts: ReconcileOptions, result: ReconcileResult): Promise<void> {
  const now = opts.now ?? realClock.now
  const call = opts.call ?? (<T>(fn: (o: CallOptions) => Promise<T>): Promise<T> => fn({}))
  const ctx: ApplyContext = {
    store: opts.store,
    printerName: opts.printerName ?? (() => undefined),
    now,
    seen: opts.seen ?? new Map(),
    // Collected straight into the result, so a later failure still hands them back.
    finished: result.finished
  }
  const batchSize = Math.max(1, opts.batchSize ?? 40)
  const builds = [...new Set(opts.entries.map((e) => e.partBuildId))]
  for (let b = 0; b < builds.length; b += batchSize) {
    const batch = builds.slice(b, b + batchSize)
    const jobs: PrintJob[] = []
    for (let offset = 0; ; offset += PAGE) {
      const query: Record<string, string | number> =
        batch.length === 1 ? { partBuildId: batch[0]! } : { 'partBuildId.in': batch.join(',') }
      query.fields = JOB_FIELDS
      query.limit = PAGE
      if (offset > 0) query.offset = offset
      result.requests++
      const page = await call((o) => opts.client.listPrintJobs(query, o))
      jobs.push(...page)
      if (page.length < PAGE) break
    }
    const syncedAt = now()
    for (const partBuildId of batch) {
      const entry = opts.store.byPartBuildId(partBuildId)
      if (!entry) continue
      const mine = jobs.filter((j) => j.partBuildId === partBuildId)
      const facts = mine.map((j) => jobFacts(j.id, j as unknown as Record<string, unknown>))
      if (applyToEntry(ctx, entry.id, facts, { syncedAt })) result.changed++
      // Open copies the build no longer lists: deleted, or hidden — ask for each one.
      const listed = new Set(mine.map((j) => j.id))
      const missing = (opts.store.get(entry.id)?.copies ?? []).filter(
        (c) => !listed.has(c.printJobId) && !c.deletedOnServer && !isTerminal(c.status)
      )
      const gone = new Set<string>()
      for (const c of missing) {
        result.requests++
        const job = await call((o) => opts.client.getPrintJob(c.printJobId, o))
        if (job === null) gone.add(c.printJobId)
        else if (
          applyToEntry(ctx, entry.id, [jobFacts(job.id, job as unknown as Record<string, unknown>)])
        ) {
          result.changed++
        }
      }
      markDeleted(ctx, entry.id, gone)
    }
  }
}
