// The print queue: positions (priority tier, then queueOrder) and the operator's operations on
// jobs — cancel, retry, pause, resume, clear, move to the front, reorder, approve.
import type { PartialPrintJobInsert, PrintJob } from '../shared/printago/api-types'
import { nestError } from './http'
import { isTerminal, withPrintStatus, type SandboxStore } from './store'

/** Pending jobs of a priority tier in queue order. */
export function tierOf(store: SandboxStore, priority: number, except?: Set<string>): PrintJob[] {
  return [...store.state.printJobs.values()]
    .filter((j) => j.status === 'pending' && j.priority === priority && !except?.has(j.id))
    .sort((a, b) => a.queueOrder - b.queueOrder || a.createdAt.localeCompare(b.createdAt))
}

/** Numbers a tier's jobs in the given order, from its current smallest queueOrder (≥ 0). */
function renumber(store: SandboxStore, ordered: PrintJob[], base: number): void {
  // Patch from the back so no two jobs share a queueOrder between events.
  const targets = ordered.map((j, i) => ({ j, order: base + i }))
  for (const { j, order } of targets.reverse()) store.patchJob(j, { queueOrder: order })
  store.queueCounter = Math.max(store.queueCounter, base + ordered.length)
}

/** Queue positions for `n` new jobs: appended, or ahead of every pending job of the tier. */
export function queueOrders(
  store: SandboxStore,
  priority: number,
  position: 'front' | 'back',
  n: number
): number[] {
  const tier = tierOf(store, priority)
  if (position === 'back' || tier.length === 0) {
    const base = store.queueCounter
    store.queueCounter += n
    return Array.from({ length: n }, (_, i) => base + i)
  }
  const first = tier[0]!.queueOrder
  renumber(store, tier, first + n)
  return Array.from({ length: n }, (_, i) => first + i)
}

function each(store: SandboxStore, ids: string[], act: (job: PrintJob) => boolean): string[] {
  const done: string[] = []
  for (const id of new Set(ids)) {
    const job = store.state.printJobs.get(id)
    if (job && act(job)) done.push(id)
  }
  return done
}

/** PATCH /v1/print-jobs/cancel: cancels queued or running jobs; returns the affected ids. */
export function cancelJobs(store: SandboxStore, ids: string[]): string[] {
  return each(store, ids, (job) => {
    if (isTerminal(job)) return false
    const wasPrinting = job.status === 'printing' || job.status === 'paused'
    store.releasePrinter(job, wasPrinting, wasPrinting ? 'FAILED' : 'IDLE')
    store.patchJob(job, { status: 'cancelled', cancelledAt: store.clock.stamp() })
    return true
  })
}

/** PATCH /v1/print-jobs/retry: failed/cancelled jobs back to pending at the back of their tier. */
export function retryJobs(store: SandboxStore, ids: string[]): string[] {
  return each(store, ids, (job) => {
    if (job.status !== 'failed' && job.status !== 'cancelled') return false
    const [queueOrder = store.queueCounter++] = queueOrders(store, job.priority, 'back', 1)
    store.patchJob(job, {
      status: 'pending',
      queueOrder,
      hidden: false,
      assignedPrinterId: null,
      assignmentStartedAt: null,
      assignmentCompletedAt: null,
      printingStartedAt: null,
      printingCompletedAt: null,
      cancelledAt: null,
      errorMessage: null,
      logsUri: null,
      slicedGcodeUri: null,
      filesToPrint: [],
      materialMapping: null,
      taskId: 0
    })
    return true
  })
}

/** PATCH /v1/print-jobs/pause: printing jobs pause on their printer. */
export function pauseJobs(store: SandboxStore, ids: string[]): string[] {
  return each(store, ids, (job) => {
    if (job.status !== 'printing') return false
    store.patchJob(job, { status: 'paused' })
    const p = job.assignedPrinterId ? store.state.printers.get(job.assignedPrinterId) : undefined
    if (p) store.patchPrinter(p, withPrintStatus(p, 'PAUSE'))
    return true
  })
}

