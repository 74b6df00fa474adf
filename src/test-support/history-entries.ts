// Test fixtures for the history view's tests: an entry whose status is derived from its copies,
// as the history store derives it.
import { overallStatus, type HistoryEntry, type JobCopy } from '../shared/history'

let seq = 0

/** One copy (print job) in the given Printago state. */
export function historyCopy(status: string, over: Partial<JobCopy> = {}): JobCopy {
  return {
    printJobId: `j${++seq}`,
    status,
    printerId: null,
    updatedAt: '2026-01-01T00:00:00.000Z',
    ...over
  }
}

/** A "gear.stl" entry; its status follows its copies. */
export function historyEntry(over: Partial<HistoryEntry>): HistoryEntry {
  const e: HistoryEntry = {
    id: 'e1',
    storeId: 's',
    file: '/m/gear.stl',
    fileName: 'gear.stl',
    sha256: 'a'.repeat(64),
    size: 1,
    partId: 'p',
    partBuildId: 'build1',
    routing: { mode: 'any' },
    label: 'gear',
    quantity: 1,
    priority: 'normal',
    sentAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    status: 'queued',
    copies: [],
    ...over
  }
  return { ...e, status: overallStatus(e.copies) }
}
