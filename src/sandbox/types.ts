// Public surface of the Printago sandbox: a local emulator of the Printago REST API and its MQTT
// realtime broker, as the desktop app's demo store runs it. Tests, `npm run sandbox` and
// `npm run web` run it with its test surfaces attached (testing/: faults, admin API, request log).
// The implementation must not import `electron`.
import type { EventEmitter } from 'node:events'
import type {
  LegacyPrinterStat,
  Material,
  MaterialVariant,
  Part,
  PartBuild,
  PartMetadata,
  Printer,
  PrinterSlot,
  PrintJob
} from '../shared/printago/api-types'
import type { SandboxClock } from './clock'

export type { SandboxClock, SandboxTimer } from './clock'

export interface SandboxOptions {
  /** 0 picks a free port. */
  port?: number
  host?: string
  apiKey?: string
  storeId?: string
  /** A second key that is valid but lacks `queue.manage` (PATCH /v1/print-jobs/* → 403). */
  limitedApiKey?: string
  ratePerMinute?: number
  ratePerHour?: number
  /** Scheduler speed multiplier: 1 = realistic-ish seconds per step, 100 = very fast, 0 = paused. */
  speed?: number
  /** Signed upload URLs expire after this many ms. */
  uploadUrlTtlMs?: number
  /** Directory for uploaded bytes; default: a fresh temp dir removed on close. */
  storageDir?: string
  /** Printer fleet; default: the demo fleet (about eight mixed printers). */
  printers?: Printer[]
  /** Start the MQTT realtime broker too (default true). */
  mqtt?: boolean
  /** Deterministic ids/timestamps for tests. */
  seed?: number
  /**
   * Clear every printer's bed a while after each print (timer-driven only), as the sandbox did
   * before it modelled plate clearing. Default false: beds stay uncleared until
   * `PATCH /v1/printers/confirm-ready`, except on printers with `continuousPrint` (automatic plate
   * clearing), which clear themselves.
   */
  autoClearBeds?: boolean
  /**
   * Job path through the scheduler. 'compact' (default): pending → assigned → slicing →
   * sending-to-printer → printing → completed. 'full' adds sliced → finalizing →
   * ready-for-printer after slicing. Either way a printer requiring approval parks jobs in
   * waiting-for-approval after slicing.
   */
  lifecycle?: 'compact' | 'full'
  /** Per-printer sandbox settings not on Printago's Printer (default: the demo farm's). */
  printerSettings?: Record<string, Partial<PrinterSettings>>
  /**
   * Filament slots (default: the demo farm's AMS units and spools). Printers without any get one
   * external spool of PLA Basic Black.
   */
  printerSlots?: FleetSlot[]
  /**
   * What MQTT entity UPDATE messages carry in `entities`: 'full' rows (default), 'changes' (only
   * the changed fields plus id, like `changes`), or 'mixed' (alternating). INSERT/DELETE are full.
   */
  mqttEntityPayloads?: 'full' | 'changes' | 'mixed'
  /** Fraction (0..1) of prints that fail at random, drawn from the seeded PRNG (default 0). */
  failureRate?: number
  /** Largest accepted JSON body in bytes (default 1 MiB); larger bodies get 413. */
  maxJsonBytes?: number
  /**
   * Time and timers for the rate limiter, signed-URL expiry, entity timestamps, the request log
   * and the scheduler (default: real time). A virtual clock lets a test run minutes in
   * milliseconds; without `setTimeout`/`clearTimeout` the scheduler polls `now()` on real timers.
   */
  clock?: SandboxClock
  /**
   * Also send `x-ratelimit-*` headers on counted requests and `retry-after-minute|hour` on 429
   * (a guess: Printago documents only Retry-After). Default false.
   */
  rateLimitHeaders?: boolean
}

