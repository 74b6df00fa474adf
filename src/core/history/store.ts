// The local job history: one JSON file per store, written through a Conf-like store
// (electron-store in the app, conf in Node; ElectronStore is literally `class extends Conf`).
//
// Layout inside the store's data folder (a store id is in the folder AND the file name, and the
// file records its store id, so two stores never mix):
//   history-<storeId>.json       the history, newest first, at most `maxEntries` entries
//   history-<storeId>.json.bak   the last file that opened cleanly (refreshed on open and hourly)
//   quarantine/                  damaged files set aside — never deleted, never silently cleared
//
// Conf throws on a file it cannot parse (we keep `clearInvalidConfig: false`), so the file is
// checked here BEFORE Conf opens it: a damaged one (empty, truncated, not JSON, NUL-filled, from a
// newer version, another store's) is moved to quarantine/, whole entries are salvaged from it and
// merged with the .bak, and `recovered` says so once.
import { randomUUID } from 'node:crypto'

import Conf from 'conf'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync
} from 'node:fs'
import { basename, join } from 'node:path'
import { z } from 'zod'

import {
  isOpenCopy,
  MAX_THUMBNAIL_CHARS,
  overallStatus,
  type HistoryEntry,
  type HistorySnapshot,
  type JobCopy
} from '../../shared/history'
import type { Priority, QueuePosition, Routing } from '../../shared/send'
import { createLogger } from '../infra/log'

const log = createLogger('history')

export const HISTORY_FORMAT = 'printago-send-history'
export const HISTORY_VERSION = 1
export const DEFAULT_MAX_ENTRIES = 1000
// Thumbnails above MAX_THUMBNAIL_CHARS are dropped: the whole file is rewritten per change.
export { MAX_THUMBNAIL_CHARS }
const DEFAULT_WRITE_DELAY_MS = 300
const BACKUP_EVERY_MS = 60 * 60_000

/** The part of Conf / ElectronStore the repository uses. */
export interface ConfLike {
  readonly path: string
  store: Record<string, unknown>
}

/** What the factory must pass on to `new Conf(...)` / `new ElectronStore(...)`. */
export interface ConfFactoryOptions {
  cwd: string
  /** File name without `.json` (Conf: `configName`, electron-store: `name`). */
  name: string
  /** Must stay false: a damaged file is quarantined here, never silently replaced. */
  clearInvalidConfig: false
  configFileMode: number
  serialize: (value: Record<string, unknown>) => string
  deserialize: (text: string) => Record<string, unknown>
}

/** Creates the Conf-like store for one file (injected so tests use conf and the app electron-store). */
export type ConfFactory = (options: ConfFactoryOptions) => ConfLike

/** Set once after opening when a damaged file was set aside. */
export type HistoryRecovery = NonNullable<HistorySnapshot['recovered']>

export interface OpenHistoryOptions {
  /** The store's own data folder, e.g. `storeDataDir(dataDir, storeId)`. */
  dir: string
  storeId: string
  createConf: ConfFactory
  /** Keep the newest N entries. Default 1,000. */
  maxEntries?: number
  /** Status-only changes are coalesced for this long; new entries are written at once. Default 300 ms. */
  writeDelayMs?: number
  now?: () => number
}

/** The repository the sync service, the actions, the IPC handlers and the CLI share. */
export interface HistoryStore {
  readonly storeId: string
  /** The history file. */
  readonly path: string
  readonly backupPath: string
  readonly maxEntries: number
  readonly recovered: HistoryRecovery | undefined
  /** The last failed write, if the latest write failed (entries stay in memory). */
  readonly writeError: Error | undefined
  /** Newest first. Entries are replaced on change, never mutated: treat them as read-only. */
  list(): HistoryEntry[]
  get(id: string): HistoryEntry | undefined
  byPartBuildId(partBuildId: string): HistoryEntry | undefined
  byPrintJobId(printJobId: string): HistoryEntry | undefined
  /** Entries that may still change: an open copy, or fewer known copies than ordered. */
  openEntries(): HistoryEntry[]
  /** Adds an entry (or updates the one with its id or part build) and writes the file at once. */
  add(entry: HistoryEntry): HistoryEntry
  /** Replaces one entry with `fn(entry)`; `null`/`undefined` from `fn` means "no change". */
  update(
    id: string,
    fn: (entry: HistoryEntry) => HistoryEntry | null | undefined
  ): HistoryEntry | undefined
  /** Removes every entry (an explicit user action); returns how many were removed. */
  clear(): number
  setMaxEntries(n: number): void
  /** Writes pending changes now. */
  flush(): void
  close(): void
  /** Called after every change (sync, after the in-memory update). */
  onChange(listener: () => void): () => void
}

