// What the user can do with a history entry: print it again, cancel or retry its copies, ask why
// a copy is waiting, open it in Printago, and export the history as CSV. Plain service functions
// over the history store and the Printago client; the IPC handlers call them.
import { isOpenCopy, type HistoryEntry, type JobCopy } from '../../shared/history'
export {
  PRINTAGO_APP_URL,
  printagoPartUrl,
  printagoQueueUrl,
  waitingHint
} from '../../shared/history'
import type { Troubleshoot } from '../../shared/ipc'
import type {
  PrinterMatchingStatus,
  PrintJobMatchingTroubleshoot
} from '../../shared/printago/api-types'
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

// ---- why is it waiting? -------------------------------------------------------------------------

type CheckCode = NonNullable<PrinterMatchingStatus['firstFailedCheck']>

const REASONS: Record<CheckCode, string> = {
  enabled: 'disabled',
  online: 'offline',
  'in-maintenance': 'in maintenance',
  available: 'busy with another print',
  ready: 'waiting for its bed to be cleared',
  'tags-match': "does not match the job's tags",
  'profiles-configured': 'has no slicer profile set up',
  'subscription-slots': 'has no free printer slot in the subscription',
  'slots-loaded': 'has no filament loaded',
  'material-match': 'does not have the required material loaded',
  'filament-profiles': 'lacks a filament profile for its loaded material'
}

function listWords(xs: string[]): string {
  if (xs.length <= 1) return xs.join('')
  return `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`
}

function tagReason(routing: Routing | undefined, printer: KnownPrinter | undefined): string {
  if (routing?.mode === 'printer') return 'is not the printer this job was sent to'
  if (routing?.mode === 'tags') {
    const missing = printer ? routing.tags.filter((t) => !printer.tags.includes(t)) : routing.tags
    const tags = missing.length > 0 ? missing : routing.tags
    if (!printer && tags.length > 1) return `does not carry all of the tags ${listWords(tags)}`
    return `does not carry tag${tags.length === 1 ? '' : 's'} ${listWords(tags)}`
  }
  return REASONS['tags-match']
}

/** Printago's matching checklist → one reason per printer and a one-sentence summary. */
export function describeTroubleshoot(
  raw: PrintJobMatchingTroubleshoot,
  ctx: { routing?: Routing; printers?: KnownPrinter[] } = {}
): Troubleshoot {
  const known = new Map((ctx.printers ?? []).map((p) => [p.id, p]))
  const printers = raw.printers.map((p) => {
    if (p.matched)
      return { printerId: p.printerId, printerName: p.printerName, matched: true, reason: null }
    const code = p.firstFailedCheck ?? p.checks.find((c) => !c.passed)?.code
    const check = p.checks.find((c) => c.code === code)
    const reason = !code
      ? (check?.explanation ?? 'cannot take this job')
      : code === 'tags-match'
        ? tagReason(ctx.routing, known.get(p.printerId))
        : REASONS[code]
    return { printerId: p.printerId, printerName: p.printerName, matched: false, reason }
  })
  printers.sort(
    (a, b) => Number(b.matched) - Number(a.matched) || a.printerName.localeCompare(b.printerName)
  )
  // Offline or busy printers fail earlier checks, yet may not carry the tags either.
  const noTags =
    raw.printers.length > 0 &&
    raw.printers.every((p) => p.checks.some((c) => c.code === 'tags-match' && !c.passed))
  return { printJobId: raw.printJobId, summary: summarize(printers, ctx.routing, noTags), printers }
}

