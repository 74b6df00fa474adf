// Printago sandbox: a local, faithful emulator of the Printago REST API (see types.ts for the API
// and /work/shared/printago/API.md for the behaviour it reproduces). Must not import electron.
// This is the product emulator the desktop app's demo store loads: its test surfaces (fault
// injection, the admin API, the request log) live in ./testing and attach through `attach`, so
// they never ship in the app (eslint.config.js and scripts/check-packaging.mjs hold that).
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Printer } from '../shared/printago/api-types'
import { realClock, withTimers, type SandboxClock } from './clock'
import {
  DEMO_API_KEY,
  DEMO_LIMITED_API_KEY,
  DEMO_STORE_ID,
  demoFleet,
  demoPrinterSettings,
  demoSlots
} from './fleet'
import { createEntityClock, createRandom } from './ids'
import { SlidingWindowLimiter } from './rate-limit'
import { Scheduler } from './scheduler'
import { startMqttBroker, type MqttBroker } from './mqtt-broker'
import { createHandler, type ServerHooks } from './server'
import { ObjectStorage } from './storage'
import { SandboxStore } from './store'
import type { RunningSandbox, SandboxOptions } from './types'

export {
  DEMO_API_KEY,
  DEMO_LIMITED_API_KEY,
  DEMO_STORE_ID,
  demoFleet,
  demoPrinterSettings,
  demoSlots
} from './fleet'
export { MATERIAL, VARIANT } from './materials'
export type * from './types'

const DEFAULT_UPLOAD_TTL_MS = 15 * 60_000

/** The emulator's parts, handed to test tooling that attaches to it (see ./testing). */
export interface SandboxInternals {
  store: SandboxStore
  scheduler: Scheduler
  limiter: SlidingWindowLimiter
  storage: ObjectStorage
  /** Largest accepted JSON body in bytes. */
  maxJsonBytes: number
  clock: Required<SandboxClock>
}

/** Attaches request hooks to a sandbox as it starts (the test tooling's entry point). */
export type SandboxAttachment = (internals: SandboxInternals) => ServerHooks

/** Starts a sandbox HTTP server on loopback (port 0 = any free port). */
export async function startSandbox(
  opts: SandboxOptions = {},
  attach?: SandboxAttachment
): Promise<RunningSandbox> {
  const host = opts.host ?? '127.0.0.1'
  const storeId = opts.storeId ?? DEMO_STORE_ID
  const apiKey = opts.apiKey ?? DEMO_API_KEY
  const limitedApiKey = opts.limitedApiKey ?? DEMO_LIMITED_API_KEY
  const random = createRandom(opts.seed)
  const clock = opts.clock ? withTimers(opts.clock) : realClock
  const now = (): number => clock.now()
  const store = new SandboxStore({
    storeId,
    printers: opts.printers ?? demoFleet(storeId),
    slots: opts.printerSlots ?? demoSlots(),
    settings: opts.printerSettings ?? demoPrinterSettings(),
    random,
    clock: createEntityClock(opts.seed !== undefined, now)
  })
  const ownDir = opts.storageDir === undefined
  const dir = opts.storageDir ?? (await mkdtemp(join(tmpdir(), 'printago-sandbox-')))
  const storage = new ObjectStorage(
    dir,
    store.state.uploads,
    random,
    opts.uploadUrlTtlMs ?? DEFAULT_UPLOAD_TTL_MS,
    now
  )
  await storage.init()
  const limiter = new SlidingWindowLimiter(opts.ratePerMinute ?? 60, opts.ratePerHour ?? 600, now)
  const scheduler = new Scheduler(store, storage, {
    speed: opts.speed ?? 1,
    autoClearBeds: opts.autoClearBeds ?? false,
    failureRate: opts.failureRate ?? 0,
    lifecycle: opts.lifecycle ?? 'compact',
    clock
  })
  const maxJsonBytes = opts.maxJsonBytes ?? 1 << 20
  const hooks = attach?.({ store, scheduler, limiter, storage, maxJsonBytes, clock })
  let origin = ''
  const server = createServer(
    { keepAliveTimeout: 5_000, requestTimeout: 0 },
    createHandler({
      store,
      storage,
      limiter,
      hooks,
      auth: { apiKey, limitedApiKey, storeId },
      maxJsonBytes,
      rateLimitHeaders: opts.rateLimitHeaders ?? false,
      now,
      origin: () => origin
    })
  )
  server.on('clientError', (_err, socket) => {
    // Malformed HTTP: answer 400 if the socket still can, never throw.
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n')
    else socket.destroy()
  })
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(opts.port ?? 0, host, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } catch (e) {
    scheduler.stop()
    if (ownDir) await rm(dir, { recursive: true, force: true })
    throw e
  }
  const port = (server.address() as AddressInfo).port
  const shownHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host
  origin = `http://${shownHost}:${port}`
  let closed: Promise<void> | undefined
  const entityPayloads = opts.mqttEntityPayloads ?? 'full'
  // The realtime broker publishes the same entity events Printago pushes over MQTT.
  let broker: MqttBroker | null = null
  if (opts.mqtt !== false) {
    try {
      broker = await startMqttBroker({
        storeId,
        apiKey,
        limitedApiKey,
        events: store.events,
        host,
        entityPayloads
      })
    } catch (e) {
      scheduler.stop()
      server.close()
      if (ownDir) await rm(dir, { recursive: true, force: true })
      throw e
    }
  }

  return {
    url: origin,
    port,
    apiKey,
    storeId,
    limitedApiKey,
    mqttUrl: broker?.wsUrl ?? null,
    mqttTcpUrl: broker?.tcpUrl ?? null,
    async restartMqtt(): Promise<void> {
      if (!broker) return
      const port = broker.wsPort
      const tcpPort = broker.tcpPort
      await broker.close()
      broker = await startMqttBroker({
        storeId,
        apiKey,
        limitedApiKey,
        events: store.events,
        host,
        port,
        tcpPort,
        entityPayloads
      })
    },
    async stopMqtt(): Promise<void> {
      await broker?.close()
    },
    state: store.state,
    events: store.events,
    setSpeed: (speed) => scheduler.setSpeed(speed),
    tick: () => scheduler.tick(),
    updatePrinter(id: string, patch: Partial<Printer>): Printer {
      const p = store.state.printers.get(id)
      if (!p) throw new Error(`unknown printer ${id}`)
      store.patchPrinter(p, patch)
      return p
    },
    close(): Promise<void> {
      closed ??= (async () => {
        scheduler.stop()
        await broker?.close().catch(() => undefined)
        await new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        })
        if (ownDir) await rm(dir, { recursive: true, force: true }).catch(() => undefined)
      })()
      return closed
    }
  }
}
