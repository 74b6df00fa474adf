// The history file format: where a store's files live, what the document holds, and how one
// stored entry is validated. A store id is in the folder AND the file name, and the document
// records its store id, so two stores never mix:
//   history-<storeId>.json       the history, newest first, at most `maxEntries` entries
//   history-<storeId>.json.bak   the last file that opened cleanly (refreshed on open and hourly)
//   quarantine/                  damaged files set aside — never deleted, never silently cleared
import { join } from 'node:path'
import { z } from 'zod'

import { MAX_THUMBNAIL_CHARS, type HistoryEntry } from '../../shared/history'
import { normalizeEntry } from './entry'

export const HISTORY_FORMAT = 'printago-send-history'
export const HISTORY_VERSION = 1
// Thumbnails above MAX_THUMBNAIL_CHARS are dropped: the whole file is rewritten per change.
export { MAX_THUMBNAIL_CHARS }

/** What the history file holds. */
export type HistoryDocument = {
  format: typeof HISTORY_FORMAT
  version: number
  storeId: string
  entries: readonly HistoryEntry[]
}

/** The document written for `entries` of `storeId`. */
export function historyDocument(
  storeId: string,
  entries: readonly HistoryEntry[]
): HistoryDocument {
  return { format: HISTORY_FORMAT, version: HISTORY_VERSION, storeId, entries }
}

/** A path-safe form of a store id (cuid2 ids stay as they are). */
export function historyFileName(storeId: string): string {
  const safe = /^[A-Za-z0-9_-]{1,64}$/.test(storeId)
    ? storeId
    : `h${Buffer.from(storeId).toString('base64url').slice(0, 40)}`
  return `history-${safe}`
}

/** The files of one store's history inside its data folder. */
export interface HistoryFiles {
  /** File name without `.json` (what Conf is given). */
  name: string
  path: string
  backupPath: string
  quarantineDir: string
}

export function historyFiles(dir: string, storeId: string): HistoryFiles {
  const name = historyFileName(storeId)
  const path = join(dir, `${name}.json`)
  return { name, path, backupPath: `${path}.bak`, quarantineDir: join(dir, 'quarantine') }
}

// ---- validation of one stored entry -------------------------------------------------------------

const RoutingFileSchema = z.union([
  z.object({ mode: z.literal('any') }),
  z.object({ mode: z.literal('printer'), printerId: z.string().min(1) }),
  z.object({ mode: z.literal('tags'), tags: z.array(z.string()).min(1) })
])

const CopyFileSchema = z.object({
  printJobId: z.string().min(1),
  status: z.string().min(1),
  printerId: z.string().nullable().catch(null),
  printerName: z.string().nullable().optional().catch(undefined),
  errorMessage: z.string().nullable().optional().catch(undefined),
  progress: z.number().min(0).max(100).nullable().optional().catch(undefined),
  startedAt: z.string().nullable().optional().catch(undefined),
  finishedAt: z.string().nullable().optional().catch(undefined),
  logsUri: z.string().max(2048).nullable().optional().catch(undefined),
  updatedAt: z.string(),
  deletedOnServer: z.boolean().optional().catch(undefined)
})

const EntryFileSchema = z.object({
  id: z.string().min(1).max(64),
  storeId: z.string().min(1),
  file: z.string(),
  fileName: z.string(),
  sha256: z.string(),
  size: z.number().nonnegative(),
  dimensions: z.tuple([z.number(), z.number(), z.number()]).optional().catch(undefined),
  triangles: z.number().int().nonnegative().optional().catch(undefined),
  thumbnail: z.string().max(MAX_THUMBNAIL_CHARS).optional().catch(undefined),
  partId: z.string().min(1),
  partBuildId: z.string().min(1),
  routing: RoutingFileSchema,
  label: z.string(),
  quantity: z.number().int().min(0),
  priority: z.enum(['normal', 'low']).catch('normal'),
  position: z.enum(['back', 'front']).optional().catch(undefined),
  sentAt: z.string().min(1),
  updatedAt: z.string().min(1),
  status: z.enum(['queued', 'in-progress', 'printed', 'failed', 'cancelled']).catch('queued'),
  copies: z.array(CopyFileSchema),
  reprintOf: z.string().optional().catch(undefined),
  syncedAt: z.number().optional().catch(undefined),
  material: z
    .union([
      z.object({ kind: z.literal('type'), type: z.string().min(1) }),
      z.object({
        kind: z.literal('variant'),
        variantId: z.string().min(1),
        materialId: z.string(),
        type: z.string(),
        name: z.string(),
        color: z.string().nullable().optional()
      })
    ])
    .optional()
    .catch(undefined),
  printerModels: z.array(z.string().min(1)).optional().catch(undefined),
  project: z
    .object({
      kind: z.enum(['3mf', 'gcode3mf']),
      plates: z.array(z.object({ id: z.number().int(), name: z.string() })),
      slicedFor: z
        .object({
          model: z.string(),
          modelNames: z.array(z.string().min(1)).min(1),
          nozzleDiameter: z.number().nullable()
        })
        .optional(),
      plateQuantities: z.record(z.string(), z.number().int().nonnegative()).optional(),
      use3MFProcessProfile: z.boolean().optional()
    })
    .optional()
    .catch(undefined),
  original: z
    .object({
      file: z.string(),
      fileName: z.string(),
      sha256: z.string(),
      unit: z.enum(['mm', 'inch', 'm', 'um'])
    })
    .optional()
    .catch(undefined),
  estimate: z
    .object({
      seconds: z.number().nonnegative(),
      grams: z.number().nonnegative(),
      materials: z
        .array(z.object({ type: z.string(), grams: z.number(), color: z.string().optional() }))
        .max(32),
      slicerVersion: z.string().max(200).optional()
    })
    .optional()
    .catch(undefined),
  remoteThumbnail: z.string().max(MAX_THUMBNAIL_CHARS).optional().catch(undefined),
  notes: z.array(z.string().max(500)).max(10).optional().catch(undefined)
})

/** Parses one stored entry; null when it is unusable or belongs to another store. */
export function parseStoredEntry(raw: unknown, storeId: string): HistoryEntry | null {
  const r = EntryFileSchema.safeParse(raw)
  if (!r.success || r.data.storeId !== storeId) return null
  return normalizeEntry(dropUndefined(r.data) as HistoryEntry)
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as Array<keyof T>) if (o[k] === undefined) delete o[k]
  return o
}
