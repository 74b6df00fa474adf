// What printer-stats messages tell about the copies being printed: today the progress percent.
// Kept in memory only (it changes every few seconds and is stale after a restart) and laid over
// the entries when a snapshot is taken, never written to the history file.
import type { HistoryEntry, JobCopy } from '../../shared/history'
import type { PrinterStatsMessage } from '../printago/realtime'

export interface PrinterStats {
  /**
   * Takes one printer-stats message; true when it changed what a copy being printed shows
   * (progress moves by whole percents).
   */
  apply(message: PrinterStatsMessage, entries: () => readonly HistoryEntry[]): boolean
  /** `entries` with the live progress of their printing copies (unchanged objects otherwise). */
  overlay(entries: HistoryEntry[]): HistoryEntry[]
}

function printingOn(c: JobCopy, progress: Map<string, number>): boolean {
  return c.status === 'printing' && !!c.printerId && progress.has(c.printerId)
}

export function createPrinterStats(): PrinterStats {
  const progress = new Map<string, number>()
  return {
    apply(m, entries) {
      if (m.percent === null) return false
      const prev = progress.get(m.printerId)
      if (prev !== undefined && Math.abs(prev - m.percent) < 1) return false
      progress.set(m.printerId, m.percent)
      return entries().some((e) =>
        e.copies.some((c) => c.printerId === m.printerId && c.status === 'printing')
      )
    },
    overlay(entries) {
      return entries.map((e) => {
        if (!e.copies.some((c) => printingOn(c, progress))) return e
        return {
          ...e,
          copies: e.copies.map((c) =>
            printingOn(c, progress) ? { ...c, progress: progress.get(c.printerId!)! } : c
          )
        }
      })
    }
  }
}
