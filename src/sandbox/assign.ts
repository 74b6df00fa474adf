// Assignment: pending jobs, by priority tier then queue order, each to the least recently used
// ready printer that can run it (Printago's docs: the printer that printed longest ago).
import type { Printer, PrintJob } from '../shared/printago/api-types'
import { canRun, isReady, materialCheck } from './matching'
import { mappingOf } from './materials'
import { withPrintStatus, type SandboxStore } from './store'

/** Gives ready printers to pending jobs. */
export function assignPending(s: SandboxStore): void {
  const order = new Map([...s.state.printers.keys()].map((id, i) => [id, i]))
  // Least recently used first (never printed before anything), fleet order between equals.
  let free = [...s.state.printers.values()]
    .filter(isReady)
    .sort(
      (a, b) =>
        (a.lastPrintedAt ?? '').localeCompare(b.lastPrintedAt ?? '') ||
        (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0)
    )
  if (free.length === 0) return
  const pending = [...s.state.printJobs.values()]
    .filter((j) => j.status === 'pending')
    .sort(
      (a, b) =>
        a.priority - b.priority ||
        a.queueOrder - b.queueOrder ||
        a.createdAt.localeCompare(b.createdAt)
    )
  for (const job of pending) {
    const p = free.find((x) => canRun(s, x, job))
    if (!p) continue
    free = free.filter((x) => x !== p)
    const materials = materialCheck(s, p, job)
    let mapping = materials.ok ? materials.mapping : []
    // No requirement: the printer prints with what is in its first loaded slot.
    if (mapping.length === 0) mapping = firstSlot(s, p)
    s.patchPrinter(p, {
      isAvailable: false,
      printingJobId: job.id,
      ...withPrintStatus(p, 'PREPARE')
    })
    s.patchJob(job, {
      status: 'assigned',
      assignedPrinterId: p.id,
      assignmentStartedAt: s.clock.stamp(),
      materialMapping: mapping.length ? mapping : null
    })
    if (free.length === 0) break
  }
}

function firstSlot(s: SandboxStore, p: Printer): NonNullable<PrintJob['materialMapping']> {
  const first = s.loadedSlots(p.id)[0]
  return first ? [mappingOf(first)] : []
}
