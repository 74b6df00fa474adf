// Finished jobs: which copy changes deserve a desktop notification (a copy of one of my jobs
// just completed or failed, and notifications are on), what it says, and who hears about it.
import type { HistoryEntry, JobCopy } from '../../shared/history'
import type { AppSettings } from '../../shared/settings'
import { createLogger } from '../infra/log'
import type { HistoryStore } from './store'
import type { FinishedCopy } from './sync-apply'

const log = createLogger('status-sync')

/** The settings the sync reads (the app's `notifications` toggle). */
export type NotifySettings = Pick<AppSettings, 'notifications'>

/** Whether a copy's change deserves a desktop notification: it just completed or failed. */
export function shouldNotify(
  prev: Pick<JobCopy, 'status'> | undefined,
  next: Pick<JobCopy, 'status' | 'deletedOnServer'>,
  settings: NotifySettings
): boolean {
  if (!settings.notifications || next.deletedOnServer) return false
  if (next.status !== 'completed' && next.status !== 'failed') return false
  return prev?.status !== next.status
}

/** Title and body of the desktop notification for a finished copy. */
export function notificationText(
  entry: HistoryEntry,
  copy: JobCopy
): { title: string; body: string } {
  const name = entry.label || entry.fileName
  const index = entry.copies.findIndex((c) => c.printJobId === copy.printJobId)
  const which =
    entry.copies.length > 1 && index >= 0 ? `Copy ${index + 1} of ${entry.copies.length}` : ''
  const where = copy.printerName ? `on ${copy.printerName}` : ''
  if (copy.status === 'failed') {
    const reason = copy.errorMessage ? `: ${copy.errorMessage}` : ''
    return {
      title: `Print failed: ${name}`,
      body: `${[which, where].filter(Boolean).join(' ') || 'The print'} failed${reason}`.slice(
        0,
        250
      )
    }
  }
  return {
    title: `Printed: ${name}`,
    body: `${[which, where].filter(Boolean).join(' ') || 'The print'} finished.`
  }
}

export type JobFinishedListener = (entry: HistoryEntry, copy: JobCopy) => void

export interface FinishedJobs {
  onJobFinished(listener: JobFinishedListener): () => void
  /** Tells the listeners about the copies of one sync step that deserve it. */
  dispatch(finished: readonly FinishedCopy[]): void
  clear(): void
}

export function createFinishedJobs(opts: {
  store: Pick<HistoryStore, 'get'>
  settings: () => NotifySettings
}): FinishedJobs {
  const listeners = new Set<JobFinishedListener>()
  return {
    onJobFinished(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    dispatch(finished) {
      const s = opts.settings()
      for (const f of finished) {
        if (!shouldNotify(f.prev, f.copy, s)) continue
        // The entry as it is now (a later copy of the same step may have changed it again).
        const entry = opts.store.get(f.entry.id) ?? f.entry
        const copy = entry.copies.find((c) => c.printJobId === f.copy.printJobId) ?? f.copy
        for (const l of listeners) {
          try {
            l(entry, copy)
          } catch (e) {
            log.error('job-finished listener failed', e)
          }
        }
      }
    },
    clear: () => listeners.clear()
  }
}
