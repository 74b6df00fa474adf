// The fleet as an operator reads it: each printer's state in words, the job on it with progress,
// and which printers need a hand (a bed to clear, an error to look at). Pure; shared by the
// renderer's fleet strip and printer table and by the CLI's `printers`.
import { formatDuration, type HistoryEntry } from './history'
import type { PrinterHealth, PrinterState, PrinterSummary } from './ipc'
import { carriesAllTags } from './send'

export const PRINTER_STATE_LABEL: Record<PrinterState, string> = {
  ready: 'Ready',
  'waiting-bed-clear': 'Bed not cleared',
  printing: 'Printing',
  paused: 'Paused',
  offline: 'Offline',
  disabled: 'Disabled',
  maintenance: 'In maintenance'
}

/** Why a printer needs someone, most urgent first; empty when it does not. */
export interface NeedsHand {
  kind: 'bed-clear' | 'error' | 'paused' | 'maintenance'
  text: string
}

/** What a printer needs from the operator: a bed to clear, an error, a paused print. */
export function needsHand(p: PrinterSummary): NeedsHand[] {
  const out: NeedsHand[] = []
  const errors = (p.health ?? []).filter((h) => h.level === 'error')
  for (const e of errors) out.push({ kind: 'error', text: healthText(e) })
  if (p.state === 'waiting-bed-clear') out.push({ kind: 'bed-clear', text: 'Clear the bed' })
  if (p.state === 'paused') out.push({ kind: 'paused', text: 'Print paused' })
  if (p.state === 'maintenance') out.push({ kind: 'maintenance', text: 'In maintenance' })
  return out
}

/** "HMS_0300_0100: Nozzle clog" (the code only when the message does not already say it). */
export function healthText(h: PrinterHealth): string {
  return h.message.includes(h.code) ? h.message : `${h.code}: ${h.message}`
}

/** "12 min left", "under a minute left" for minutes left (Bambu reports whole minutes). */
export function minutesLeftText(minutes: number): string {
  return minutes < 1 ? 'under a minute left' : `${formatDuration(minutes * 60)} left`
}

/** "42% · layer 61/145 · 12 min left" for the job on a printer; '' when nothing is known. */
export function jobProgressText(p: Pick<PrinterSummary, 'job'>): string {
  const j = p.job
  if (!j) return ''
  const parts: string[] = []
  if (j.percent !== null) parts.push(`${Math.round(j.percent)}%`)
  if (j.layer !== null && j.totalLayers) parts.push(`layer ${j.layer}/${j.totalLayers}`)
  if (j.minutesLeft !== null) parts.push(minutesLeftText(j.minutesLeft))
  return parts.join(' · ')
}

/** The job's name: its label, or what kind of print it is. */
export function jobLabel(j: NonNullable<PrinterSummary['job']>): string {
  if (j.label) return j.label
  return j.printJobId ? 'a Printago job' : 'a print started outside Printago'
}

/** Printers that need a hand first, then printing, then the rest (stable otherwise). */
export function byAttention(a: PrinterSummary, b: PrinterSummary): number {
  const rank = (p: PrinterSummary): number =>
    needsHand(p).length > 0 ? 0 : p.state === 'printing' || p.state === 'paused' ? 1 : 2
  return rank(a) - rank(b)
}

// ---- waiting for a bed clear ----------------------------------------------------------------

/** One entry of mine waiting for a bed clear, and the printers whose bed would let it start. */
export interface BedWait {
  entry: HistoryEntry
  /** Printers (in fleet order) waiting for their bed to be cleared that could take the copy. */
  printers: Array<Pick<PrinterSummary, 'id' | 'name'>>
  /** Its pending copies. */
  printJobIds: string[]
}

function candidates(entry: HistoryEntry, fleet: readonly PrinterSummary[]): PrinterSummary[] {
  const r = entry.routing
  if (r.mode === 'printer') return fleet.filter((p) => p.id === r.printerId)
  if (r.mode === 'tags') return fleet.filter((p) => carriesAllTags(p.tags, r.tags))
  return [...fleet]
}

/** My entries whose queued copies wait for a bed to be cleared. */
export function bedWaits(
  entries: readonly HistoryEntry[],
  fleet: readonly PrinterSummary[]
): BedWait[] {
  const out: BedWait[] = []
  for (const entry of entries) {
    const pending = entry.copies.filter((c) => c.status === 'pending' && !c.deletedOnServer)
    if (pending.length === 0) continue
    const can = candidates(entry, fleet)
    if (can.some((p) => p.state === 'ready')) continue
    const beds = can.filter((p) => p.state === 'waiting-bed-clear')
    if (beds.length === 0) continue
    out.push({
      entry,
      printers: beds.map((p) => ({ id: p.id, name: p.name })),
      printJobIds: pending.map((c) => c.printJobId)
    })
  }
  return out
}
