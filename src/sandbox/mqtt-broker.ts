// The sandbox's realtime broker: aedes over WebSocket (path /mqtt) and plain TCP on loopback,
// with Printago's credential rules (API.md §10.1) and the entity topics of §10.2. Must not import
// electron.
//
// - username = store id, password = an accepted API key (full or limited);
// - client id must start with `apiclient_<keyId>_` (keyId = first 24 chars of the key) plus a suffix;
// - clients may subscribe only under `stores/<storeId>/…` and may never publish;
// - every sandbox entity event is published to `stores/<storeId>/entities/<plural-kebab type>`
//   as `{entityType, action, entities, changes}`, QoS 0, not retained; UPDATE rows are full,
//   only the changed fields, or alternating (`entityPayloads`);
// - printer telemetry goes to `stores/<storeId>/printer-stats/<printerId>`, QoS 0, not retained.
import { timingSafeEqual } from 'node:crypto'
import type { EventEmitter } from 'node:events'
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http'
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net'
import type { AddressInfo } from 'node:net'
import { Aedes, type AuthenticateError, type Client } from 'aedes'
import { createWebSocketStream, WebSocketServer } from 'ws'

import type { EntityType, PrinterStatMessage, SandboxEntityEvent, SandboxEventMap } from './types'

export interface MqttBrokerOptions {
  storeId: string
  apiKey: string
  /** A second accepted key (the sandbox's limited key; MQTT is read-only, so it may connect). */
  limitedApiKey?: string
  /** The sandbox's entity event emitter (`sandbox.events`). */
  events: EventEmitter<SandboxEventMap>
  /** Default 127.0.0.1. */
  host?: string
  /** WebSocket port; 0 (default) picks a free one. */
  port?: number
  /** TCP port; 0 (default) picks a free one. */
  tcpPort?: number
  /** UPDATE messages: full rows (default), only the changed fields, or alternating. */
  entityPayloads?: 'full' | 'changes' | 'mixed'
}

export interface MqttBroker {
  /** e.g. ws://127.0.0.1:41234/mqtt */
  wsUrl: string
  /** e.g. mqtt://127.0.0.1:41235 */
  tcpUrl: string
  wsPort: number
  tcpPort: number
  close(): Promise<void>
  /** Clients currently connected (authenticated). */
  clientCount(): number
  /** Messages the broker published from entity events and printer stats. */
  published(): number
  /** Test hook: publish arbitrary bytes on a topic (malformed-message tests). */
  publishRaw(topic: string, payload: string | Buffer): Promise<void>
}

/** Printago's topic segment for an entity type: plural kebab-case. */
export const ENTITY_TOPIC: Record<EntityType, string> = {
  printJob: 'print-jobs',
  printer: 'printers',
  part: 'parts',
  partBuild: 'part-builds'
}

// CONNACK return codes of MQTT 3.1.1.
const IDENTIFIER_REJECTED = 2
const BAD_USERNAME_OR_PASSWORD = 4

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function authError(message: string, returnCode: number): AuthenticateError {
  return Object.assign(new Error(message), { returnCode }) as AuthenticateError
}

/** Whether a subscription filter stays inside one store (`stores/<id>/…`, no wildcard before it). */
export function topicAllowed(filter: string, storeId: string): boolean {
  const levels = filter.split('/')
  return levels.length >= 3 && levels[0] === 'stores' && levels[1] === storeId
}

