// "Queue now, start after the plate is cleared": which of my queued copies wait for a bed to be
// cleared, and a watcher that tells once per wait (a desktop notification with "Mark bed clear").
// A copy waits for a bed when no printer it may go to is ready and one of them only lacks a
// cleared bed; materials are not judged here ("Why is it waiting?" asks Printago for that).
import { carriesAllTags } from '../../shared/send'
import type { HistoryEntry } from '../../shared/history'
import type { PrinterSummary } from '../../shared/ipc'

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

/** Title and body of the notification for one wait. */
export function bedWaitText(w: BedWait): { title: string; body: string } {
  const name = w.entry.label || w.entry.fileName
  const first = w.printers[0]!.name
  const others = w.printers.length - 1
  const where =
    others > 0 ? `${first} (or ${others} other printer${others === 1 ? '' : 's'})` : first
  const n = w.printJobIds.length
  return {
    title: `Waiting for a bed clear: ${name}`,
    body: `${n === 1 ? 'It' : `${n} copies`} will start once the bed of ${where} is cleared.`
  }
}

/**
 * Tells `notify` about each new wait once: again only after that entry stopped waiting (a copy
 * started) and waits anew, or waits for another printer.
 */
export function createBedWaitWatcher(opts: { notify: (wait: BedWait) => void }): {
  check(entries: readonly HistoryEntry[], fleet: readonly PrinterSummary[]): void
} {
  let told = new Map<string, string>()
  return {
    check(entries, fleet) {
      const now = new Map<string, string>()
      for (const w of bedWaits(entries, fleet)) {
        const key = w.printers.map((p) => p.id).join(',')
        now.set(w.entry.id, key)
        if (told.get(w.entry.id) !== key) opts.notify(w)
      }
      told = now
    }
  }
}
