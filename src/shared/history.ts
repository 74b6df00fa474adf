// The local job history as the UI, the CLI and the sync service see it, and the mapping of
// Printago's 13 print-job states to the five the user cares about.
import type { Priority, QueuePosition, Routing } from './send'

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
  updatedAt: string
  /** The job no longer exists in Printago (404 / absent from its build / DELETE event); kept, not dropped. */
  deletedOnServer?: boolean
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
  /** ms since epoch of the last confirmed server state (for "last known state, 3 min ago"). */
  syncedAt?: number
}

/** Overall status of a send from its copies. */
export function overallStatus(copies: Pick<JobCopy, 'status'>[]): JobStatus {
  if (copies.length === 0) return 'queued'
  const s = copies.map((c) => jobStatusOf(c.status))
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
  sync: { mode: SyncMode; lastSyncAt: number | null; error?: string }
  /** Set once after start-up when a damaged history file was set aside. */
  recovered?: { message: string; backupPath: string }
}