/** One API or storage request as the server handled it (what test hooks record and log). */
export interface RequestRecord {
  at: number
  method: string
  path: string
  query: string
  status: number
  /** The API key that was presented (masked) – never the raw key. */
  keyId: string | null
  /** Whether this request counted against the rate limit. */
  rateLimited: boolean
}

export type EntityType = 'printJob' | 'printer' | 'part' | 'partBuild'

/** Sandbox-only printer settings (Printago keeps these in places its API does not show). */
export interface PrinterSettings {
  /** Sliced jobs wait in `waiting-for-approval` until approved (a sandbox guess). */
  requiresApproval: boolean
}

/** One filament slot of the farm: an AMS position (amsIndex ≥ 0) or an external spool (-1). */
export interface FleetSlot {
  printerId: string
  amsIndex: number
  slotIndex: number
  /** A material variant id of the demo catalogue (materials.ts), or null for an empty slot. */
  variantId: string | null
}

/** A printer-stats message (`stores/{storeId}/printer-stats/{printerId}`); see telemetry.ts. */
export type PrinterStatMessage =
  | LegacyPrinterStat
  | (Pick<LegacyPrinterStat, 'printerId' | 'storeId' | 'receivedAt'> & {
      data: Pick<LegacyPrinterStat['data'], 'print'>
    })

/** One entity change, shaped like Printago's MQTT entity messages (`stores/{id}/entities/...`). */
export interface SandboxEntityEvent {
  entityType: EntityType
  action: 'INSERT' | 'UPDATE' | 'DELETE'
  /** Full snapshots of the affected entities after the change, keyed by id. */
  entities: Record<string, Part | PartBuild | Printer | PrintJob>
  /** For UPDATE: the changed fields with their new values, keyed by id. */
  changes?: Record<string, Record<string, unknown>>
}

/** Event map of `Sandbox.events`. */
export interface SandboxEventMap {
  entity: [SandboxEntityEvent]
  /** Printer telemetry: full messages on state changes, sparse progress-only ones in between. */
  printerStats: [PrinterStatMessage]
}

export interface SandboxState {
  parts: Map<string, Part>
  partBuilds: Map<string, PartBuild>
  printJobs: Map<string, PrintJob>
  printers: Map<string, Printer>
  materials: Map<string, Material>
  materialVariants: Map<string, MaterialVariant>
  printerSlots: Map<string, PrinterSlot>
  /** Extracted part metadata (GET /v1/parts/{id}/metadata), once a part has been analysed. */
  partMetadata: Map<string, PartMetadata>
  /** storage path -> { bytes file, sha256, size } for uploaded objects. */
  uploads: Map<string, { file: string; sha256: string; size: number }>
}

export interface Sandbox {
  /** e.g. http://127.0.0.1:4010 */
  url: string
  port: number
  apiKey: string
  storeId: string
  limitedApiKey: string
  state: SandboxState
  /** Change the scheduler speed at run time (0 pauses it). */
  setSpeed(speed: number): void
  /** Advance the scheduler by one step for every job that can move (for deterministic tests). */
  tick(): void
  close(): Promise<void>
  /** Entity change events (emitter of SandboxEventMap); optional so hand-made doubles stay valid. */
  events?: EventEmitter<SandboxEventMap>
  /** Patch a printer as if it changed on its own (e.g. went offline, bed cleared); emits UPDATE. */
  updatePrinter?(id: string, patch: Partial<Printer>): Printer
}

/** What `startSandbox` actually returns: a Sandbox whose optional extras are always present. */
export interface RunningSandbox extends Sandbox {
  events: EventEmitter<SandboxEventMap>
  /** ws://…/mqtt of the realtime broker (null with `mqtt: false`). */
  mqttUrl: string | null
  mqttTcpUrl: string | null
  /** Stops the broker and starts it again on the same ports (reconnect/reconciliation tests). */
  restartMqtt(): Promise<void>
  /** Stops the broker (the app must fall back to polling). */
  stopMqtt(): Promise<void>
  updatePrinter(id: string, patch: Partial<Printer>): Printer
}
