// Printago's realtime messages, read defensively: the envelope of entity change events
// (`stores/{id}/entities/…`, whole rows or only the changed fields) and printer stats
// (`stores/{id}/printer-stats/{printerId}`, full or sparse). Anything malformed or unknown is a
// reason, never an exception. The client (realtime.ts) passes on what parses.

export type RealtimeEntityType = 'printJob' | 'printer' | 'part' | 'partBuild'
export type EntityAction = 'INSERT' | 'UPDATE' | 'DELETE'

/** One `stores/{id}/entities/…` message, validated. */
export interface EntityMessage {
  kind: 'entity'
  topic: string
  entityType: RealtimeEntityType
  action: EntityAction
  /** Entity snapshots by id (possibly partial: Printago does not document it). */
  entities: Record<string, Record<string, unknown>>
  /** Changed fields by id (UPDATE); values may be new values or `{old,new}` pairs. */
  changes: Record<string, Record<string, unknown>>
}

/** Health lists of a printer-stats message (HMS errors, warnings, infos). */
export interface StatsHealth {
  errors: Array<{ code: string; message: string }>
  warnings: Array<{ code: string; message: string }>
  infos: Array<{ code: string; message: string }>
}

/**
 * One `stores/{id}/printer-stats/{printerId}` message, reduced to what the app shows. Messages
 * are sparse (progress-only ones carry just `data.print`): a field the message does not carry is
 * `undefined` (keep the last known value); `null` means the message said "none".
 */
export interface PrinterStatsMessage {
  kind: 'printer-stats'
  topic: string
  printerId: string
  /** 0..100, when the message carries it. */
  percent: number | null
  /** `PRINTING`, `PAUSE`, `PREPARE`, `IDLE`, `FINISH`, `FAILED`…; null when the message has none. */
  state: string | null
  /** True when the message carries a `data.print` section (progress fields below are its values). */
  hasPrint: boolean
  currentLayer?: number | null
  totalLayers?: number | null
  /** Minutes (Bambu's unit; Printago does not document it). */
  timeRemaining?: number | null
  taskName?: string | null
  isOnline?: boolean
  isAvailable?: boolean | null
  /** Present only when the message carries `data.health`. */
  health?: StatsHealth
}

export type RealtimeMessage = EntityMessage | PrinterStatsMessage

export type ParseResult =
  | { ok: true; message: RealtimeMessage }
  | {
      ok: false
      reason: string
      /** the payload's entity type, when it named one */ rawType?: string
    }

/** A message the client could not use (the sync treats some as a sign job events go astray). */
export interface UnrecognisedMessage {
  topic: string
  reason: string
  rawType?: string
}

const ENTITY_ALIASES: Record<string, RealtimeEntityType> = {
  printjob: 'printJob',
  printer: 'printer',
  part: 'part',
  partbuild: 'partBuild'
}

