// What the user can do with a history entry: print it again, cancel or retry its copies, open it
// in Printago. Plain service functions over the history store and the Printago client; the IPC
// handlers call them. "Why is it waiting?" is troubleshoot.ts, the CSV export export-csv.ts.
import { isOpenCopy, type HistoryEntry, type JobCopy } from '../../shared/history'
export {
  PRINTAGO_APP_URL,
  printagoPartUrl,
  printagoQueueUrl,
  waitingHint
} from '../../shared/history'
import type { MaterialChoice, Priority, QueuePosition, Routing } from '../../shared/send'
import type { ProjectFacts } from '../../shared/send-project'
import { createHistoryEntry, type HistoryStore } from './store'
import type { PrintagoClient } from '../printago/client'
import { isPrintagoError } from '../printago/errors'
import { OUTCOME_UNKNOWN } from '../send/result'
import type { ReprintRequest, SendResult } from '../send/service'

/** An expected failure of a history action; `message` is one sentence for the user. */
export class HistoryActionError extends Error {
  constructor(
    /** …or the code of the send error that stopped a Print again (e.g. `disk-full`). */
    readonly code:
      'not-found' | 'part-gone' | 'forbidden' | 'invalid' | 'outcome-unknown' | (string & {}),
    message: string
  ) {
    super(message)
    this.name = 'HistoryActionError'
  }
}

/** A printer as the app knows it (for "does not carry tag X"). */
export interface KnownPrinter {
  id: string
  name: string
  tags: string[]
}

export interface HistoryActionDeps {
  store: HistoryStore
  client: Pick<PrintagoClient, 'cancelPrintJobs' | 'retryPrintJobs' | 'matchingTroubleshoot'>
  /**
   * Runs Print again as a journaled send job (the store session's `reprint`): its build is
   * intended, settled, reconciled and claimed like every build this app creates.
   */
  reprint: (request: ReprintRequest) => Promise<SendResult>
  now?: () => number
  /** The app's printer cache; improves the troubleshoot wording. */
  printers?: () => KnownPrinter[]
}

function entryOf(store: HistoryStore, entryId: string): HistoryEntry {
  const entry = store.get(entryId)
  if (!entry) throw new HistoryActionError('not-found', 'This job is no longer in the history.')
  return entry
}

// ---- print again --------------------------------------------------------------------------------

export interface ReprintEntryRequest {
  entryId: string
  quantity?: number
  label?: string
  priority?: Priority
  routing?: Routing
  position?: QueuePosition
  /** null: any material; undefined: the original's. */
  material?: MaterialChoice | null
  /** null: no model restriction; undefined: the original's (dropped for one chosen printer). */
  printerModels?: string[] | null
}

/**
 * Queues the same part again with the same (or edited) options: exactly one `POST /v2/builds`,
 * no upload, through the send journal (a lost answer is checked, never sent twice). Adds and
 * returns the new history entry (`reprintOf` = the original). An answer that never came is an
 * `outcome-unknown` error: it is checked before anything is sent again and appears in the
 * history once confirmed.
 */
export async function reprintEntry(
  deps: HistoryActionDeps,
  req: ReprintEntryRequest
): Promise<HistoryEntry> {
  const original = entryOf(deps.store, req.entryId)
  const quantity = req.quantity ?? original.quantity
  const label = req.label ?? original.label
  const priority = req.priority ?? original.priority
  const routing = req.routing ?? original.routing
  const position = req.position ?? original.position
  const material = req.material === undefined ? original.material : (req.material ?? undefined)
  const models =
    req.printerModels === undefined
      ? routing.mode === 'printer'
        ? undefined
        : original.printerModels
      : (req.printerModels ?? undefined)
  const printerModels = models && models.length > 0 ? models : undefined
  if (!Number.isInteger(quantity) || quantity < 1 || quantity > 500) {
    throw new HistoryActionError('invalid', 'The quantity must be a whole number from 1 to 500.')
  }
  if (label.length < 1 || label.length > 1024) {
    throw new HistoryActionError('invalid', 'The label must be 1 to 1,024 characters long.')
  }
  const result = await deps.reprint({
    routing,
    items: [
      {
        path: original.file,
        quantity,
        label,
        priority,
        ...(position ? { position } : {}),
        ...(material ? { material } : {}),
        ...(printerModels ? { printerModels } : {}),
        // The same plates, the same way (the part keeps its process-settings choice).
        ...(original.project?.plateQuantities
          ? { plateQuantities: original.project.plateQuantities }
          : {}),
        ...(original.project?.use3MFProcessProfile !== undefined
          ? { use3MFProcessProfile: original.project.use3MFProcessProfile }
          : {}),
        meta: { bytes: original.size },
        partId: original.partId,
        sha256: original.sha256,
        reprintOf: original.id,
        ...(original.project ? { project: projectFacts(original.project) } : {})
      }
    ]
  })
  const sent = result.files[0]
  if (!sent) throw reprintFailure(original, result)
  const entry = createHistoryEntry(
    {
      storeId: original.storeId,
      file: original.file,
      fileName: original.fileName,
      sha256: original.sha256,
      size: original.size,
      dimensions: original.dimensions,
      triangles: original.triangles,
      thumbnail: original.thumbnail,
      partId: original.partId,
      partBuildId: sent.partBuildId,
      printJobIds: sent.printJobIds,
      routing,
      label,
      quantity,
      priority,
      position,
      reprintOf: original.id,
      ...(material ? { material } : {}),
      ...(printerModels ? { printerModels } : {}),
      ...(original.original ? { original: original.original } : {}),
      ...(original.project ? { project: original.project } : {})
    },
    { now: (deps.now ?? Date.now)() }
  )
  // Idempotent per part build: the send service may have recorded it already.
  return deps.store.byPartBuildId(sent.partBuildId) ?? deps.store.add(entry)
}