/** Starts the broker; resolves when both listeners are up. */
export async function startMqttBroker(opts: MqttBrokerOptions): Promise<MqttBroker> {
  const host = opts.host ?? '127.0.0.1'
  const keys = [opts.apiKey, ...(opts.limitedApiKey ? [opts.limitedApiKey] : [])]
  let publishedCount = 0

  const aedes = await Aedes.createBroker({
    authenticate(client: Client, username, password, done) {
      const key = password?.toString('utf8') ?? ''
      const accepted = keys.find((k) => same(k, key))
      if (username === undefined || !same(username, opts.storeId) || !accepted) {
        done(authError('Bad username or password', BAD_USERNAME_OR_PASSWORD), false)
        return
      }
      const prefix = `apiclient_${accepted.slice(0, 24)}_`
      if (!client.id.startsWith(prefix) || client.id.length === prefix.length) {
        done(authError('Client id must be apiclient_<keyId>_<suffix>', IDENTIFIER_REJECTED), false)
        return
      }
      done(null, true)
    },
    authorizeSubscribe(_client, sub, done) {
      // MQTT 3.1.1: a refused filter gets 0x80 in the SUBACK (null subscription), not a disconnect.
      done(null, topicAllowed(sub.topic, opts.storeId) ? sub : null)
    },
    authorizePublish(_client, _packet, done) {
      // Read-only realtime: a client PUBLISH closes its connection.
      done(new Error('Clients may not publish'))
    }
  })

  const publish = (topic: string, payload: Buffer): Promise<void> =>
    new Promise((resolve) => {
      aedes.publish({ cmd: 'publish', topic, payload, qos: 0, retain: false, dup: false }, () =>
        resolve()
      )
    })

  let updates = 0
  /** Whether this UPDATE carries only the changed fields (per `entityPayloads`). */
  const sparse = (): boolean => {
    const mode = opts.entityPayloads ?? 'full'
    return mode === 'changes' || (mode === 'mixed' && updates++ % 2 === 1)
  }
  const onEntity = (event: SandboxEntityEvent): void => {
    const segment = ENTITY_TOPIC[event.entityType]
    if (!segment) return
    let entities: Record<string, unknown> = event.entities
    if (event.action === 'UPDATE' && event.changes && sparse()) {
      entities = Object.fromEntries(
        Object.entries(event.changes).map(([id, changes]) => [id, { id, ...changes }])
      )
    }
    const body: Record<string, unknown> = {
      entityType: event.entityType,
      action: event.action,
      entities
    }
    if (event.changes) body.changes = event.changes
    publishedCount++
    void publish(`stores/${opts.storeId}/entities/${segment}`, Buffer.from(JSON.stringify(body)))
  }
  const onStats = (message: PrinterStatMessage): void => {
    publishedCount++
    void publish(
      `stores/${opts.storeId}/printer-stats/${message.printerId}`,
      Buffer.from(JSON.stringify(message))
    )
  }

  const tcpSockets = new Set<Socket>()
  const tcp: TcpServer = createTcpServer((socket) => {
    tcpSockets.add(socket)
    socket.on('close', () => tcpSockets.delete(socket))
    socket.on('error', () => undefined)
    aedes.handle(socket)
  })
  const http: HttpServer = createHttpServer((_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain' }).end('MQTT over WebSocket: use /mqtt\n')
  })
  const wss = new WebSocketServer({ server: http, path: '/mqtt' })
  wss.on('connection', (socket, req) => {
    const stream = createWebSocketStream(socket)
    stream.on('error', () => undefined)
    aedes.handle(stream, req)
  })

  const listen = (server: HttpServer | TcpServer, port: number): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => {
        server.off('error', reject)
        resolve((server.address() as AddressInfo).port)
      })
    })

  let wsPort: number
  let tcpPort: number
  try {
    wsPort = await listen(http, opts.port ?? 0)
    tcpPort = await listen(tcp, opts.tcpPort ?? 0)
  } catch (e) {
    http.close()
    tcp.close()
    await new Promise<void>((r) => aedes.close(() => r()))
    throw e
  }
  opts.events.on('entity', onEntity)
  opts.events.on('printerStats', onStats)
  const shownHost = host.includes(':') ? `[${host}]` : host
  let closed: Promise<void> | undefined

  return {
    wsUrl: `ws://${shownHost}:${wsPort}/mqtt`,
    tcpUrl: `mqtt://${shownHost}:${tcpPort}`,
    wsPort,
    tcpPort,
    clientCount: () => aedes.connectedClients,
    published: () => publishedCount,
    publishRaw: (topic, payload) =>
      publish(topic, typeof payload === 'string' ? Buffer.from(payload) : payload),
    close(): Promise<void> {
      closed ??= (async () => {
        opts.events.off('entity', onEntity)
        opts.events.off('printerStats', onStats)
        for (const ws of wss.clients) ws.terminate()
        for (const s of tcpSockets) s.destroy()
        await new Promise<void>((r) => aedes.close(() => r()))
        await new Promise<void>((r) => wss.close(() => r()))
        await Promise.all(
          [http, tcp].map(
            (server) =>
              new Promise<void>((r) => {
                server.close(() => r())
                if ('closeAllConnections' in server) server.closeAllConnections()
              })
          )
        )
      })()
      return closed
    }
  }
}