// ---- validation ---------------------------------------------------------------------------------

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
  syncedAt: z.number().optional().catch(undefined)
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

/** Derives `status` from the copies and caps the thumbnail; returns the same object. */
export function normalizeEntry(entry: HistoryEntry): HistoryEntry {
  entry.status = overallStatus(entry.copies)
  if (entry.thumbnail !== undefined && entry.thumbnail.length > MAX_THUMBNAIL_CHARS) {
    delete entry.thumbnail
  }
  return entry
}

// ---- creating entries ---------------------------------------------------------------------------

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
}

/** Builds a history entry for a fresh send (copies start as `pending`). */
export function createHistoryEntry(
  input: NewHistoryEntry,
  opts: { now?: number; id?: string } = {}
): HistoryEntry {
  const at = new Date(opts.now ?? Date.now()).toISOString()
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
  return normalizeEntry(entry)
}

/** True when the entry may still change on the server. */
export function isOpenEntry(entry: HistoryEntry): boolean {
  if (entry.copies.some(isOpenCopy)) return true
  // Jobs not yet seen: the build may still be producing them.
  const known = entry.copies.length
  return known < entry.quantity && !entry.copies.some((c) => c.deletedOnServer)
}

// ---- reading a possibly damaged file ------------------------------------------------------------

type Inspection =
  | { kind: 'missing' }
  | { kind: 'ok'; entries: HistoryEntry[]; dropped: number }
  | { kind: 'damaged'; reason: string; salvaged: HistoryEntry[] }

/** Checks a history file's text; never throws. Exported for tests. */
export function inspectHistoryText(text: string, storeId: string): Inspection {
  if (text.trim() === '') return { kind: 'damaged', reason: 'the file is empty', salvaged: [] }
  if (text.includes('\u0000')) {
    return {
      kind: 'damaged',
      reason: 'the file contains NUL bytes (an interrupted write or power loss)',
      salvaged: salvageEntries(text, storeId)
    }
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    return {
      kind: 'damaged',
      reason: 'the file is not valid JSON (it may have been cut short)',
      salvaged: salvageEntries(text, storeId)
    }
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) {
    return { kind: 'damaged', reason: 'the file is not a history file', salvaged: [] }
  }
  const rec = data as Record<string, unknown>
  const rawEntries = Array.isArray(rec['entries']) ? (rec['entries'] as unknown[]) : null
  const parseAll = (): { entries: HistoryEntry[]; dropped: number } => {
    const entries: HistoryEntry[] = []
    for (const raw of rawEntries ?? []) {
      const e = parseStoredEntry(raw, storeId)
      if (e) entries.push(e)
    }
    return { entries, dropped: (rawEntries?.length ?? 0) - entries.length }
  }
  if (rec['format'] !== HISTORY_FORMAT || rawEntries === null) {
    return { kind: 'damaged', reason: 'the file is not a history file', salvaged: [] }
  }
  const version = rec['version']
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    return {
      kind: 'damaged',
      reason: 'the file has no valid format version',
      salvaged: parseAll().entries
    }
  }
  if (version > HISTORY_VERSION) {
    return {
      kind: 'damaged',
      reason: `it was written by a newer version of Printago Send (format ${version})`,
      salvaged: parseAll().entries
    }
  }
  if (rec['storeId'] !== storeId) {
    return {
      kind: 'damaged',
      reason: `it belongs to another store (${String(rec['storeId'])})`,
      salvaged: []
    }
  }
  return { kind: 'ok', ...parseAll() }
}

/**
 * Recovers whole entries from a truncated or partly overwritten file: walks the `entries` array
 * and parses every complete `{…}` element, stopping at the first NUL or the end of the text.
 */
