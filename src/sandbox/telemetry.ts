// Printer telemetry as Printago streams it on `stores/{storeId}/printer-stats/{printerId}`: a full
// PrinterStat (the removed REST endpoint's schema) whenever a printer or its job changes state, and
// sparse progress-only messages (no `state`) while printing, as real streams are sparse.
import type { LegacyPrinterStat, Printer, PrintJob } from '../shared/printago/api-types'
import { printedSize } from './part-facts'
import type { SandboxStore } from './store'
import type { PrinterStatMessage, SandboxEntityEvent } from './types'

/** Where a running print is, in the sandbox's virtual time. */
export interface PrintProgress {
  /** 0–100. */
  percent: number
  /** Virtual milliseconds left. */
  remainingMs: number
}

const LAYER_MM = 0.2
const EXPIRES_MS = 5 * 60_000

/** Bambu-like states, as Printago's stream names them (`PRINTING`, not Bambu's `RUNNING`). */
function stateOf(p: Printer, job: PrintJob | undefined): string | null {
  if (!p.isOnline) return null
  if (job?.status === 'printing') return 'PRINTING'
  if (job?.status === 'paused') return 'PAUSE'
  if (job) return 'PREPARE'
  if (!p.isAvailable) return 'PRINTING' // a print started outside Printago
  const status = (p.metadata as { print_status?: unknown } | null)?.print_status
  if (status === 'FAILED' || status === 'FINISH') return status
  return p.confirmedReady ? 'IDLE' : 'FINISH'
}

const STAGES: Partial<Record<PrintJob['status'], string>> = {
  assigned: 'preparing',
  slicing: 'slicing',
  sliced: 'preparing',
  finalizing: 'preparing',
  'waiting-for-approval': 'waiting',
  'ready-for-printer': 'preparing',
  'sending-to-printer': 'downloading',
  printing: 'printing',
  paused: 'paused'
}

function totalLayers(store: SandboxStore, job: PrintJob): number {
  const part = job.partId ? store.state.parts.get(job.partId) : undefined
  const plateId = job.extensions?.['3mf']?.plateId ?? null
  const size = part ? printedSize(store.state, part, plateId) : null
  return size ? Math.max(1, Math.ceil(size[2] / LAYER_MM)) : 100
}

function printSection(
  store: SandboxStore,
  job: PrintJob,
  progress: PrintProgress | null
): NonNullable<LegacyPrinterStat['data']['print']> {
  const layers = totalLayers(store, job)
  const percent =
    job.status === 'printing' || job.status === 'paused' ? (progress?.percent ?? 0) : 0
  const stage = STAGES[job.status] ?? 'idle'
  return {
    percent: Math.floor(percent),
    currentLayer: Math.floor((percent / 100) * layers),
    totalLayers: layers,
    // Minutes, as Bambu reports them (Printago's unit is undocumented).
    timeRemaining: progress ? Math.ceil(progress.remainingMs / 60_000) : 0,
    downloadPercent: job.status === 'sending-to-printer' ? 50 : job.status === 'printing' ? 100 : 0,
    stage,
    activity: stage,
    taskId: String(job.taskId),
    taskName: job.label
  }
}

/** The full message for a printer now. */
export function printerStat(
  store: SandboxStore,
  p: Printer,
  progress: PrintProgress | null,
  nowMs: number
): LegacyPrinterStat {
  const job = p.printingJobId ? store.state.printJobs.get(p.printingJobId) : undefined
  const state = stateOf(p, job)
  const hot = state === 'PRINTING' || state === 'PAUSE' || state === 'PREPARE'
  const warnings = p.isInMaintenance
    ? [{ message: 'Printer is in maintenance mode', code: 'MAINTENANCE' }]
    : []
  const infos =
    p.isOnline && p.isAvailable && !p.confirmedReady
      ? [{ message: 'Waiting for the bed to be cleared', code: 'BED_NOT_CLEARED' }]
      : []
  const failed =
    state === 'FAILED'
      ? [...store.state.printJobs.values()]
          .filter((j) => j.assignedPrinterId === p.id && j.status === 'failed')
          .at(-1)
      : undefined
  const errors = failed?.errorMessage
    ? [
        {
          message: failed.errorMessage,
          code: /HMS_[0-9A-F-]+/.exec(failed.errorMessage)?.[0] ?? 'PRINT_FAILED'
        }
      ]
    : []
  const data: LegacyPrinterStat['data'] = {
    temps: {
      nozzleTemp: hot ? 220 : 26,
      nozzleTempTarget: hot ? 220 : 0,
      bedTemp: hot ? 55 : 24,
      bedTempTarget: hot ? 55 : 0,
      chamberTemp: hot ? 31 : 25,
      chamberTempTarget: 0
    },
    printer: { nozzleDiameter: p.nozzleDiameter, homeAxes: { x: true, y: true, z: true } },
    health: { errors, warnings, infos }
  }
  if (job) data.print = printSection(store, job, progress)
  return {
    printerId: p.id,
    storeId: store.storeId,
    state,
    isOnline: p.isOnline,
    isAvailable: p.isOnline ? p.isAvailable : null,
    receivedAt: new Date(nowMs).toISOString(),
    expiresAt: new Date(nowMs + EXPIRES_MS).toISOString(),
    data
  }
}

/** A sparse progress message: ids, time and `data.print` only. */
export function progressStat(
  store: SandboxStore,
  p: Printer,
  job: PrintJob,
  progress: PrintProgress,
  nowMs: number
): PrinterStatMessage {
  return {
    printerId: p.id,
    storeId: store.storeId,
    receivedAt: new Date(nowMs).toISOString(),
    data: { print: printSection(store, job, progress) }
  }
}

/**
 * Publishes a full message whenever a printer changes or the job it runs changes status.
 * Returns the function that stops it.
 */
export function watchPrinters(
  store: SandboxStore,
  progressOf: (jobId: string) => PrintProgress | null,
  now: () => number
): () => void {
  const publish = (p: Printer | undefined): void => {
    if (!p || !store.state.printers.has(p.id)) return
    const progress = p.printingJobId ? progressOf(p.printingJobId) : null
    store.emitStats(printerStat(store, p, progress, now()))
  }
  const onEntity = (e: SandboxEntityEvent): void => {
    if (e.entityType === 'printer' && e.action !== 'DELETE') {
      for (const id of Object.keys(e.entities)) publish(store.state.printers.get(id))
    } else if (e.entityType === 'printJob' && e.action === 'UPDATE') {
      for (const [id, changes] of Object.entries(e.changes ?? {})) {
        if (!('status' in changes)) continue
        const job = store.state.printJobs.get(id)
        const p = job?.assignedPrinterId
          ? store.state.printers.get(job.assignedPrinterId)
          : undefined
        if (p?.printingJobId === id) publish(p)
      }
    }
  }
  store.events.on('entity', onEntity)
  return () => store.events.off('entity', onEntity)
}
