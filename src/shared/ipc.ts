// The one IPC contract: channel names (`domain:verb`), their payload schemas and result types,
// and the push events main sends to the renderer. Used by main (handler table), the preload,
// the browser test bridge and the renderer. No `electron` import here.
// Longer than ~400 lines on purpose: one contract in one file is what lets a reviewer see every
// channel the renderer can call and every payload it may send.
import { z } from 'zod'

import type { AppError, Result } from './result'
import type { MeshReport } from './stl/types'
import { MAX_THUMBNAIL_CHARS, type HistoryEntry, type HistorySnapshot } from './history'
import { SettingsSchema, type AppSettings, type KeyProtection } from './settings'
import { MAX_LABEL_PATTERN, type WatchView } from './watch'
import {
  MAX_FILES_PER_SEND,
  MAX_LABEL_LENGTH,
  MAX_MODEL_NAME_LENGTH,
  MAX_PRINTER_MODELS,
  MAX_QUANTITY,
  MAX_TAG_LENGTH,
  MAX_TAGS,
  type SendPreview,
  type SendProgress,
  type SentFile
} from './send'
import { MAX_PLATES, plateQuantitiesProblem } from './send-project'

const id24 = z.string().regex(/^[a-z0-9]{24}$/, 'must be 24 lowercase letters or digits')
const nonEmpty = z.string().min(1).max(4096)

export const RoutingSchema = z.discriminatedUnion('mode', [
  z.strictObject({ mode: z.literal('any') }),
  z.strictObject({ mode: z.literal('printer'), printerId: z.string().min(1).max(64) }),
  z.strictObject({
    mode: z.literal('tags'),
    tags: z
      .array(
        z
          .string()
          .min(1)
          .max(MAX_TAG_LENGTH)
          .refine((t) => !t.includes('|'), 'a tag containing "|" cannot be sent to Printago')
      )
      .min(1)
      .max(MAX_TAGS)
  })
])

const id64 = z.string().min(1).max(64)

export const MaterialChoiceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('type'),
    type: z
      .string()
      .min(1)
      .max(64)
      .refine((t) => !t.includes('|'), 'a material type cannot contain "|"')
  }),
  z.strictObject({
    kind: z.literal('variant'),
    variantId: id64,
    materialId: id64,
    type: z.string().max(64),
    name: z.string().max(256),
    color: z.string().max(16).nullable().optional()
  })
])

export const PrinterModelsSchema = z
  .array(
    z
      .string()
      .min(1)
      .max(MAX_MODEL_NAME_LENGTH)
      .refine((t) => !t.includes('|'), 'a printer model containing "|" cannot be sent')
  )
  .min(1)
  .max(MAX_PRINTER_MODELS)

export const SendItemSchema = z.strictObject({
  path: nonEmpty,
  label: z.string().min(1).max(MAX_LABEL_LENGTH).optional(),
  quantity: z.number().int().min(1).max(MAX_QUANTITY),
  priority: z.enum(['normal', 'low']).optional(),
  position: z.enum(['back', 'front']).optional(),
  meta: z
    .object({
      size: z.tuple([z.number(), z.number(), z.number()]).optional(),
      triangles: z.number().int().nonnegative().optional(),
      bytes: z.number().int().nonnegative().optional(),
      thumbnail: z.string().max(MAX_THUMBNAIL_CHARS).optional()
    })
    .optional(),
  unit: z.enum(['mm', 'inch', 'm', 'um']).optional(),
  material: MaterialChoiceSchema.optional(),
  printerModels: PrinterModelsSchema.optional(),
  plateQuantities: z
    .record(z.string().max(8), z.number())
    .refine((q) => Object.keys(q).length <= MAX_PLATES && plateQuantitiesProblem(q) === null, {
      message: 'per-plate quantities must be whole numbers from 0 to 500, at least one above 0'
    })
    .optional(),
  use3MFProcessProfile: z.boolean().optional()
})

export const SendRequestSchema = z.strictObject({
  items: z.array(SendItemSchema).min(1).max(MAX_FILES_PER_SEND),
  routing: RoutingSchema
})

/** A hot folder's rules (src/shared/watch.ts says what each means). */
export const WatchRulesSchema = z.strictObject({
  routing: RoutingSchema,
  material: MaterialChoiceSchema.optional(),
  quantity: z.number().int().min(1).max(MAX_QUANTITY),
  labelPattern: z.string().min(1).max(MAX_LABEL_PATTERN),
  priority: z.enum(['normal', 'low']),
  mode: z.enum(['send', 'hold']),
  afterSend: z.enum(['move', 'leave'])
})

