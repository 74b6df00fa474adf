// The history as CSV: one row per entry, formula-injection-safe cells.
import type { HistoryEntry } from '../../shared/history'
import type { HistoryStore } from './store'

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
