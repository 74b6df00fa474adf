// Pure helpers of the history view: labels, filtering, progress and time read-outs, CSV download.
import {
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
  const printing = entry.copies.filter((c) => c.status === 'printing')
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
    if (c.status === 'completed') return 100
    if (c.status === 'printing' && typeof c.progress === 'number') return c.progress
    return jobStatusOf(c.status) === 'queued' || c.status === 'printing' ? 0 : null
  })
  const known = vals.filter((v): v is number => v !== null)
  if (known.length === 0 || !entry.copies.some((c) => c.status === 'printing')) return null
  return known.reduce((a, b) => a + b, 0) / entry.copies.length
}

/** "12 s ago", "3 min ago", "5 h ago", then the date. */
export function timeAgo(iso: string | number, now: number): string {
  const at = typeof iso === 'number' ? iso : Date.parse(iso)
  if (!Number.isFinite(at)) return ''
  const s = Math.max(0, Math.round((now - at) / 1000))
  if (s < 60) return `${s} s ago`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min ago`
  const h = Math.round(m / 60)
  if (h < 48) return `${h} h ago`
  return new Date(at).toLocaleDateString()
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