export function salvageEntries(text: string, storeId: string): HistoryEntry[] {
  const nul = text.indexOf('\u0000')
  const body = nul >= 0 ? text.slice(0, nul) : text
  const key = body.indexOf('"entries"')
  if (key < 0) return []
  const open = body.indexOf('[', key)
  if (open < 0) return []
  const out: HistoryEntry[] = []
  let depth = 0
  let inString = false
  let escaped = false
  let start = -1
  for (let i = open + 1; i < body.length; i++) {
    const ch = body[i]
    if (inString) {
      if (escaped) escaped = false
      else if (ch === '\\') escaped = true
      else if (ch === '"') inString = false
      continue
    }
    if (ch === '"') inString = true
    else if (ch === '{' || ch === '[') {
      if (depth === 0 && ch === '{') start = i
      depth++
    } else if (ch === '}' || ch === ']') {
      if (depth === 0) break // end of the entries array
      depth--
      if (depth === 0 && start >= 0) {
        try {
          const e = parseStoredEntry(JSON.parse(body.slice(start, i + 1)), storeId)
          if (e) out.push(e)
        } catch {
          // a damaged element: skip it, keep walking
        }
        start = -1
      }
    }
  }
  return out
}

// ---- the repository -----------------------------------------------------------------------------

/** A path-safe form of a store id (cuid2 ids stay as they are). */
export function historyFileName(storeId: string): string {
  const safe = /^[A-Za-z0-9_-]{1,64}$/.test(storeId)
    ? storeId
    : `h${Buffer.from(storeId).toString('base64url').slice(0, 40)}`
  return `history-${safe}`
}

function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[:.]/g, '-')
}

function byNewest(a: HistoryEntry, b: HistoryEntry): number {
  return b.sentAt.localeCompare(a.sentAt) || b.id.localeCompare(a.id)
}

function newer(a: HistoryEntry, b: HistoryEntry): HistoryEntry {
  return b.updatedAt > a.updatedAt ? b : a
}