/** Why a Print again did not queue, in words (never "could not reach" for an unknown outcome). */
function reprintFailure(original: HistoryEntry, result: SendResult): HistoryActionError {
  const open = result.unfinished?.[0]?.error
  if (open?.code === OUTCOME_UNKNOWN) {
    return new HistoryActionError(
      OUTCOME_UNKNOWN,
      `Printago did not confirm whether ${original.fileName} was queued again. It will be checked before anything is sent again, and appears in the history once confirmed.`
    )
  }
  const error = result.failures[0]?.error ?? open ?? result.error
  if (error && partGone(error)) {
    return new HistoryActionError(
      'part-gone',
      `Printago no longer has the part for ${original.fileName} (it was deleted there). Send the file again to print it.`
    )
  }
  if (open) {
    return new HistoryActionError(
      open.code,
      `${open.message}; Print again of ${original.fileName} resumes when the store is open again.`
    )
  }
  return new HistoryActionError(error?.code ?? 'internal', error?.message ?? 'Print again failed.')
}

function partGone(e: { code: string; message: string }): boolean {
  if (e.code === 'not-found') return true
  return e.code === 'validation' && /\bpart/i.test(e.message)
}

// ---- cancel / retry -----------------------------------------------------------------------------

export interface CopiesRequest {
  entryId: string
  /** Limit to these copies; default: every eligible copy of the entry. */
  printJobIds?: string[]
}

function pick(entry: HistoryEntry, req: CopiesRequest, ok: (c: JobCopy) => boolean): string[] {
  const wanted = req.printJobIds ? new Set(req.printJobIds) : null
  return entry.copies
    .filter((c) => ok(c) && (!wanted || wanted.has(c.printJobId)))
    .map((c) => c.printJobId)
}

function forbidden(e: unknown, verb: string): never {
  if (isPrintagoError(e) && e.code === 'forbidden') {
    throw new HistoryActionError(
      'forbidden',
      `This API key lacks the queue.manage permission, so it cannot ${verb} print jobs. Use a key with "Manage queue" (Printago → Settings → API Keys).`
    )
  }
  throw e
}

function applyLocally(
  deps: HistoryActionDeps,
  entryId: string,
  affected: string[],
  patch: (c: JobCopy, at: string) => JobCopy
): void {
  if (affected.length === 0) return
  const ids = new Set(affected)
  const at = new Date((deps.now ?? Date.now)()).toISOString()
  // Optimistic: the realtime event (or the next reconciliation) confirms it.
  deps.store.update(entryId, (e) => ({
    ...e,
    updatedAt: at,
    copies: e.copies.map((c) => (ids.has(c.printJobId) ? patch(c, at) : c))
  }))
}

/** Cancels the entry's open copies (`PATCH /v1/print-jobs/cancel`); returns the affected ids. */
export async function cancelEntry(
  deps: HistoryActionDeps,
  req: CopiesRequest
): Promise<{ affected: string[] }> {
  const entry = entryOf(deps.store, req.entryId)
  const ids = pick(entry, req, isOpenCopy)
  if (ids.length === 0) return { affected: [] }
  const affected = await deps.client.cancelPrintJobs(ids).catch((e) => forbidden(e, 'cancel'))
  applyLocally(deps, entry.id, affected, (c, at) => ({ ...c, status: 'cancelled', updatedAt: at }))
  return { affected }
}

/** Sends failed/cancelled copies back to the queue (`PATCH /v1/print-jobs/retry`). */
export async function retryEntry(
  deps: HistoryActionDeps,
  req: CopiesRequest
): Promise<{ affected: string[] }> {
  const entry = entryOf(deps.store, req.entryId)
  const ids = pick(
    entry,
    req,
    (c) => !c.deletedOnServer && (c.status === 'failed' || c.status === 'cancelled')
  )
  if (ids.length === 0) return { affected: [] }
  const affected = await deps.client.retryPrintJobs(ids).catch((e) => forbidden(e, 'retry'))
  applyLocally(deps, entry.id, affected, (c, at) => {
    const next: JobCopy = {
      printJobId: c.printJobId,
      status: 'pending',
      printerId: null,
      updatedAt: at
    }
    return next
  })
  return { affected }
}

/** The facts of a sent project, without the choices made for that send. */
function projectFacts(p: NonNullable<HistoryEntry['project']>): ProjectFacts {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { plateQuantities, use3MFProcessProfile, ...facts } = p
  return facts
}
