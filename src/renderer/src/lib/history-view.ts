// Pure helpers of the history view: labels, filtering, progress and time read-outs, CSV download.
import { timeAgo } from '../../../shared/format'
import {
  isTerminal,
  jobStatusOf,
  type HistoryEntry,
  type JobCopy,
  type JobStatus
} from '../../../shared/history'

export const STATUS_LABEL: Record<JobStatus, string> = {
  queued: 'Queued',
  'in-progress': 'In progress',
  printed: 'Printed',
  failed: 'Failed',
  cancelled: 'Cancelled'
}

export const STATUS_ORDER: JobStatus[] = ['queued', 'in-progress', 'printed', 'failed', 'cancelled']

/** Printago's own state in words, for a copy's detail line ("Sending to printer"). */
export function stateLabel(state: string): string {
  if (state === 'pending') return 'Queued'
  if (state === 'completed') return 'Printed'
  const s = state.replace(/-/g, ' ')
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** How a chip looks: one of the five statuses, or the distinct "deleted in Printago" look. */
export type ChipTone = JobStatus | 'deleted'

export interface Chip {
  label: string
  tone: ChipTone
}

export const DELETED_LABEL = 'Deleted in Printago'

/** One copy's chip: Printago's state in words, or "Deleted in Printago" once it is gone there. */
export function copyChip(copy: Pick<JobCopy, 'status' | 'deletedOnServer'>): Chip {
  if (copy.deletedOnServer) return { label: DELETED_LABEL, tone: 'deleted' }
  return { label: stateLabel(copy.status), tone: jobStatusOf(copy.status) }
}

/** True when every copy was deleted in Printago before it finished (nothing was printed). */
export function allDeleted(entry: Pick<HistoryEntry, 'copies'>): boolean {
  return (
    entry.copies.length > 0 && entry.copies.every((c) => c.deletedOnServer && !isTerminal(c.status))
  )
}

/**
 * The entry's chip in the list and the detail header. An entry whose copies were all deleted in
 * Printago says so (its status, from `overallStatus`, is `cancelled`); otherwise the status.
 */
export function entryChip(entry: Pick<HistoryEntry, 'status' | 'copies'>): Chip {
  if (allDeleted(entry)) return { label: DELETED_LABEL, tone: 'deleted' }
  // In progress, but held: say what holds it (a paused print, an approval in Printago).
  if (entry.status === 'in-progress') {
    const live = entry.copies.filter((c) => !c.deletedOnServer)
    if (live.some((c) => c.status === 'paused')) return { label: 'Paused', tone: 'in-progress' }
    if (live.some((c) => c.status === 'waiting-for-approval'))
      return { label: 'Waiting for approval', tone: 'in-progress' }
  }
  return { label: STATUS_LABEL[entry.status], tone: entry.status }
}

/** True while the entry has no print-job ids yet but is expecting some (sent, not discovered). */
export function waitingForJobIds(entry: Pick<HistoryEntry, 'copies' | 'quantity'>): boolean {
  return entry.copies.length === 0 && entry.quantity > 0
}

/** Short notes under a list row's chip: job ids still missing, deleted copies, progress. */
export function rowNotes(entry: HistoryEntry): string[] {
  if (waitingForJobIds(entry)) {
    const copies = entry.quantity > 1 ? ` · ${entry.quantity} copies` : ''
    return [`waiting for job ids${copies}`]
  }
  if (allDeleted(entry)) return []
  const notes: string[] = []
  const progress = progressText(entry)
  if (progress) notes.push(progress)
  const deleted = entry.copies.filter((c) => c.deletedOnServer).length
  if (deleted > 0) {
    notes.push(
      entry.copies.length === 1
        ? 'deleted in Printago'
        : `${deleted} of ${entry.copies.length} deleted in Printago`
    )
  }
  return notes
}

/** The detail pane's note about copies deleted in Printago, or null when there are none. */
export function deletedNote(entry: Pick<HistoryEntry, 'copies'>): string | null {
  const deleted = entry.copies.filter((c) => c.deletedOnServer)
  if (deleted.length === 0) return null
  const n = entry.copies.length
  const d = deleted.length
  const which =
    d === n
      ? n === 1
        ? 'This job was'
        : `All ${n} jobs were`
      : `${d} of ${n} jobs ${d === 1 ? 'was' : 'were'}`
  const open = deleted.filter((c) => !isTerminal(c.status)).length
  if (open === 0)
    return `${which} deleted in Printago after finishing; the result shown is the last known.`
  const who = open === d ? (d === 1 ? 'It' : 'They') : `${open} of them`
  const verb = open === 1 ? 'counts' : 'count'
  return `${which} deleted in Printago before finishing. ${who} will not print and ${verb} as cancelled; “Print again” queues new copies.`
}

/**
 * Why an entry shows no copies: its print-job ids are not known yet (a send that just finished,
 * or an entry recovered from a backup without them). The sync looks them up by part build.
 */
export function noJobsText(
  entry: Pick<HistoryEntry, 'copies' | 'quantity' | 'syncedAt' | 'partBuildId'>,
  now: number
): string {
  if (entry.quantity <= 0) return 'No copies were ordered.'
  const head = 'Waiting for job ids: Printago creates the print jobs after the build'
  if (entry.syncedAt === undefined) {
    return `${head}; they are looked up by its part build at the next sync.`
  }
  return `${head}; it listed none for part build ${entry.partBuildId} when last checked (${timeAgo(entry.syncedAt, now)}). Checking again while it is open.`
}

/**
 * What a "Why is it waiting?" answer was about: the entry, its status and the asked copy's state.
 * When this changes (the job was taken, printed, cancelled, deleted…) the answer is stale.
 */
export function troubleshootKey(
  entry: Pick<HistoryEntry, 'id' | 'status' | 'copies'>,
  printJobId: string
): string {
  const copy = entry.copies.find((c) => c.printJobId === printJobId)
  const state = copy ? `${copy.status}${copy.deletedOnServer ? ':deleted' : ''}` : 'gone'
  return `${entry.id}|${entry.status}|${printJobId}|${state}`
}

/** A list row's name for screen readers: name, status, copies, notes, printers, time. */
export function rowAccessibleName(entry: HistoryEntry, now: number): string {
  const printers = printersOf(entry)
  return [
    entry.label === entry.fileName.replace(/\.[^.]+$/, '')
      ? entry.fileName
      : `${entry.label} (${entry.fileName})`,
    entryChip(entry).label,
    `${entry.quantity} ${entry.quantity === 1 ? 'copy' : 'copies'}`,
    ...rowNotes(entry),
    ...(printers.length > 0 ? [`on ${printers.join(', ')}`] : []),
    `sent ${timeAgo(entry.sentAt, now)}`
  ].join(', ')
}

export interface HistoryFilters {
  status: JobStatus | 'all'
  /** A printer name (or id when unnamed), or 'all'. */
  printer: string
  text: string
}

export const NO_FILTERS: HistoryFilters = { status: 'all', printer: 'all', text: '' }

/** Printer names (or ids) that ran any copy of the entry. */
export function printersOf(entry: HistoryEntry): string[] {
  return [
    ...new Set(
      entry.copies.map((c) => c.printerName ?? c.printerId).filter((x): x is string => !!x)
    )
  ]
}

/** Entries matching the filters (status, printer, text in file name or label). */
export function filterEntries(entries: HistoryEntry[], f: HistoryFilters): HistoryEntry[] {
  const text = f.text.trim().toLowerCase()
  return entries.filter(
    (e) =>
      (f.status === 'all' || e.status === f.status) &&
      (f.printer === 'all' || printersOf(e).includes(f.printer)) &&
      (!text || e.fileName.toLowerCase().includes(text) || e.label.toLowerCase().includes(text))
  )
}

/** Every printer seen in the history, sorted, for the printer filter. */
export function allPrinters(entries: HistoryEntry[]): string[] {
  return [...new Set(entries.flatMap(printersOf))].sort((a, b) => a.localeCompare(b))
}

/** "2/3 printed", "Printing 42%", or null when there is nothing to add to the chip. */
export function progressText(entry: HistoryEntry): string | null {
  const n = entry.copies.length
  if (n === 0) return entry.quantity > 1 ? `${entry.quantity} copies` : null
  const printed = entry.copies.filter((c) => c.status === 'completed').length
  const printing = entry.copies.filter((c) => c.status === 'printing' && !c.deletedOnServer)
  if (n === 1) {
    const p = printing[0]?.progress
    return typeof p === 'number' ? `${Math.round(p)}%` : null
  }
  const live = printing.map((c) => c.progress).filter((p): p is number => typeof p === 'number')
  const pct = live.length === 1 ? ` · ${Math.round(live[0]!)}%` : ''
  return `${printed}/${n} printed${pct}`
}

/** 0..100 for a progress bar, when known. */
export function progressValue(entry: HistoryEntry): number | null {
  const vals = entry.copies.map((c): number | null => {
    if (c.deletedOnServer && !isTerminal(c.status)) return null
    if (c.status === 'completed') return 100
    if (c.status === 'printing' && typeof c.progress === 'number') return c.progress
    return jobStatusOf(c.status) === 'queued' || c.status === 'printing' ? 0 : null
  })
  const known = vals.filter((v): v is number => v !== null)
  if (
    known.length === 0 ||
    !entry.copies.some((c) => c.status === 'printing' && !c.deletedOnServer)
  )
    return null
  return known.reduce((a, b) => a + b, 0) / entry.copies.length
}

/** The routing in words, with printer names where known. */
export function routingLabel(
  entry: HistoryEntry,
  printerName: (id: string) => string | undefined
): string {
  const r = entry.routing
  if (r.mode === 'any') return 'Any printer'
  if (r.mode === 'tags') return `Printers tagged ${r.tags.join(' + ')}`
  const fromCopy = entry.copies.find((c) => c.printerId === r.printerId)?.printerName
  return `Printer ${fromCopy ?? printerName(r.printerId) ?? r.printerId}`
}

/** Copies the user may cancel (open) or retry (failed/cancelled). */
export function actionable(entry: HistoryEntry): {
  cancel: JobCopy[]
  retry: JobCopy[]
  queued: JobCopy[]
} {
  const live = entry.copies.filter((c) => !c.deletedOnServer)
  return {
    cancel: live.filter((c) => !['completed', 'failed', 'cancelled'].includes(c.status)),
    retry: live.filter((c) => c.status === 'failed' || c.status === 'cancelled'),
    queued: live.filter((c) => c.status === 'pending')
  }
}

/** Saves text as a file through a Blob URL and a temporary `<a download>`. */
export function downloadText(
  filename: string,
  text: string,
  type = 'text/csv;charset=utf-8'
): void {
  const url = URL.createObjectURL(new Blob([text], { type }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  a.rel = 'noopener'
  a.style.display = 'none'
  document.body.appendChild(a)
  a.click()
  a.remove()
  // Revoke after the click has been handled (Chromium reads the URL asynchronously).
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}

/** "3MF project (own process settings): plate 1 ×2, plate 2 ×1", "Sliced 3MF for Bambu Lab P1S: …". */
export function projectWords(p: NonNullable<HistoryEntry['project']>): string {
  const kind =
    p.kind === 'gcode3mf'
      ? `Sliced 3MF${p.slicedFor ? ` for ${p.slicedFor.model}` : ''}`
      : `3MF project${p.use3MFProcessProfile ? ' (own process settings)' : ''}`
  const plates = p.plates
    .map((plate) => ({
      plate,
      n: p.plateQuantities ? (p.plateQuantities[String(plate.id)] ?? 0) : 1
    }))
    .filter((x) => x.n > 0)
    .map((x) => `plate ${x.plate.id} ×${x.n}`)
  return `${kind}: ${plates.join(', ')}`
}
