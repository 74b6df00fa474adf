// The local job history as the UI, the CLI and the sync service see it, and the mapping of
// Printago's 13 print-job states to the five the user cares about.
import type { MaterialChoice, ModelUnit, Priority, QueuePosition, Routing } from './send'
import type { ProjectFacts } from './send-project'

/** A 3MF's part as sent: its plates, where sliced G-code may go, and the per-plate choices. */
export type HistoryProject = ProjectFacts & {
  plateQuantities?: Record<string, number>
  use3MFProcessProfile?: boolean
}

/** Longest thumbnail (PNG data URL) kept in history; the renderer sends none longer. */
export const MAX_THUMBNAIL_CHARS = 32_000

/** Printago's print-job states (PrintJob.status in the official spec). */
export const PRINTAGO_JOB_STATES = [
  'pending',
  'assigned',
  'slicing',
  'sliced',
  'finalizing',
  'waiting-for-approval',
  'ready-for-printer',
  'sending-to-printer',
  'printing',
  'paused',
  'completed',
  'failed',
  'cancelled'
] as const
export type PrintagoJobState = (typeof PRINTAGO_JOB_STATES)[number]

export type JobStatus = 'queued' | 'in-progress' | 'printed' | 'failed' | 'cancelled'

/** Maps one Printago state to the UI's status; unknown states count as in progress. */
export function jobStatusOf(state: string): JobStatus {
  switch (state) {
    case 'pending':
      return 'queued'
    case 'completed':
      return 'printed'
    case 'failed':
      return 'failed'
    case 'cancelled':
      return 'cancelled'
    default:
      return 'in-progress'
  }
}

/** True for states that will not change without a user action. */
export function isTerminal(state: string): boolean {
  return state === 'completed' || state === 'failed' || state === 'cancelled'
}

/** One printed copy (one Printago print job). */
export interface JobCopy {
  printJobId: string
  /** Printago's own state, e.g. 'printing'. */
  status: string
  printerId: string | null
  printerName?: string | null
  errorMessage?: string | null
  /** 0..100 when known (printer stats). */
  progress?: number | null
  /** Live from printer stats while printing (memory only, never written to the history file). */
  layer?: number | null
  totalLayers?: number | null
  minutesLeft?: number | null
  /** "#position of total" in Printago's queue while pending (memory only, refreshed by the sync). */
  queue?: QueuePlace | null
  /** When the printer started and finished it (Printago's printingStartedAt / printingCompletedAt). */
  startedAt?: string | null
  finishedAt?: string | null
  /** Storage path of Printago's slicer log for this job (signed and fetched by main). */
  logsUri?: string | null
  updatedAt: string
  /** The job no longer exists in Printago (404 / absent from its build / DELETE event); kept, not dropped. */
  deletedOnServer?: boolean
}

/** Where a pending copy stands in Printago's queue: `position` of `total` pending jobs. */
export interface QueuePlace {
  position: number
  total: number
}

/** Printago's slicing estimate of a part (its `slicingEstimate`), reduced to what the UI shows. */
export interface PrintEstimate {
  seconds: number
  grams: number
  /** Per filament, e.g. `{type: 'PLA', grams: 12.5}`. */
  materials: Array<{ type: string; grams: number; color?: string }>
  slicerVersion?: string
}

/** True while a copy may still change on its own (not final, not deleted on the server). */
export function isOpenCopy(copy: Pick<JobCopy, 'status' | 'deletedOnServer'>): boolean {
  return !copy.deletedOnServer && !isTerminal(copy.status)
}

/** One send of one file (one part build), as kept in the local history. */
export interface HistoryEntry {
  /** Local id (stable across re-syncs). */
  id: string
  storeId: string
  file: string
  fileName: string
  sha256: string
  size: number
  dimensions?: [number, number, number]
  triangles?: number
  /** Small PNG data URL. */
  thumbnail?: string
  partId: string
  partBuildId: string
  routing: Routing
  label: string
  quantity: number
  priority: Priority
  /** Queue position asked for at send time (kept so "Print again" can reuse it). */
  position?: QueuePosition
  sentAt: string
  updatedAt: string
  /** Overall status derived from the copies (worst-first: failed > in-progress > queued > …). */
  status: JobStatus
  copies: JobCopy[]
  /** Set when this entry is a re-print of another entry. */
  reprintOf?: string
  /** The material asked for (none: any). */
  material?: MaterialChoice
  /** Printer models it was restricted to (`printer.modelName`), so it lands on a bed it fits. */
  printerModels?: string[]
  /** A 3MF or gcode.3mf (absent: an STL). Print again sends the same plates the same way. */
  project?: HistoryProject
  /**
   * Set when `file` is a scaled copy: the file the user chose, its hash and the unit it was read
   * in (`file`, `sha256` and `size` are the copy Printago got, in millimetres).
   */
  original?: { file: string; fileName: string; sha256: string; unit: ModelUnit }
  /** ms since epoch of the last confirmed server state (for "last known state, 3 min ago"). */
  syncedAt?: number
  /** Printago's slicing estimate of the part, once Printago has one. */
  estimate?: PrintEstimate
  /** Printago's own thumbnail of the part (a PNG/JPEG data URL fetched by main). */
  remoteThumbnail?: string
  /** Things the user should know about how it was queued (e.g. what the legacy API dropped). */
  notes?: string[]
}