/** Opens (creating if needed) the history of one store. Never throws for a damaged file. */
export function openHistoryStore(opts: OpenHistoryOptions): HistoryStore {
  const now = opts.now ?? Date.now
  const storeId = opts.storeId
  const name = historyFileName(storeId)
  const path = join(opts.dir, `${name}.json`)
  const backupPath = `${path}.bak`
  const quarantineDir = join(opts.dir, 'quarantine')
  const writeDelayMs = opts.writeDelayMs ?? DEFAULT_WRITE_DELAY_MS
  let maxEntries = Math.max(1, opts.maxEntries ?? DEFAULT_MAX_ENTRIES)
  mkdirSync(opts.dir, { recursive: true })

  let recovered: HistoryRecovery | undefined
  let entries: HistoryEntry[] = []
  let dirty = false
  let lastBackupAt = 0

  const quarantine = (reason: 'damaged' | 'partial', move: boolean): string => {
    mkdirSync(quarantineDir, { recursive: true })
    const dest = join(quarantineDir, `${name}.json.${reason}-${stamp(now())}`)
    if (!move) {
      copyFileSync(path, dest)
      return dest
    }
    try {
      renameSync(path, dest)
    } catch {
      // Rename can fail on Windows (EPERM, antivirus): keep a copy and neutralise the original so
      // Conf (which throws on unparsable files) can open it; the recovered entries replace it.
      copyFileSync(path, dest)
      writeFileSync(path, '{}')
    }
    return dest
  }

  const readBackup = (): HistoryEntry[] => {
    try {
      const r = inspectHistoryText(readFileSync(backupPath, 'utf8'), storeId)
      return r.kind === 'ok' ? r.entries : r.kind === 'damaged' ? r.salvaged : []
    } catch {
      return []
    }
  }

  // 1. Check the file before Conf sees it.
  let text: string | null = null
  let readError: string | undefined
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code !== 'ENOENT') {
      // Unreadable (permissions, I/O): set it aside like a damaged one.
      text = ''
      readError = `the file could not be read (${code ?? 'error'})`
    }
  }
  let writeRecovered = false
  if (text !== null) {
    const inspected = inspectHistoryText(text, storeId)
    const r: Inspection =
      readError && inspected.kind === 'damaged' ? { ...inspected, reason: readError } : inspected
    if (r.kind === 'ok') {
      entries = r.entries
      if (r.dropped > 0) {
        const backup = quarantine('partial', false)
        recovered = {
          backupPath: backup,
          message: `${r.dropped} ${r.dropped === 1 ? 'entry' : 'entries'} of the job history could not be read and ${r.dropped === 1 ? 'was' : 'were'} left out; the original file is kept as ${backup}.`
        }
        writeRecovered = true
      } else {
        try {
          copyFileSync(path, backupPath)
          lastBackupAt = now()
        } catch (e) {
          log.warn('could not refresh the history backup', e)
        }
      }
    } else if (r.kind === 'damaged') {
      const backup = quarantine('damaged', true)
      const fromBak = readBackup()
      const merged = new Map<string, HistoryEntry>()
      for (const e of fromBak) merged.set(e.id, e)
      let fromFile = 0
      for (const e of r.salvaged) {
        const prev = merged.get(e.id)
        if (!prev) fromFile++
        merged.set(e.id, prev ? newer(prev, e) : e)
      }
      entries = [...merged.values()]
      const total = entries.length
      const sources: string[] = []
      if (fromBak.length > 0) sources.push(`${fromBak.length} from the backup copy`)
      if (fromFile > 0) sources.push(`${fromFile} from the damaged file`)
      recovered = {
        backupPath: backup,
        message:
          total > 0
            ? `The job history could not be read (${r.reason}). It was set aside as ${backup}; ${total} ${total === 1 ? 'job was' : 'jobs were'} recovered (${sources.join(', ')}).`
            : `The job history could not be read (${r.reason}). It was set aside as ${backup}; no jobs could be recovered, so the history starts empty.`
      }
      writeRecovered = true
    }
  }
  entries.sort(byNewest)
  if (entries.length > maxEntries) entries = entries.slice(0, maxEntries)
  if (recovered) log.warn(recovered.message)

  // 2. Only now let Conf open it (missing, clean, or just moved aside).
  const conf = opts.createConf({
    cwd: opts.dir,
    name,
    clearInvalidConfig: false,
    configFileMode: 0o600,
    serialize: (value) => JSON.stringify(value),
    deserialize: (t) => JSON.parse(t) as Record<string, unknown>
  })

  // Ids removed by this process (trimmed or cleared): not resurrected by the merge below.
  const forgotten = new Set<string>()
  let diskStamp = ''
  const statStamp = (): string => {
    try {
      const s = statSync(path)
      return `${s.mtimeMs}:${s.size}`
    } catch {
      return ''
    }
  }

  let byBuild = new Map<string, HistoryEntry>()
  let byJob = new Map<string, HistoryEntry>()
  const reindex = (): void => {
    byBuild = new Map()
    byJob = new Map()
    for (const e of entries) {
      if (!byBuild.has(e.partBuildId)) byBuild.set(e.partBuildId, e)
      for (const c of e.copies) byJob.set(c.printJobId, e)
    }
  }

  const trim = (): void => {
    if (entries.length <= maxEntries) return
    for (const e of entries.slice(maxEntries)) forgotten.add(e.id)
    entries = entries.slice(0, maxEntries)
  }

  /** Another process (the CLI, a second window) wrote the file: fold its entries in first. */
  const mergeFromDisk = (): boolean => {
    const current = statStamp()
    if (current === '' || current === diskStamp) return false
    let text: string
    try {
      text = readFileSync(path, 'utf8')
    } catch {
      return false
    }
    const r = inspectHistoryText(text, storeId)
    if (r.kind !== 'ok') return false
    const mine = new Map(entries.map((e) => [e.id, e]))
    let changed = false
    for (const e of r.entries) {
      if (forgotten.has(e.id)) continue
      const have = mine.get(e.id)
      if (!have) {
        mine.set(e.id, e)
        changed = true
      } else if (e.updatedAt > have.updatedAt) {
        mine.set(e.id, e)
        changed = true
      }
    }
    if (changed) {
      entries = [...mine.values()].sort(byNewest)
      trim()
      reindex()
    }
    return changed
  }

  let writeError: Error | undefined
  let timer: NodeJS.Timeout | undefined
  const listeners = new Set<() => void>()
  const notify = (): void => {
    for (const l of listeners) {
      try {
        l()
      } catch (e) {
        log.error('history listener failed', e)
      }
    }
  }

  const write = (): void => {
    if (timer) clearTimeout(timer)
    timer = undefined
    const merged = mergeFromDisk()
    try {
      if (existsSync(path) && now() - lastBackupAt > BACKUP_EVERY_MS) {
        // The file on disk is one we wrote (or checked): a known-good copy for the next crash.
        copyFileSync(path, backupPath)
        lastBackupAt = now()
      }
      conf.store = { format: HISTORY_FORMAT, version: HISTORY_VERSION, storeId, entries }
      diskStamp = statStamp()
      dirty = false
      writeError = undefined
    } catch (e) {
      writeError = e as Error
      log.error('could not write the job history', e)
    }
    if (merged) notify()
  }

  const schedule = (): void => {
    dirty = true
    if (writeDelayMs <= 0) return write()
    timer ??= setTimeout(write, writeDelayMs)
    timer.unref?.()
  }

  reindex()
  diskStamp = statStamp()
  if (writeRecovered) write()

  const replace = (next: HistoryEntry): void => {
    const i = entries.findIndex((e) => e.id === next.id)
    if (i >= 0) entries[i] = next
    else entries.push(next)
  }

  return {
    storeId,
    path,
    backupPath,
    get maxEntries() {
      return maxEntries
    },
    get recovered() {
      return recovered
    },
    get writeError() {
      return writeError
    },
    list: () => entries.slice(),
    get: (id) => entries.find((e) => e.id === id),
    byPartBuildId: (id) => byBuild.get(id),
    byPrintJobId: (id) => byJob.get(id),
    openEntries: () => entries.filter(isOpenEntry),
    add(entry) {
      if (entry.storeId !== storeId) {
        throw new Error(`History entry of store ${entry.storeId} added to store ${storeId}`)
      }
      // Idempotent per part build: a resumed send adding its build again updates the entry.
      const same = byBuild.get(entry.partBuildId)
      const copies = [...(same?.copies ?? [])]
      for (const c of entry.copies) {
        if (!copies.some((x) => x.printJobId === c.printJobId)) copies.push(c)
      }
      const next = normalizeEntry(
        same && same.id !== entry.id
          ? { ...entry, id: same.id, sentAt: same.sentAt, copies }
          : { ...entry, copies }
      )
      replace(next)
      entries.sort(byNewest)
      trim()
      reindex()
      dirty = true
      write() // a new entry is not recoverable from the server: write it at once
      notify()
      return next
    },
    update(id, fn) {
      const i = entries.findIndex((e) => e.id === id)
      const current = entries[i]
      if (!current) return undefined
      const produced = fn(current)
      if (!produced) return current
      const next = normalizeEntry({ ...produced, id: current.id, storeId })
      entries[i] = next
      if (next.sentAt !== current.sentAt) entries.sort(byNewest)
      reindex()
      schedule()
      notify()
      return next
    },
    clear() {
      const n = entries.length
      for (const e of entries) forgotten.add(e.id)
      entries = []
      reindex()
      dirty = true
      write()
      notify()
      return n
    },
    setMaxEntries(n) {
      maxEntries = Math.max(1, Math.floor(n))
      if (entries.length > maxEntries) {
        trim()
        reindex()
        dirty = true
        write()
        notify()
      }
    },
    flush() {
      if (dirty) write()
    },
    close() {
      if (dirty) write()
      if (timer) clearTimeout(timer)
      timer = undefined
      listeners.clear()
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    }
  }
}

/** Conf in Node (the desktop app passes electron-store, which extends Conf). */
export const nodeConfFactory: ConfFactory = (o) =>
  new Conf<Record<string, unknown>>({
    cwd: o.cwd,
    configName: o.name,
    clearInvalidConfig: o.clearInvalidConfig,
    configFileMode: o.configFileMode,
    serialize: o.serialize,
    deserialize: o.deserialize
  })