function summarize(
  printers: Troubleshoot['printers'],
  routing: Routing | undefined,
  noPrinterHasTags: boolean
): string {
  if (printers.length === 0) return 'This store has no printers, so nothing can take the job.'
  const matched = printers.filter((p) => p.matched)
  if (matched.length > 0) {
    const names = listWords(matched.slice(0, 3).map((p) => p.printerName))
    const more = matched.length > 3 ? ` and ${matched.length - 3} more` : ''
    return `${names}${more} can take it now; it should start shortly.`
  }
  if (routing?.mode === 'printer') {
    const target = printers.find((p) => p.printerId === routing.printerId)
    return target
      ? `The chosen printer ${target.printerName} ${predicate(target.reason ?? '', 1)}.`
      : 'The printer this job was sent to is not in the store any more.'
  }
  if (routing?.mode === 'tags' && noPrinterHasTags) {
    return `No printer carries the tag${routing.tags.length === 1 ? '' : 's'} ${listWords(routing.tags)}.`
  }
  const counts = new Map<string, number>()
  for (const p of printers) counts.set(p.reason ?? '', (counts.get(p.reason ?? '') ?? 0) + 1)
  const parts = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(
      ([reason, n]) => `${n} ${/^(does|has|lacks) /.test(reason) ? predicate(reason, n) : reason}`
    )
  return `No printer can take it right now: ${parts.join(', ')}.`
}

/** A reason as a predicate for `n` printers: "is offline", "do not carry tag X", "have no …". */
function predicate(reason: string, n: number): string {
  if (/^does /.test(reason)) return n === 1 ? reason : reason.replace(/^does /, 'do ')
  if (/^has /.test(reason)) return n === 1 ? reason : reason.replace(/^has /, 'have ')
  if (/^lacks /.test(reason)) return n === 1 ? reason : reason.replace(/^lacks /, 'lack ')
  return `${n === 1 ? 'is' : 'are'} ${reason}`
}

/** `GET /v1/print-jobs/{id}/matching-troubleshoot`, in words. */
export async function troubleshootJob(
  deps: HistoryActionDeps,
  req: { printJobId: string }
): Promise<Troubleshoot> {
  const raw = await deps.client.matchingTroubleshoot(req.printJobId)
  if (!raw) {
    throw new HistoryActionError('not-found', 'Printago no longer has this print job.')
  }
  const entry = deps.store.byPrintJobId(req.printJobId)
  return describeTroubleshoot(raw, { routing: entry?.routing, printers: deps.printers?.() })
}

// ---- CSV ----------------------------------------------------------------------------------------

export const CSV_COLUMNS = [
  'sentAt',
  'file',
  'sha256',
  'label',
  'quantity',
  'routing',
  'status',
  'partId',
  'partBuildId',
  'printJobIds',
  'printers'
] as const

/** One CSV cell: formula-injection-safe (= + - @ tab CR lead → `'`), RFC 4180-quoted. */
export function csvCell(value: string | number): string {
  let s = String(value)
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

function routingText(entry: HistoryEntry): string {
  const r = entry.routing
  if (r.mode === 'any') return 'any printer'
  if (r.mode === 'tags') return `tags: ${r.tags.join(' | ')}`
  const name = entry.copies.find((c) => c.printerId === r.printerId)?.printerName
  return `printer: ${name ?? r.printerId}`
}

/** The history as RFC 4180 CSV (CRLF lines, header first). */
export function historyCsv(entries: HistoryEntry[]): string {
  const rows = [CSV_COLUMNS.join(',')]
  for (const e of entries) {
    const printers = [
      ...new Set(e.copies.map((c) => c.printerName ?? c.printerId).filter((x): x is string => !!x))
    ]
    rows.push(
      [
        e.sentAt,
        e.fileName,
        e.sha256,
        e.label,
        e.quantity,
        routingText(e),
        e.status,
        e.partId,
        e.partBuildId,
        e.copies.map((c) => c.printJobId).join(' '),
        printers.join('; ')
      ]
        .map(csvCell)
        .join(',')
    )
  }
  return rows.join('\r\n') + '\r\n'
}

/** The CSV export of a store's history with a file name for the download. */
export function exportHistoryCsv(
  store: HistoryStore,
  now = Date.now()
): { filename: string; csv: string } {
  const day = new Date(now).toISOString().slice(0, 10)
  return { filename: `printago-history-${store.storeId}-${day}.csv`, csv: historyCsv(store.list()) }
}

/** The facts of a sent project, without the choices made for that send. */
function projectFacts(p: NonNullable<HistoryEntry['project']>): ProjectFacts {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { plateQuantities, use3MFProcessProfile, ...facts } = p
  return facts
}
