// Where my queued copies stand in Printago's queue: "#k of n" among every pending job of the store,
// in Printago's order (priority tier 100 before 1000, then `queueOrder`). Read with one
// `GET /v1/print-jobs?status=pending` inside the sync's budget: soon after something moved the
// queue (a job event, a queue operation, a new send), at most once a minute, and every few minutes
// anyway while a copy of mine waits. Kept in memory and laid over the snapshot like live progress.
import type { HistoryEntry, JobCopy, QueuePlace } from '../../shared/history'
import type { PrintJob } from '../../shared/printago/api-types'
import type { Clock } from '../infra/clock'
import { createLogger } from '../infra/log'
import type { PrintagoClient } from '../printago/client'
import type { BudgetedCall } from './sync-budget'

const log = createLogger('status-sync')

/** After a change, the queue is read again at most this often. */
export const QUEUE_MIN_MS = 60_000
/** After the user's own queue operation: soon, to show its effect. */
export const QUEUE_AFTER_ACTION_MS = 3_000
/** While a copy waits, the queue is read this often even when nothing seems to move. */
export const QUEUE_IDLE_MS = 5 * 60_000
const PAGE = 1000

/** The query of the pending queue (also the CLI's `queue`). */
export const PENDING_QUEUE_QUERY = {
  status: 'pending',
  sort: 'priority:asc,queueOrder:asc',
  fields: 'id,priority,queueOrder,createdAt,label,partBuildId',
  limit: PAGE
} as const

/** Printago's queue order: priority tier, then queueOrder, then age. */
export function queueOrder(
  a: Pick<PrintJob, 'priority' | 'queueOrder' | 'createdAt'>,
  b: Pick<PrintJob, 'priority' | 'queueOrder' | 'createdAt'>
): number {
  return (
    (a.priority ?? 100) - (b.priority ?? 100) ||
    (a.queueOrder ?? 0) - (b.queueOrder ?? 0) ||
    String(a.createdAt ?? '').localeCompare(String(b.createdAt ?? ''))
  )
}

/** Places of every pending job, by id. */
export function placesOf(pending: PrintJob[]): Map<string, QueuePlace> {
  const sorted = [...pending].sort(queueOrder)
  return new Map(sorted.map((j, i) => [j.id, { position: i + 1, total: sorted.length }]))
}

export interface QueuePositions {
  /** Something may have moved the queue; `soon` after the user's own operation. */
  dirty(soon?: boolean): void
  /** ms until a read is worth making for these entries; null when none is needed. */
  dueIn(entries: readonly HistoryEntry[]): number | null
  /** Reads the queue through `call`; true when a shown place changed. Never throws. */
  refresh(call: BudgetedCall): Promise<boolean>
  overlay(entries: HistoryEntry[]): HistoryEntry[]
}

const waiting = (c: JobCopy): boolean => c.status === 'pending' && !c.deletedOnServer

export function createQueuePositions(opts: {
  client: Pick<PrintagoClient, 'listPrintJobs'>
  clock: Clock
}): QueuePositions {
  const { clock } = opts
  let places = new Map<string, QueuePlace>()
  let lastRead = -Infinity
  let dirtyAt: number | null = clock.now()
  let soon = false

  return {
    dirty(now = false) {
      dirtyAt ??= clock.now()
      soon ||= now
    },
    dueIn(entries) {
      if (!entries.some((e) => e.copies.some(waiting))) return null
      const since = clock.now() - lastRead
      const wait = dirtyAt === null ? QUEUE_IDLE_MS : soon ? QUEUE_AFTER_ACTION_MS : QUEUE_MIN_MS
      return Math.max(0, wait - since)
    },
    async refresh(call) {
      lastRead = clock.now()
      dirtyAt = null
      soon = false
      try {
        const pending = await call((o) => opts.client.listPrintJobs({ ...PENDING_QUEUE_QUERY }, o))
        const next = placesOf(pending)
        const changed =
          next.size !== places.size ||
          [...next].some(([id, p]) => {
            const q = places.get(id)
            return !q || q.position !== p.position || q.total !== p.total
          })
        places = next
        return changed
      } catch (e) {
        log.warn('could not read the queue', e)
        return false
      }
    },
    overlay(entries) {
      return entries.map((e) => {
        if (!e.copies.some((c) => waiting(c) && places.has(c.printJobId))) return e
        return {
          ...e,
          copies: e.copies.map((c) =>
            waiting(c) && places.has(c.printJobId) ? { ...c, queue: places.get(c.printJobId)! } : c
          )
        }
      })
    }
  }
}