/** A hot folder as saved in the settings file. */
export const WatchFolderConfigSchema = WatchRulesSchema.extend({
  id: z.string().min(1).max(64),
  folder: nonEmpty,
  paused: z.boolean()
})

const watchId = z.strictObject({ id: z.string().min(1).max(64) })

export const ConnectSchema = z.strictObject({
  apiKey: z.string().min(1).max(512),
  storeId: z.string().min(1).max(128),
  baseUrl: z.string().max(512).optional(),
  /** Needed when key protection is weak and the user has not chosen yet. */
  weakKeyStorage: z.enum(['store', 'session']).optional()
})

/** Payload schemas, one per invoke channel. `z.void()` means "no payload". */
export const channels = {
  'app:info': z.void(),
  'store:status': z.void(),
  'store:useDemo': z.void(),
  'store:connect': ConnectSchema,
  'store:disconnect': z.void(),
  'files:hash': z.strictObject({ path: nonEmpty }),
  'printers:list': z.strictObject({ refresh: z.boolean().optional() }).optional(),
  // The renderer names the job itself, so progress that arrives before this call returns is
  // already recognisable as this send's.
  'send:start': SendRequestSchema.extend({ jobId: z.string().uuid().optional() }),
  'send:cancel': z.strictObject({ jobId: z.string().min(1).max(64) }),
  // The dry run: the jobs a send would create (POST /v2/builds/preview), nothing queued.
  'send:preview': SendRequestSchema,
  'printers:materials': z.strictObject({ refresh: z.boolean().optional() }).optional(),
  'shell:openExternal': z.strictObject({ url: z.string().max(2048) }),
  'history:list': z.void(),
  'history:reprint': z.strictObject({
    entryId: z.string().min(1).max(64),
    quantity: z.number().int().min(1).max(MAX_QUANTITY).optional(),
    label: z.string().min(1).max(MAX_LABEL_LENGTH).optional(),
    priority: z.enum(['normal', 'low']).optional(),
    routing: RoutingSchema.optional(),
    /** null: any material (clears the original's). */
    material: MaterialChoiceSchema.nullable().optional(),
    /** null: no model restriction. */
    printerModels: PrinterModelsSchema.nullable().optional()
  }),
  'history:cancel': z.strictObject({
    entryId: z.string().min(1).max(64),
    printJobIds: z.array(z.string().min(1).max(64)).max(MAX_QUANTITY).optional()
  }),
  'history:retry': z.strictObject({
    entryId: z.string().min(1).max(64),
    printJobIds: z.array(z.string().min(1).max(64)).max(MAX_QUANTITY).optional()
  }),
  'history:troubleshoot': z.strictObject({ printJobId: z.string().min(1).max(64) }),
  // The operator's queue: copies of one entry (default: every eligible copy).
  'history:moveToFront': z.strictObject({
    entryId: z.string().min(1).max(64),
    printJobIds: z.array(z.string().min(1).max(64)).max(MAX_QUANTITY).optional()
  }),
  'history:pause': z.strictObject({
    entryId: z.string().min(1).max(64),
    printJobIds: z.array(z.string().min(1).max(64)).max(MAX_QUANTITY).optional()
  }),
  'history:resume': z.strictObject({
    entryId: z.string().min(1).max(64),
    printJobIds: z.array(z.string().min(1).max(64)).max(MAX_QUANTITY).optional()
  }),
  'history:clearFinished': z.strictObject({
    entryId: z.string().min(1).max(64),
    printJobIds: z.array(z.string().min(1).max(64)).max(MAX_QUANTITY).optional()
  }),
  'history:slicerLog': z.strictObject({ printJobId: z.string().min(1).max(64) }),
  'printers:confirmReady': z.strictObject({ printerId: z.string().min(1).max(64) }),
  'history:exportCsv': z.void(),
  'history:clear': z.void(),
  'settings:get': z.void(),
  'settings:set': SettingsSchema.partial(),
  'store:list': z.void(),
  'store:switch': z.strictObject({ storeId: z.union([z.literal('demo'), id24]) }),
  'store:forget': z.strictObject({ storeId: id24 }),
  'watch:list': z.void(),
  // The folder is checked by core (exists, is a folder, not watched yet): the browser mode has
  // no native picker, so it arrives as typed text.
  'watch:add': WatchRulesSchema.extend({ folder: nonEmpty }),
  'watch:update': watchId.extend({ rules: WatchRulesSchema.partial() }),
  'watch:remove': watchId,
  'watch:pause': watchId.extend({ paused: z.boolean() }),
  /** Hold mode: send the held files (or one of them). */
  'watch:release': watchId.extend({ file: z.string().min(1).max(255).optional() }),
  /** Send a file again although the same content was sent before. */
  'watch:sendAgain': watchId.extend({ file: z.string().min(1).max(255) })
} as const