/** 'printJob', 'print-jobs', 'print_job', 'PrintJobs' → 'printJob'; unknown → null. */
export function normalizeEntityType(raw: string): RealtimeEntityType | null {
  const key = raw.toLowerCase().replace(/[^a-z]/g, '')
  return ENTITY_ALIASES[key] ?? ENTITY_ALIASES[key.replace(/s$/, '')] ?? null
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** A present field as number-or-null; an absent one as undefined (sparse messages). */
function field(r: Record<string, unknown>, k: string): number | null | undefined {
  return k in r ? num(r[k]) : undefined
}

function healthList(v: unknown): Array<{ code: string; message: string }> {
  if (!Array.isArray(v)) return []
  return v.filter(isRecord).map((h) => ({
    code: typeof h['code'] === 'string' || typeof h['code'] === 'number' ? String(h['code']) : '',
    message: typeof h['message'] === 'string' ? h['message'].slice(0, 300) : ''
  }))
}

/** The printer-stats message in the shape the app uses; every field read defensively. */
function statsMessage(
  topic: string,
  printerId: string,
  data: Record<string, unknown>
): PrinterStatsMessage {
  const inner = isRecord(data['data']) ? data['data'] : {}
  const print = isRecord(inner['print']) ? inner['print'] : null
  const p = print ? num(print['percent']) : null
  const m: PrinterStatsMessage = {
    kind: 'printer-stats',
    topic,
    printerId,
    percent: p === null ? null : Math.max(0, Math.min(100, p)),
    state: typeof data['state'] === 'string' ? data['state'] : null,
    hasPrint: print !== null
  }
  if (print) {
    const layer = field(print, 'currentLayer')
    const total = field(print, 'totalLayers')
    const left = field(print, 'timeRemaining')
    if (layer !== undefined) m.currentLayer = layer === null ? null : Math.max(0, layer)
    if (total !== undefined) m.totalLayers = total === null ? null : Math.max(0, total)
    if (left !== undefined) m.timeRemaining = left === null ? null : Math.max(0, left)
    if ('taskName' in print)
      m.taskName = typeof print['taskName'] === 'string' ? print['taskName'].slice(0, 300) : null
  }
  if (typeof data['isOnline'] === 'boolean') m.isOnline = data['isOnline']
  if ('isAvailable' in data)
    m.isAvailable = typeof data['isAvailable'] === 'boolean' ? data['isAvailable'] : null
  if (isRecord(inner['health'])) {
    const h = inner['health']
    m.health = {
      errors: healthList(h['errors']),
      warnings: healthList(h['warnings']),
      infos: healthList(h['infos'])
    }
  }
  return m
}

function recordOfRecords(v: unknown): Record<string, Record<string, unknown>> | null {
  if (!isRecord(v)) return null
  const out: Record<string, Record<string, unknown>> = {}
  for (const [id, value] of Object.entries(v)) if (isRecord(value)) out[id] = value
  return out
}

/** Validates one message of the store's topics; never throws. */
export function parseRealtimeMessage(
  topic: string,
  payload: Uint8Array | string,
  storeId: string
): ParseResult {
  const levels = topic.split('/')
  if (levels[0] !== 'stores' || levels[1] !== storeId) return { ok: false, reason: 'foreign topic' }
  const area = levels[2]
  if (area !== 'entities' && area !== 'printer-stats') return { ok: false, reason: 'unknown topic' }
  let data: unknown
  try {
    const text = typeof payload === 'string' ? payload : Buffer.from(payload).toString('utf8')
    data = JSON.parse(text)
  } catch {
    return { ok: false, reason: 'not JSON' }
  }
  if (!isRecord(data)) return { ok: false, reason: 'not an object' }

  if (area === 'printer-stats') {
    const printerId = levels[3] ?? (typeof data['printerId'] === 'string' ? data['printerId'] : '')
    if (!printerId) return { ok: false, reason: 'missing printer id' }
    return { ok: true, message: statsMessage(topic, printerId, data) }
  }

  // The payload's entityType wins; the topic segment (e.g. `print-jobs`) is the fallback.
  const rawType =
    typeof data['entityType'] === 'string' ? data['entityType'] : (levels[3] ?? undefined)
  if (rawType === undefined) return { ok: false, reason: 'missing entityType' }
  const entityType = normalizeEntityType(rawType)
  if (!entityType) return { ok: false, reason: 'unknown entityType', rawType }
  const action = typeof data['action'] === 'string' ? data['action'].toUpperCase() : ''
  if (action !== 'INSERT' && action !== 'UPDATE' && action !== 'DELETE') {
    return { ok: false, reason: 'unknown action', rawType }
  }
  const entities = recordOfRecords(data['entities'])
  const changes = recordOfRecords(data['changes']) ?? {}
  if (!entities || (Object.keys(entities).length === 0 && Object.keys(changes).length === 0)) {
    return { ok: false, reason: 'missing entities', rawType }
  }
  return { ok: true, message: { kind: 'entity', topic, entityType, action, entities, changes } }
}
