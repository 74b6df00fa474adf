// What printer-stats messages tell about the copies being printed: progress, layer and time left.
// Kept in memory only (it changes every few seconds and is stale after a restart) and laid over
// the entries when a snapshot is taken, never written to the history file. Messages are sparse:
// a field a message does not carry keeps its last value.
import type { HistoryEntry, JobCopy } from '../../shared/history'
import type { PrinterStatsMessage } from '../printago/realtime'

export interface PrinterStats {
  /**
   * Takes one printer-stats message; true when it changed what a copy being printed shows
   * (progress by whole percents, the layer, the minutes left).
   */
  apply(message: PrinterStatsMessage, entries: () => readonly HistoryEntry[]): boolean
  /** `entries` with the live progress of their printing copies (unchanged objects otherwise). */
  overlay(entries: HistoryEntry[]): HistoryEntry[]
}

interface Live {
  percent: number | null
  layer: number | null
  totalLayers: number | null
  minutesLeft: number | null
}

const LIVE_STATES = new Set(['printing', 'paused'])

function liveOn(c: JobCopy, live: Map<string, Live>): Live | undefined {
  return LIVE_STATES.has(c.status) && c.printerId ? live.get(c.printerId) : undefined
}

export function createPrinterStats(): PrinterStats {
  const live = new Map<string, Live>()
  return {
    apply(m, entries) {
      if (!m.hasPrint) return false
      const prev = live.get(m.printerId)
      const next: Live = {
        percent: m.percent ?? prev?.percent ?? null,
        layer: m.currentLayer !== undefined ? m.currentLayer : (prev?.layer ?? null),
        totalLayers: m.totalLayers !== undefined ? m.totalLayers : (prev?.totalLayers ?? null),
        minutesLeft: m.timeRemaining !== undefined ? m.timeRemaining : (prev?.minutesLeft ?? null)
      }
      const moved =
        !prev ||
        (next.percent !== null &&
          (prev.percent === null || Math.abs(prev.percent - next.percent) >= 1)) ||
        next.layer !== prev.layer ||
        next.totalLayers !== prev.totalLayers ||
        next.minutesLeft !== prev.minutesLeft
      if (!moved) return false
      // Less than a percent is not worth showing, but the smaller steps still add up.
      if (prev && next.percent !== null && prev.percent !== null) {
        if (Math.abs(prev.percent - next.percent) < 1) next.percent = prev.percent
      }
      live.set(m.printerId, next)
      return entries().some((e) =>
        e.copies.some((c) => c.printerId === m.printerId && LIVE_STATES.has(c.status))
      )
    },
    overlay(entries) {
      return entries.map((e) => {
        if (!e.copies.some((c) => liveOn(c, live))) return e
        return {
          ...e,
          copies: e.copies.map((c) => {
            const l = liveOn(c, live)
            if (!l) return c
            const out: JobCopy = { ...c }
            if (l.percent !== null) out.progress = l.percent
            if (l.layer !== null) out.layer = l.layer
            if (l.totalLayers !== null) out.totalLayers = l.totalLayers
            if (l.minutesLeft !== null) out.minutesLeft = l.minutesLeft
            return out
          })
        }
      })
    }
  }
}