export type Channel = keyof typeof channels
export type Payload<C extends Channel> = z.infer<(typeof channels)[C]>

export type StoreKind = 'demo' | 'printago' | 'none'

/** What the renderer may know about the active store: never the key itself. */
export interface StoreStatus {
  kind: StoreKind
  name: string
  storeId: string | null
  /** e.g. "abcd…wxyz" – the key masked, never in full. */
  keyMasked: string | null
  baseUrl: string | null
  /** Set when the key is kept only until the app quits (weak OS key protection, user's choice). */
  sessionOnlyKey?: boolean
}

export interface AppInfo {
  name: string
  version: string
  /** 'electron' in the desktop app, 'web' in the browser test bridge. */
  shell: 'electron' | 'web'
  store: StoreStatus
}

export type PrinterState =
  'ready' | 'waiting-bed-clear' | 'printing' | 'paused' | 'offline' | 'disabled' | 'maintenance'

/** One health message of a printer (printer stats: HMS errors, warnings, infos). */
export interface PrinterHealth {
  level: 'error' | 'warning' | 'info'
  code: string
  message: string
}

/** The job a printer is running, with live progress when printer stats report it. */
export interface PrinterJobNow {
  /** Printago's job id (`printingJobId`); null for a print started outside Printago. */
  printJobId: string | null
  label: string | null
  /** 0..100 */
  percent: number | null
  layer: number | null
  totalLayers: number | null
  minutesLeft: number | null
  /** One of my jobs (in this computer's history). */
  mine?: boolean
}

/** A printer as the UI sees it: derived state, no `metadata` (it holds secrets). */
export interface PrinterSummary {
  id: string
  name: string
  model: string
  state: PrinterState
  online: boolean
  available: boolean
  ready: boolean
  enabled: boolean
  tags: string[]
  printingJobId: string | null
  inMaintenance?: boolean
  /** Clears its own bed (Printago's continuous print / FabMatic). */
  continuousPrint?: boolean
  /** What it is printing now (state printing or paused). */
  job?: PrinterJobNow | null
  /** Errors, warnings and infos from printer stats (live only). */
  health?: PrinterHealth[]
}

export interface PrinterList {
  printers: PrinterSummary[]
  /** ms since epoch of the last successful fetch. */
  fetchedAt: number
  /** Set when the list is the cached one because a refresh failed. */
  stale?: AppError
}

/** One colour of one material of the store's catalogue. */
export interface MaterialOption {
  variantId: string
  materialId: string
  /** e.g. "PLA" */
  type: string
  /** e.g. "PLA Basic Jade White" */
  name: string
  brand: string | null
  /** #RRGGBB(AA), when known. */
  color: string | null
}

/** A loaded slot of a printer: what it holds (type always, material and colour when known). */
export interface LoadedSlot {
  type: string
  variantId: string | null
  materialId: string | null
  name: string
  color: string | null
  /** "AMS 1 slot 2", "spool". */
  where: string
}

/** The store's materials and what every printer has loaded (`GET /v1/materials`, variants, slots). */
export interface MaterialsView {
  /** Filament types of the catalogue and of every loaded slot, sorted. */
  types: string[]
  options: MaterialOption[]
  /** printer id → its loaded slots (empty slots left out). */
  loaded: Record<string, LoadedSlot[]>
  fetchedAt: number
  /** Set when the list is the cached one because a refresh failed. */
  stale?: AppError
}

export interface FileHash {
  path: string
  name: string
  size: number
  sha256: string
}

