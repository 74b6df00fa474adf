// Printago realtime: an MQTT 3.1.1 client, read-only, that reports entity change
// events and printer stats of one store. It never publishes. Each connection attempt uses a fresh
// mqtt.js client (mqtt.js' own fixed-period reconnect is off) so the back-off is ours: exponential
// with jitter after drops, long and steady after a refusal (bad key, store, or client id).
// Messages are parsed defensively: anything malformed or unknown is counted and ignored.
import { randomBytes } from 'node:crypto'
import { connect as mqttConnect, type IClientOptions, type MqttClient } from 'mqtt'

/** Printago's broker over TLS; `wss://realtime.printago.io:9001/mqtt` is the WebSocket form. */
export const DEFAULT_REALTIME_URL = 'mqtts://realtime.printago.io:8883'

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

export type RealtimeState =
  'idle' | 'connecting' | 'connected' | 'reconnecting' | 'refused' | 'closed'

export interface RealtimeStats {
  /** Messages received on any topic. */
  received: number
  /** Messages passed on to listeners. */
  handled: number
  ignored: number
  /** Ignored messages by reason, e.g. `{ 'not JSON': 2 }`. */
  ignoredByReason: Record<string, number>
  /** Successful connections (subscribed). */
  connects: number
  attempts: number
}

export interface RealtimeOptions {
  /** `ws://…/mqtt`, `wss://…/mqtt`, `mqtt://…` or `mqtts://…`. */
  url: string
  storeId: string
  apiKey: string
  /** mqtt.js `connect`, injectable for tests. */
  connect?: (url: string, options: IClientOptions) => MqttClient
  /** First retry delay after a drop; doubles up to `maxBackoffMs`. Default 1 s. */
  baseBackoffMs?: number
  /** Default 60 s. */
  maxBackoffMs?: number
  /** Retry delay after the broker refused us (credentials, client id, ACL). Default 5 min. */
  refusedBackoffMs?: number
  /** CONNACK timeout per attempt. Default 20 s. */
  connectTimeoutMs?: number
  random?: () => number
  /** Client id suffix (default random); the prefix is always `apiclient_<keyId>_`. */
  clientIdSuffix?: string
}

export interface StateDetail {
  /** The last error, in words (never the key). */
  error?: string
  /** True for the second and later successful connections. */
  reconnect: boolean
}

export interface RealtimeClient {
  readonly state: RealtimeState
  readonly clientId: string
  readonly stats: RealtimeStats
  readonly lastError: string | undefined
  /** Starts connecting (idempotent). */
  start(): void
  onMessage(listener: (message: RealtimeMessage) => void): () => void
  /** Messages on the store's topics that could not be used (malformed, unknown type…). */
  onUnrecognised(listener: (message: UnrecognisedMessage) => void): () => void
  onState(listener: (state: RealtimeState, detail: StateDetail) => void): () => void
  close(): Promise<void>
}