/** PATCH /v1/print-jobs/resume: paused jobs print on. */
export function resumeJobs(store: SandboxStore, ids: string[]): string[] {
  return each(store, ids, (job) => {
    if (job.status !== 'paused') return false
    store.patchJob(job, { status: 'printing' })
    const p = job.assignedPrinterId ? store.state.printers.get(job.assignedPrinterId) : undefined
    if (p) store.patchPrinter(p, withPrintStatus(p, 'RUNNING'))
    return true
  })
}

/** PATCH /v1/print-jobs/clear: completed or cancelled jobs are hidden (archived), not deleted. */
export function clearJobs(store: SandboxStore, ids: string[]): string[] {
  return each(store, ids, (job) => {
    if ((job.status !== 'completed' && job.status !== 'cancelled') || job.hidden) return false
    store.patchJob(job, { hidden: true })
    return true
  })
}

/** PATCH /v1/print-jobs/move-to-queue-front: pending jobs go ahead of their tier, in order. */
export function moveToFront(store: SandboxStore, ids: string[]): string[] {
  const moving = new Map<string, PrintJob>()
  for (const id of ids) {
    const job = store.state.printJobs.get(id)
    if (job?.status === 'pending') moving.set(id, job)
  }
  for (const priority of new Set([...moving.values()].map((j) => j.priority))) {
    const tier = tierOf(store, priority)
    const ahead = tier.filter((j) => moving.has(j.id))
    const rest = tier.filter((j) => !moving.has(j.id))
    renumber(store, [...ahead, ...rest], tier[0]!.queueOrder)
  }
  return [...moving.keys()]
}

/**
 * PATCH /v1/print-jobs/{id}/reorder: a pending job takes `newQueueOrder` (others of the tier at or
 * after it move back by one) and optionally another priority tier.
 */
export function reorderJob(
  store: SandboxStore,
  id: string,
  body: { newQueueOrder?: number; priority?: number }
): void {
  const job = store.state.printJobs.get(id)
  if (!job) throw nestError(404, `Print job ${id} not found`)
  if (job.status !== 'pending') {
    throw nestError(400, `Only pending jobs can be reordered; job ${id} is ${job.status}`)
  }
  const priority = body.priority ?? job.priority
  if (priority !== 100 && priority !== 1000) {
    throw nestError(400, `priority must be 100 (normal) or 1000 (low), got ${priority}`)
  }
  const target = Math.floor(body.newQueueOrder ?? job.queueOrder)
  const after = tierOf(store, priority, new Set([id])).filter((j) => j.queueOrder >= target)
  // Make room: the jobs at or after the target shift back only as far as needed.
  let next = target + 1
  const moves: { j: PrintJob; order: number }[] = []
  for (const j of after) {
    const order = Math.max(j.queueOrder, next)
    if (order !== j.queueOrder) moves.push({ j, order })
    next = order + 1
  }
  for (const { j, order } of moves.reverse()) store.patchJob(j, { queueOrder: order })
  store.patchJob(job, { queueOrder: target, priority: priority as PrintJob['priority'] })
  store.queueCounter = Math.max(store.queueCounter, next)
}

/**
 * PATCH /v1/print-jobs/{id}: label, priority, routing tags, material assignments and thumbnail
 * change; `status` only as an approval (waiting-for-approval → ready-for-printer). Other fields of
 * the body are accepted by the schema and ignored.
 */
export function updateJob(store: SandboxStore, id: string, body: PartialPrintJobInsert): PrintJob {
  const job = store.state.printJobs.get(id)
  if (!job) throw nestError(404, `Print job ${id} not found`)
  const patch: Partial<PrintJob> = {}
  if (body.status !== undefined && body.status !== job.status) {
    if (job.status !== 'waiting-for-approval' || body.status !== 'ready-for-printer') {
      throw nestError(
        400,
        `Cannot change status from ${job.status} to ${body.status} (only waiting-for-approval → ready-for-printer)`
      )
    }
    patch.status = 'ready-for-printer'
  }
  if (body.label !== undefined) patch.label = body.label
  if (body.priority !== undefined) patch.priority = body.priority
  if (body.requiredPrinterTags !== undefined) patch.requiredPrinterTags = body.requiredPrinterTags
  if (body.materialAssignments !== undefined) patch.materialAssignments = body.materialAssignments
  if (body.thumbnailUri !== undefined) patch.thumbnailUri = body.thumbnailUri
  store.patchJob(job, patch)
  return job
}