/**
 * The UI status of one copy. A copy deleted in Printago while still open (not completed, failed
 * or cancelled) can never print or change again: it counts as **cancelled**, so an entry does not
 * stay "Queued" / "In progress" forever. A copy that had finished before it was deleted keeps the
 * status it finished with (a deleted completed job was still printed).
 */
export function copyStatusOf(copy: Pick<JobCopy, 'status' | 'deletedOnServer'>): JobStatus {
  if (copy.deletedOnServer && !isTerminal(copy.status)) return 'cancelled'
  return jobStatusOf(copy.status)
}

/**
 * Overall status of a send from its copies (see `copyStatusOf`: an open copy deleted in Printago
 * counts as cancelled). No copies yet means queued: the jobs are still to be discovered.
 */
export function overallStatus(copies: Pick<JobCopy, 'status' | 'deletedOnServer'>[]): JobStatus {
  if (copies.length === 0) return 'queued'
  const s = copies.map(copyStatusOf)
  if (s.includes('failed')) return 'failed'
  if (s.includes('in-progress')) return 'in-progress'
  if (s.includes('queued')) return 'queued'
  if (s.every((x) => x === 'cancelled')) return 'cancelled'
  if (s.every((x) => x === 'printed' || x === 'cancelled')) return 'printed'
  return 'in-progress'
}

export type SyncMode = 'realtime' | 'polling' | 'offline'

export interface HistorySnapshot {
  entries: HistoryEntry[]
  /**
   * `note`: why the mode is what it is when nothing failed (e.g. realtime is connected but job
   * events do not arrive, so the jobs are checked over REST).
   */
  sync: { mode: SyncMode; lastSyncAt: number | null; error?: string; note?: string }
  /** Set once after start-up when a damaged history file was set aside. */
  recovered?: { message: string; backupPath: string }
}

// ---- helpers shared by main (actions, CLI) and the renderer (pure) -----------------------------

/** "2 h 5 min", "14 min", "40 s" for a duration in seconds. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`
}

/** "1 h 12 min · 38 g PLA" for an estimate. */
export function estimateText(e: PrintEstimate): string {
  const types = [...new Set(e.materials.map((m) => m.type).filter(Boolean))]
  const grams = `${e.grams >= 10 ? Math.round(e.grams) : e.grams.toFixed(1)} g`
  return [formatDuration(e.seconds), types.length ? `${grams} ${types.join(' + ')}` : grams].join(
    ' · '
  )
}

/** How long the printer took for a finished copy (seconds), or null when unknown. */
export function printSeconds(copy: Pick<JobCopy, 'startedAt' | 'finishedAt'>): number | null {
  if (!copy.startedAt || !copy.finishedAt) return null
  const ms = Date.parse(copy.finishedAt) - Date.parse(copy.startedAt)
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : null
}

/** "#3 of 12" for a queue place. */
export function queueText(q: QueuePlace): string {
  return `#${q.position} of ${q.total}`
}

function durationText(ms: number): string {
  const m = Math.floor(ms / 60_000)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  return m % 60 === 0 ? `${h} h` : `${h} h ${m % 60} min`
}

function listWords(xs: string[]): string {
  if (xs.length <= 1) return xs.join('')
  return `${xs.slice(0, -1).join(', ')} and ${xs.at(-1)}`
}

/** Something to say when a job has waited in the queue longer than `thresholdMs`; else null. */
export function waitingHint(
  entry: Pick<HistoryEntry, 'sentAt' | 'quantity' | 'routing' | 'copies'>,
  now: number,
  thresholdMs = 10 * 60_000
): string | null {
  const sent = Date.parse(entry.sentAt)
  if (entry.copies.length === 0) {
    if (entry.quantity > 0 && now - sent > thresholdMs) {
      return `Printago has not created the print jobs after ${durationText(now - sent)}.`
    }
    return null
  }
  const queued = entry.copies.filter((c) => c.status === 'pending' && !c.deletedOnServer)
  if (queued.length === 0) return null
  // Waiting since it was sent, or since it went back to the queue (retry).
  const since = Math.max(sent, Math.min(...queued.map((c) => Date.parse(c.updatedAt) || sent)))
  const waited = now - since
  if (waited <= thresholdMs) return null
  const ask = '“Why is it waiting?” shows what each printer lacks.'
  const r = entry.routing
  if (r.mode === 'printer') return `Waiting ${durationText(waited)} for the chosen printer. ${ask}`
  if (r.mode === 'tags') {
    const tags = `${r.tags.length === 1 ? 'tag' : 'tags'} ${listWords(r.tags)}`
    return `Queued for ${durationText(waited)}: no printer with ${tags} has taken it yet. ${ask}`
  }
  return `Queued for ${durationText(waited)} without a free printer. ${ask}`
}

export const PRINTAGO_APP_URL = 'https://app.printago.io'

/**
 * The entry's part in Printago's web app. `/parts/<partId>` is documented (docs.printago.io API
 * examples); Printago documents no link to one job or build.
 */
export function printagoPartUrl(entry: Pick<HistoryEntry, 'partId'>): string {
  return `${PRINTAGO_APP_URL}/parts/${encodeURIComponent(entry.partId)}`
}

/** The print queue page. A GUESS: the path is not documented anywhere we could read. */
export function printagoQueueUrl(): string {
  return `${PRINTAGO_APP_URL}/queue`
}
