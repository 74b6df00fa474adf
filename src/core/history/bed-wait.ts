// "Queue now, start after the plate is cleared": which of my queued copies wait for a bed to be
// cleared, and a watcher that tells once per wait (a desktop notification with "Mark bed clear").
// A copy waits for a bed when no printer it may go to is ready and one of them only lacks a
// cleared bed; materials are not judged here ("Why is it waiting?" asks Printago for that).
import { bedWaits, type BedWait } from '../../shared/fleet'
import type { HistoryEntry } from '../../shared/history'
import type { PrinterSummary } from '../../shared/ipc'

export { bedWaits, type BedWait }

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
