// Pure helpers of the operator's views in the history: which copies the queue actions apply to,
// the live line of a copy (layer, time left, queue place), how long a print took, and a copy's
// bed-clear wait in words.
import { minutesLeftText } from '../../../shared/fleet'
import {
  formatDuration,
  printSeconds,
  queueText,
  type HistoryEntry,
  type JobCopy
} from '../../../shared/history'

/** The copies each queue action applies to (never deleted ones). */
export function queueActionable(entry: Pick<HistoryEntry, 'copies'>): {
  front: string[]
  pause: string[]
  resume: string[]
  clear: string[]
} {
  const live = entry.copies.filter((c) => !c.deletedOnServer)
  const ids = (ok: (c: JobCopy) => boolean): string[] => live.filter(ok).map((c) => c.printJobId)
  return {
    front: ids((c) => c.status === 'pending'),
    pause: ids((c) => c.status === 'printing'),
    resume: ids((c) => c.status === 'paused'),
    clear: ids((c) => c.status === 'completed' || c.status === 'cancelled')
  }
}

/** "layer 61/145 · 12 min left", "#3 of 12 in the queue", or '' for a copy. */
export function copyLiveText(c: JobCopy): string {
  if (c.deletedOnServer) return ''
  if (c.status === 'pending' && c.queue) return `${queueText(c.queue)} in the queue`
  if (c.status !== 'printing' && c.status !== 'paused') return ''
  const parts: string[] = []
  if (typeof c.layer === 'number' && c.totalLayers) parts.push(`layer ${c.layer}/${c.totalLayers}`)
  if (typeof c.minutesLeft === 'number') parts.push(minutesLeftText(c.minutesLeft))
  return parts.join(' · ')
}

/** "took 1 h 5 min" for a finished copy whose start and end Printago reported. */
export function tookText(c: JobCopy): string {
  const s = printSeconds(c)
  return s === null ? '' : `took ${formatDuration(s)}`
}

/** The best queue place among the entry's queued copies ("#2 of 9"), or null. */
export function entryQueueText(entry: Pick<HistoryEntry, 'copies'>): string | null {
  const places = entry.copies
    .filter((c) => c.status === 'pending' && !c.deletedOnServer && c.queue)
    .map((c) => c.queue!)
  if (places.length === 0) return null
  const best = places.reduce((a, b) => (b.position < a.position ? b : a))
  return queueText(best)
}