/** The client id Printago's broker expects: `apiclient_<first 24 chars of the key>_<suffix>`. */
export function realtimeClientId(apiKey: string, suffix?: string): string {
  return `apiclient_${apiKey.slice(0, 24)}_${suffix ?? randomBytes(6).toString('hex')}`
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

function describeError(e: unknown): string {
  const err = e as { message?: string; code?: unknown }
  const msg = err?.message ?? String(e)
  // Never echo credentials, whatever a library put into its message.
  return msg.replace(/[a-z0-9]{48,}/gi, '[redacted]')
}

/** Refusals that will not go away by retrying soon: auth, client id, not authorised. */
function isRefusal(e: unknown): boolean {
  const code = (e as { code?: unknown })?.code
  return code === 2 || code === 4 || code === 5 || code === 134 || code === 135
}

/** Creates the realtime client; call `start()` to connect. */
export function createRealtimeClient(opts: RealtimeOptions): RealtimeClient {
  const connect = opts.connect ?? mqttConnect
  const random = opts.random ?? Math.random
  const baseMs = opts.baseBackoffMs ?? 1000
  const maxMs = opts.maxBackoffMs ?? 60_000
  const refusedMs = opts.refusedBackoffMs ?? 5 * 60_000
  const clientId = realtimeClientId(opts.apiKey, opts.clientIdSuffix)
  const topics = [`stores/${opts.storeId}/entities/#`, `stores/${opts.storeId}/printer-stats/#`]
  const stats: RealtimeStats = {
    received: 0,
    handled: 0,
    ignored: 0,
    ignoredByReason: {},
    connects: 0,
    attempts: 0
  }
  const messageListeners = new Set<(m: RealtimeMessage) => void>()
  const unrecognisedListeners = new Set<(m: UnrecognisedMessage) => void>()
  const stateListeners = new Set<(s: RealtimeState, d: StateDetail) => void>()
  let state: RealtimeState = 'idle'
  let lastError: string | undefined
  let client: MqttClient | null = null
  let timer: NodeJS.Timeout | undefined
  let failures = 0
  let closed = false

  const setState = (next: RealtimeState): void => {
    if (next === state && next !== 'connected') return
    state = next
    const detail: StateDetail = { reconnect: stats.connects > 1 }
    if (lastError !== undefined && next !== 'connected') detail.error = lastError
    for (const l of stateListeners) {
      try {
        l(next, detail)
      } catch {
        // a listener's bug must not break the connection loop
      }
    }
  }

  const ignore = (reason: string): void => {
    stats.ignored++
    stats.ignoredByReason[reason] = (stats.ignoredByReason[reason] ?? 0) + 1
  }

  const drop = (c: MqttClient): void => {
    c.removeAllListeners()
    c.on('error', () => undefined)
    c.end(true)
  }

  const schedule = (refused: boolean): void => {
    if (closed) return
    const exp = Math.min(maxMs, baseMs * 2 ** Math.min(failures, 20))
    const delay = refused ? refusedMs : exp * (0.5 + random() * 0.5)
    failures++
    timer = setTimeout(attempt, delay)
    timer.unref?.()
  }

  function attempt(): void {
    timer = undefined
    if (closed) return
    stats.attempts++
    setState(stats.connects > 0 ? 'reconnecting' : 'connecting')
    let refused = false
    let ended = false
    const c = connect(opts.url, {
      clientId,
      username: opts.storeId,
      password: opts.apiKey,
      protocolVersion: 4,
      keepalive: 60,
      clean: true,
      reconnectPeriod: 0,
      connectTimeout: opts.connectTimeoutMs ?? 20_000,
      resubscribe: false,
      queueQoSZero: false
    })
    client = c
    const end = (): void => {
      if (ended) return
      ended = true
      if (client === c) client = null
      drop(c)
      if (closed) return
      setState(refused ? 'refused' : 'reconnecting')
      schedule(refused)
    }
    c.on('connect', () => {
      c.subscribe(topics, { qos: 0 }, (err, granted) => {
        if (ended) return
        const entitiesGrant = granted?.find((g) => g.topic === topics[0])
        if (err || !entitiesGrant || entitiesGrant.qos === 128) {
          lastError = err
            ? `Subscribing to realtime updates failed: ${describeError(err)}`
            : 'The realtime broker refused the subscription to this store'
          refused = true
          end()
          return
        }
        failures = 0
        lastError = undefined
        stats.connects++
        setState('connected')
      })
    })
    c.on('message', (topic, payload) => {
      stats.received++
      const r = parseRealtimeMessage(topic, payload, opts.storeId)
      if (!r.ok) {
        ignore(r.reason)
        const u: UnrecognisedMessage = { topic, reason: r.reason }
        if (r.rawType !== undefined) u.rawType = r.rawType
        for (const l of unrecognisedListeners) {
          try {
            l(u)
          } catch {
            // a listener's bug must not break the connection loop
          }
        }
        return
      }
      stats.handled++
      for (const l of messageListeners) {
        try {
          l(r.message)
        } catch {
          // a listener's bug is not a malformed message, but it must not kill the client either
        }
      }
    })
    c.on('error', (e) => {
      lastError = describeError(e)
      if (isRefusal(e)) refused = true
    })
    c.on('close', end)
  }

  return {
    get state() {
      return state
    },
    clientId,
    stats,
    get lastError() {
      return lastError
    },
    start() {
      if (closed || state !== 'idle') return
      attempt()
    },
    onMessage(listener) {
      messageListeners.add(listener)
      return () => messageListeners.delete(listener)
    },
    onUnrecognised(listener) {
      unrecognisedListeners.add(listener)
      return () => unrecognisedListeners.delete(listener)
    },
    onState(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
    async close() {
      if (closed) return
      closed = true
      if (timer) clearTimeout(timer)
      timer = undefined
      const c = client
      client = null
      if (c) {
        await new Promise<void>((resolve) => {
          c.removeAllListeners()
          c.on('error', () => undefined)
          c.end(true, {}, () => resolve())
        })
      }
      setState('closed')
      messageListeners.clear()
      unrecognisedListeners.clear()
      stateListeners.clear()
    }
  }
}