/** Result type of each channel. */
export interface ChannelResults {
  'app:info': AppInfo
  'store:status': StoreStatus
  'store:useDemo': StoreStatus
  'store:connect': StoreStatus
  'store:disconnect': StoreStatus
  'files:hash': FileHash
  'printers:list': PrinterList
  'send:start': { jobId: string }
  'send:cancel': { cancelled: boolean }
  'send:preview': SendPreview
  'printers:materials': MaterialsView
  'shell:openExternal': { opened: boolean }
  'history:list': HistorySnapshot
  'history:reprint': { entry: HistoryEntry }
  'history:cancel': { affected: string[] }
  'history:retry': { affected: string[] }
  'history:troubleshoot': Troubleshoot
  'history:moveToFront': { affected: string[] }
  'history:pause': { affected: string[] }
  'history:resume': { affected: string[] }
  'history:clearFinished': { affected: string[] }
  'history:slicerLog': SlicerLog
  'printers:confirmReady': PrinterSummary
  'history:exportCsv': { filename: string; csv: string }
  'history:clear': { cleared: number }
  'settings:get': SettingsView
  'settings:set': SettingsView
  'store:list': SavedStoreView[]
  'store:switch': StoreStatus
  'store:forget': SavedStoreView[]
  'watch:list': WatchView
  'watch:add': WatchView
  'watch:update': WatchView
  'watch:remove': WatchView
  'watch:pause': WatchView
  'watch:release': WatchView
  'watch:sendAgain': WatchView
}

/** Settings plus facts the settings screen shows. */
export interface SettingsView {
  settings: AppSettings
  keyProtection: KeyProtection
  /** Fields of the settings file that were invalid and replaced by defaults (hand edits). */
  repaired: string[]
}

export interface SavedStoreView {
  storeId: string
  name: string
  keyMasked: string
  baseUrl: string
  active: boolean
  /** False when the key was kept for one session only and must be entered again. */
  hasKey: boolean
}

/** Printago's slicer log of one job, fetched by main (the renderer cannot load remote URLs). */
export interface SlicerLog {
  printJobId: string
  text: string
  /** Only the end of a long log is shown. */
  truncated: boolean
}

/** "Why is it waiting?" in words, per printer. */
export interface Troubleshoot {
  printJobId: string
  /** One sentence summary, e.g. "No printer carries the tag RackC." */
  summary: string
  printers: Array<{
    printerId: string
    printerName: string
    matched: boolean
    reason: string | null
  }>
}

export interface SendFinished {
  jobId: string
  files: SentFile[]
  error?: AppError
  /**
   * Unfinished sends that were continued rather than started: after the app's start (a crash or
   * quit interrupted them), or because this send had the same files, routing, quantity and label
   * as an unfinished one — the renderer says "resumed your unfinished send of X". `files` are the
   * paths; for a resume at start, `jobId` is the resumed job itself.
   */
  resumed?: Array<{ jobId: string; files: string[] }>
}

/** Push events main → renderer. */
export interface Events {
  'send:progress': SendProgress
  'send:finished': SendFinished
  'printers:changed': PrinterList
  'store:changed': StoreStatus
  'history:changed': HistorySnapshot
  /** The user clicked a desktop notification: open this history entry. */
  'history:open': { entryId: string }
  /**
   * The user chose "Mark bed clear" in a desktop notification: ask for the confirmation in the
   * app (clearing a bed is a safety step; a notification button alone never does it).
   */
  'printers:askBedClear': { printerId: string; entryId?: string }
  /** Hot folders: states and recent events changed. */
  'watch:changed': WatchView
}
export type EventName = keyof Events

export const eventNames: EventName[] = [
  'send:progress',
  'send:finished',
  'printers:changed',
  'store:changed',
  'history:changed',
  'history:open',
  'printers:askBedClear',
  'watch:changed'
]

/**
 * The renderer → main signal "my listeners are set up": main holds its push events until then
 * (a one-way message, not an invoke channel, so no handler answers it).
 */
export const RENDERER_READY = 'renderer:ready'

/** What a transport knows about one call: its signal aborts when the caller is gone. */
export interface CallContext {
  /**
   * Aborted when the caller can no longer get the answer: the Electron adapter aborts a renderer's
   * calls when its page reloads or is destroyed, the browser bridge when the HTTP request closes.
   */
  signal?: AbortSignal
}

/** One async function per channel; it never throws for expected failures. */
export type HandlerTable = {
  [C in Channel]: (payload: unknown, call?: CallContext) => Promise<Result<ChannelResults[C]>>
}

export type { MeshReport }
