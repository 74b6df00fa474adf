// One history entry on its own: creating it for a fresh send, deriving its status, deciding
// whether it may still change, and ordering entries. Pure; the store and the sync build on it.
import { randomUUID } from 'node:crypto'
import { basename } from 'node:path'

import {
  isOpenCopy,
  MAX_THUMBNAIL_CHARS,
  overallStatus,
  type HistoryEntry,
  type JobCopy
} from '../../shared/history'
import type { MaterialChoice, Priority, QueuePosition, Routing } from '../../shared/send'
import { realClock } from '../infra/clock'

/** The facts of one sent file, as the send pipeline / reprint know them. */
export interface NewHistoryEntry {
  storeId: string
  /** Path (or name) of the sent file. */
  file: string
  fileName?: string
  sha256: string
  size: number
  dimensions?: [number, number, number]
  triangles?: number
  thumbnail?: string
  partId: string
  partBuildId: string
  /** Known print-job ids (often none yet: jobs appear after the build). */
  printJobIds?: string[]
  routing: Routing
  label: string
  quantity: number
  priority?: Priority
  position?: QueuePosition
  reprintOf?: string
  sentAt?: string
  material?: MaterialChoice
  printerModels?: string[]
  project?: HistoryEntry['project']
  /** The file the user chose, when `file` is its scaled copy. */
  original?: HistoryEntry['original']
}

/** Derives `status` from the copies and caps the thumbnail; returns the same object. */
export function normalizeEntry(entry: HistoryEntry): HistoryEntry {
  entry.status = overallStatus(entry.copies)
  if (entry.thumbnail !== undefined && entry.thumbnail.length > MAX_THUMBNAIL_CHARS) {
    delete entry.thumbnail
  }
  if (entry.remoteThumbnail !== undefined && entry.remoteThumbnail.length > MAX_THUMBNAIL_CHARS) {
    delete entry.remoteThumbnail
  }
  return entry
}

/** Builds a history entry for a fresh send (copies start as `pending`). */
export function createHistoryEntry(
  input: NewHistoryEntry,
  opts: { now?: number; id?: string } = {}
): HistoryEntry {
  const at = new Date(opts.now ?? realClock.now()).toISOString()
  const copies: JobCopy[] = (input.printJobIds ?? []).map((printJobId) => ({
    printJobId,
    status: 'pending',
    printerId: null,
    updatedAt: at
  }))
  const entry: HistoryEntry = {
    id: opts.id ?? randomUUID(),
    storeId: input.storeId,
    file: input.file,
    fileName: input.fileName ?? basename(input.file.replace(/\\/g, '/')),
    sha256: input.sha256,
    size: input.size,
    partId: input.partId,
    partBuildId: input.partBuildId,
    routing: input.routing,
    label: input.label,
    quantity: input.quantity,
    priority: input.priority ?? 'normal',
    sentAt: input.sentAt ?? at,
    updatedAt: at,
    status: 'queued',
    copies
  }
  if (input.dimensions) entry.dimensions = input.dimensions
  if (input.triangles !== undefined) entry.triangles = input.triangles
  if (input.thumbnail) entry.thumbnail = input.thumbnail
  if (input.position) entry.position = input.position
  if (input.reprintOf) entry.reprintOf = input.reprintOf
  if (input.material) entry.material = input.material
  if (input.printerModels?.length) entry.printerModels = input.printerModels
  if (input.original) entry.original = input.original
  if (input.project) entry.project = input.project
  return normalizeEntry(entry)
}

/** True when the entry may still change on the server. */
export function isOpenEntry(entry: HistoryEntry): boolean {
  if (entry.copies.some(isOpenCopy)) return true
  // Jobs not yet seen: the build may still be producing them.
  const known = entry.copies.length
  return known < entry.quantity && !entry.copies.some((c) => c.deletedOnServer)
}

/** The history's order: newest send first (ties by id, so the order is total). */
export function byNewest(a: HistoryEntry, b: HistoryEntry): number {
  return b.sentAt.localeCompare(a.sentAt) || b.id.localeCompare(a.id)
}

/** Of two versions of one entry, the one updated last (`a` on a tie). */
export function newerEntry(a: HistoryEntry, b: HistoryEntry): HistoryEntry {
  return b.updatedAt > a.updatedAt ? b : a
}
