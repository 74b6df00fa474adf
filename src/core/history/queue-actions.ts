// The operator's queue operations on the copies of one history entry: move to the front of
// Printago's queue, pause and resume printing copies, clear finished ones from the queue — and
// the slicer log of a failed copy, fetched by main. Each names the permission a key lacks (403)
// in words; the other failures come back as Printago's errors.
import type { HistoryEntry, JobCopy } from '../../shared/history'
import type { SlicerLog } from '../../shared/ipc'
import type { PrintagoClient } from '../printago/client'
import { isPrintagoError } from '../printago/errors'
import { HistoryActionError } from './actions'
import type { HistoryStore } from './store'

export interface QueueActionDeps {
  store: HistoryStore
  client: Pick<
    PrintagoClient,
    | 'moveToQueueFront'
    | 'pausePrintJobs'
    | 'resumePrintJobs'
    | 'clearPrintJobs'
    | 'getPrintJob'
    | 'signedDownloadUrls'
    | 'download'
  >
  now?: () => number
  /** The queue changed: read the places again soon. */
  queueChanged?: () => void
}

export interface QueueCopiesRequest {
  entryId: string
  printJobIds?: string[]
}

/** The operations, what they act on, and the permission each needs. */
const OPS = {
  'move-to-front': {
    eligible: (c: JobCopy) => c.status === 'pending',
    permission: 'queue.override',
    verb: 'move print jobs to the front of the queue',
    call: (d: QueueActionDeps, ids: string[]) => d.client.moveToQueueFront(ids)
  },
  pause: {
    eligible: (c: JobCopy) => c.status === 'printing',
    permission: 'queue.manage',
    verb: 'pause print jobs',
    call: (d: QueueActionDeps, ids: string[]) => d.client.pausePrintJobs(ids)
  },
  resume: {
    eligible: (c: JobCopy) => c.status === 'paused',
    permission: 'queue.manage',
    verb: 'resume print jobs',
    call: (d: QueueActionDeps, ids: string[]) => d.client.resumePrintJobs(ids)
  },
  clear: {
    eligible: (c: JobCopy) => c.status === 'completed' || c.status === 'cancelled',
    permission: 'job.delete.all',
    verb: 'clear finished print jobs from the queue',
    call: (d: QueueActionDeps, ids: string[]) => d.client.clearPrintJobs(ids)
  }
} as const

export type QueueOperation = keyof typeof OPS

/** The copies of `entry` an operation would act on. */
export function eligibleCopies(
  entry: Pick<HistoryEntry, 'copies'>,
  op: QueueOperation,
  only?: string[]
): string[] {
  const wanted = only ? new Set(only) : null
  return entry.copies
    .filter((c) => !c.deletedOnServer && OPS[op].eligible(c))
    .filter((c) => !wanted || wanted.has(c.printJobId))
    .map((c) => c.printJobId)
}

/** The sentence for a 403 of an operation: which permission, and where to get it. */
export function forbiddenMessage(permission: string, verb: string): string {
  return `This API key lacks the ${permission} permission, so it cannot ${verb} (Printago answered 403). Use a key with ${permission} (Printago → Settings → API Keys).`
}

/** Runs one queue operation on the entry's eligible copies; the ids Printago says it changed. */
export async function queueOperation(
  deps: QueueActionDeps,
  op: QueueOperation,
  req: QueueCopiesRequest
): Promise<{ affected: string[] }> {
  const entry = deps.store.get(req.entryId)
  if (!entry) throw new HistoryActionError('not-found', 'This job is no longer in the history.')
  const ids = eligibleCopies(entry, op, req.printJobIds)
  if (ids.length === 0) return { affected: [] }
  const spec = OPS[op]
  let affected: string[]
  try {
    affected = await spec.call(deps, ids)
  } catch (e) {
    if (isPrintagoError(e) && e.code === 'forbidden')
      throw new HistoryActionError('forbidden', forbiddenMessage(spec.permission, spec.verb))
    throw e
  }
  // Pause and resume show at once; the realtime event (or the next pass) confirms them.
  if (op === 'pause' || op === 'resume') {
    const done = new Set(affected)
    const at = new Date((deps.now ?? Date.now)()).toISOString()
    const status = op === 'pause' ? 'paused' : 'printing'
    deps.store.update(entry.id, (e) => ({
      ...e,
      copies: e.copies.map((c) => (done.has(c.printJobId) ? { ...c, status, updatedAt: at } : c))
    }))
  }
  deps.queueChanged?.()
  return { affected }
}

/** Most of a slicer log read; the end of a longer one is what is shown. */
export const MAX_LOG_BYTES = 512 * 1024
export const SHOWN_LOG_CHARS = 64 * 1024

/** Printago's slicer log of one of my copies: signed and downloaded here, the end of it shown. */
export async function slicerLog(deps: QueueActionDeps, printJobId: string): Promise<SlicerLog> {
  const entry = deps.store.byPrintJobId(printJobId)
  if (!entry) throw new HistoryActionError('not-found', 'This job is no longer in the history.')
  let uri = entry.copies.find((c) => c.printJobId === printJobId)?.logsUri ?? null
  if (!uri) uri = (await deps.client.getPrintJob(printJobId))?.logsUri ?? null
  if (!uri)
    throw new HistoryActionError('not-found', 'Printago has no slicer log for this job (yet).')
  let url: string
  try {
    ;[url] = (await deps.client.signedDownloadUrls([uri], 300)) as [string]
  } catch (e) {
    if (isPrintagoError(e) && e.code === 'forbidden')
      throw new HistoryActionError(
        'forbidden',
        forbiddenMessage('file.download', 'download the slicer log')
      )
    throw e
  }
  const got = await deps.client.download(url, { maxBytes: MAX_LOG_BYTES })
  const text = new TextDecoder('utf-8', { fatal: false }).decode(got.bytes)
  const long = got.truncated || text.length > SHOWN_LOG_CHARS
  return { printJobId, text: long ? text.slice(-SHOWN_LOG_CHARS) : text, truncated: long }
}
