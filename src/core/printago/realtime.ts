// Printago realtime: an MQTT 3.1.1 client, read-only, that reports entity change
// events and printer stats of one store. It never publishes. Each connection attempt uses a fresh
// mqtt.js client (mqtt.js' own fixed-period reconnect is off) so the back-off is ours: exponential
// with jitter after drops, long and steady after a refusal (bad key, store, or client id).
// Messages are parsed defensively (realtime-messages.ts): anything malformed or unknown is counted,
// ignored and told to `onUnrecognised` listeners.
import { randomBytes } from 'node:crypto'
import { connect as mqttConnect, type IClientOptions, type MqttClient } from 'mqtt'

import {
  parseRealtimeMessage,
  type RealtimeMessage,
  type UnrecognisedMessage
} from './realtime-messages'

/** Printago's broker over TLS; `wss://realtime.printago.io:9001/mqtt` is the WebSocket form. */
export const DEFAULT_REALTIME_URL = 'mqtts://realtime.printago.io:8883'

// The message types and the parser, as before the split (callers import them from here).
export {
  normalizeEntityType,
  parseRealtimeMessage,
  type EntityAction,
  type EntityMessage,
  type ParseResult,
  type PrinterStatsMessage,
  type RealtimeEntityType,
  type RealtimeMessage,
  type StatsHealth,
  type UnrecognisedMessage
} from './realtime-messages'

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
