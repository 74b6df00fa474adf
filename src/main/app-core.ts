// The desktop app's logic without Electron: the active store (demo sandbox or a real Printago
// store), the printer cache, sends, and the handler table built on them. The Electron adapter,
// the browser test bridge and tests all create one of these; only the transport differs.
import { join } from 'node:path'

import {
  type Channel,
  type ChannelResults,
  type EventName,
  type Events,
  type HandlerTable,
  type PrinterList,
  type StoreStatus
} from '../shared/ipc'
import { fail, ok, type Result } from '../shared/result'
import { createHandlerTable } from './handlers'
import type { Sandbox, SandboxOptions } from './sandbox/types'
import { allowedExternalUrl } from './services/external-links'
import { hashFile } from './services/hash'
import { createLogger } from './services/log'
import { createPrintagoClient, type PrintagoClient } from './services/printago-client'
import { isPrintagoError } from './services/printago-errors'
import { toPrinterSummary } from './services/printers'
import { createSendService, type SendService } from './services/send-pipeline'

const log = createLogger('app-core')

/** Small persistent key-value settings (electron-store in the app, conf in Node). */
export interface SettingsStore {
  get(key: string): unknown
  set(key: string, value: unknown): void
  delete(key: string): void
}

/** Where API keys live: safeStorage ciphertext in the app, memory in tests. */
export interface SecretStore {
  save(account: string, secret: string): Promise<void>
  load(account: string): Promise<string | null>
  forget(account: string): Promise<void>
}

export interface AppCoreOptions {
  dataDir: string
  settings: SettingsStore
  secrets: SecretStore
  emit: <E extends EventName>(event: E, payload: Events[E]) => void
  shell: 'electron' | 'web'
  version: string
  openExternal?: (url: string) => Promise<void>
  /** Options for the demo store's sandbox (tests make it fast). */
  demo?: SandboxOptions
  /** Starts the demo sandbox; injected so the Electron bundle and tests share one code path. */
  startSandbox: (options: SandboxOptions) => Promise<Sandbox>
}

export interface AppCore {
  handlers: HandlerTable
  /** The running demo sandbox, if any (tests inspect its state). */
  demoSandbox(): Sandbox | null
  close(): Promise<void>
}

type SavedStore =
  | { kind: 'demo' }
  | { kind: 'printago'; storeId: string; baseUrl: string; name: string; keyMasked: string }

interface Connection {
  status: StoreStatus
  client: PrintagoClient
  sender: SendService
  printers: PrinterList | null
  printersFetching: Promise<Result<PrinterList>> | null
}

const DEFAULT_BASE_URL = 'https://api.printago.io'
const PRINTER_CACHE_MS = 15_000
const PRINTER_MIN_REFRESH_MS = 2_000
const NO_STORE: StoreStatus = { kind: 'none', name: 'No store', storeId: null, keyMasked: null, baseUrl: null }

/** "abcd…wxyz": enough to recognise a key, never enough to use it. */
export function maskKey(key: string): string {
  return key.length <= 10 ? '…' : `${key.slice(0, 4)}…${key.slice(-4)}`
}

/** Turns any error into an AppError result with words a user can act on. */
export function toFailure<T>(err: unknown): Result<T> {
  if (isPrintagoError(err)) {
    const details: Record<string, unknown> = {}
    if (err.status !== undefined) details.status = err.status
    if (err.retryAfterSeconds !== undefined) details.retryAfterSeconds = err.retryAfterSeconds
    if (err.fieldPath) details.path = err.fieldPath
    return fail(err.code, err.message, details)
  }
  return fail('internal', (err as Error)?.message ?? String(err))
}

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
}

/** Creates the app core; nothing starts until the renderer asks for it. */
export function createAppCore(opts: AppCoreOptions): AppCore {
  let sandbox: Sandbox | null = null
  let connection: Connection | null = null
  let connecting: Promise<Connection | null> | null = null

  const saved = (): SavedStore | null => (opts.settings.get('activeStore') as SavedStore | undefined) ?? null

  async function startDemo(): Promise<Sandbox> {
    sandbox ??= await opts.startSandbox({ port: 0, speed: 1, ...opts.demo })
    return sandbox
  }

  function makeConnection(status: StoreStatus, apiKey: string, storeKey: string): Connection {
    const client = createPrintagoClient({ baseUrl: status.baseUrl ?? DEFAULT_BASE_URL, apiKey, storeId: status.storeId ?? '' })
    const sender = createSendService({
      client,
      dataDir: join(opts.dataDir, 'stores', storeKey),
      onProgress: (p) => opts.emit('send:progress', p)
    })
    return { status, client, sender, printers: null, printersFetching: null }
  }

  async function open(store: SavedStore | null): Promise<Connection | null> {
    if (!store) return null
    if (store.kind === 'demo') {
      const sb = await startDemo()
      const status: StoreStatus = { kind: 'demo', name: 'Demo print farm', storeId: sb.storeId, keyMasked: null, baseUrl: sb.url }
      return makeConnection(status, sb.apiKey, 'demo')
    }
    const key = await opts.secrets.load(store.storeId)
    if (!key) return null
    const status: StoreStatus = { kind: 'printago', name: store.name, storeId: store.storeId, keyMasked: store.keyMasked, baseUrl: store.baseUrl }
    return makeConnection(status, key, store.storeId)
  }

  async function current(): Promise<Connection | null> {
    if (connection) return connection
    connecting ??= open(saved()).then((c) => {
      connection = c
      connecting = null
      if (c) void c.sender.resumePending().catch((e) => log.warn('resume failed', e))
      return c
    })
    return connecting
  }

  async function switchTo(store: SavedStore, next: Connection): Promise<StoreStatus> {
    await connection?.sender.close?.()
    connection = next
    opts.settings.set('activeStore', store)
    opts.emit('store:changed', next.status)
    void next.sender.resumePending().catch((e) => log.warn('resume failed', e))
    return next.status
  }

  async function fetchPrinters(conn: Connection): Promise<Result<PrinterList>> {
    try {
      const raw = await conn.client.listPrinters({ limit: 1000 })
      const list: PrinterList = { printers: raw.map(toPrinterSummary), fetchedAt: Date.now() }
      conn.printers = list
      return ok(list)
    } catch (err) {
      const failure = toFailure<PrinterList>(err)
      // A failed refresh keeps the last known list, marked stale, instead of an empty screen.
      if (conn.printers && !failure.ok) return ok({ ...conn.printers, stale: failure.error })
      return failure
    }
  }

  const needStore = <T>(): Result<T> => fail('no-store', 'No store is connected. Try the demo store or connect your Printago store.')

  const impl: { [C in Channel]: (payload: never) => Promise<Result<ChannelResults[C]>> } = {
    'app:info': async () => {
      const conn = await current()
      return ok({ name: 'Printago Send', version: opts.version, shell: opts.shell, store: conn?.status ?? NO_STORE })
    },
    'store:status': async () => ok((await current())?.status ?? NO_STORE),
    'store:useDemo': async () => {
      const store: SavedStore = { kind: 'demo' }
      const conn = await open(store)
      if (!conn) return fail('internal', 'The demo store could not start.')
      return ok(await switchTo(store, conn))
    },
    'store:connect': async (payload: { apiKey: string; storeId: string; baseUrl?: string }) => {
      const apiKey = payload.apiKey.trim()
      const storeId = payload.storeId.trim()
      if (/\s/.test(apiKey)) return fail('invalid-key', 'The API key contains spaces or line breaks. Paste only the key.')
      if (!/^[a-z0-9]{24,}$/.test(apiKey))
        return fail('invalid-key', 'That does not look like a Printago API key (lowercase letters and digits, at least 24).')
      if (!/^[a-z0-9]{24}$/.test(storeId))
        return fail('invalid-store-id', 'A store id is 24 lowercase letters or digits. Copy it from Printago → Settings.')
      let baseUrl = DEFAULT_BASE_URL
      if (payload.baseUrl) {
        let url: URL
        try {
          url = new URL(payload.baseUrl)
        } catch {
          return fail('invalid-url', 'The base URL is not a valid URL.')
        }
        // Plain http only to this computer (a local sandbox); the key must never cross a network in clear.
        if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url)))
          return fail('invalid-url', 'The base URL must start with https:// (http:// is allowed only for this computer).')
        baseUrl = url.origin
      }
      const client = createPrintagoClient({ baseUrl, apiKey, storeId, retry: { maxAttempts: 2 }, timeoutMs: 15_000 })
      let name = `Store ${storeId.slice(0, 6)}`
      try {
        const stores = await client.listStores()
        name = stores.find((s) => s.id === storeId)?.name ?? stores[0]?.name ?? name
      } catch (err) {
        if (isPrintagoError(err) && err.code === 'forbidden') {
          // Some keys may not read stores; printers are what the app needs, so check those instead.
          try {
            await client.listPrinters({ limit: 1 })
          } catch (err2) {
            return toFailure(err2)
          }
        } else if (isPrintagoError(err) && err.code === 'auth') {
          return fail('auth', 'Printago did not accept this API key for this store id (401). Check both and try again.')
        } else if (isPrintagoError(err) && (err.code === 'network' || err.code === 'timeout')) {
          return fail(err.code, `Could not reach ${baseUrl}: ${err.message}`)
        } else return toFailure(err)
      }
      await opts.secrets.save(storeId, apiKey)
      const store: SavedStore = { kind: 'printago', storeId, baseUrl, name, keyMasked: maskKey(apiKey) }
      const status: StoreStatus = { kind: 'printago', name, storeId, keyMasked: store.keyMasked, baseUrl }
      return ok(await switchTo(store, makeConnection(status, apiKey, storeId)))
    },
    'store:disconnect': async () => {
      const s = saved()
      if (s?.kind === 'printago') await opts.secrets.forget(s.storeId)
      opts.settings.delete('activeStore')
      await connection?.sender.close?.()
      connection = null
      opts.emit('store:changed', NO_STORE)
      return ok(NO_STORE)
    },
    'files:hash': async ({ path }: { path: string }) => {
      try {
        const h = await hashFile(path)
        return ok({ path, name: path.split(/[\\/]/).pop() ?? path, size: h.size, sha256: h.sha256 })
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT') return fail('not-found', `The file ${path} no longer exists.`)
        if (code === 'EISDIR') return fail('is-directory', `${path} is a folder, not a file.`)
        if (code === 'EACCES' || code === 'EPERM') return fail('unreadable', `No permission to read ${path}.`)
        return fail('unreadable', `Could not read ${path}: ${(err as Error).message}`)
      }
    },
    'printers:list': async (payload?: { refresh?: boolean }) => {
      const conn = await current()
      if (!conn) return needStore()
      const age = conn.printers ? Date.now() - conn.printers.fetchedAt : Infinity
      // Budget: at most one list call per 15 s (2 s when the user asks), far under 60/min.
      if (age < (payload?.refresh ? PRINTER_MIN_REFRESH_MS : PRINTER_CACHE_MS) && conn.printers) return ok(conn.printers)
      conn.printersFetching ??= fetchPrinters(conn).finally(() => (conn.printersFetching = null))
      return conn.printersFetching
    },
    'send:start': async (request) => {
      const conn = await current()
      if (!conn) return needStore()
      const jobId = conn.sender.start(request, (done) => opts.emit('send:finished', done))
      return ok({ jobId })
    },
    'send:cancel': async ({ jobId }: { jobId: string }) => {
      const conn = await current()
      return ok({ cancelled: conn ? conn.sender.cancel(jobId) : false })
    },
    'shell:openExternal': async ({ url }: { url: string }) => {
      const allowed = allowedExternalUrl(url)
      if (!allowed) return fail('blocked-url', 'Only https links to Printago can be opened from the app.')
      if (!opts.openExternal) return ok({ opened: false })
      await opts.openExternal(allowed)
      return ok({ opened: true })
    }
  }

  return {
    handlers: createHandlerTable(impl as never),
    demoSandbox: () => sandbox,
    async close() {
      await connection?.sender.close?.()
      await sandbox?.close()
      sandbox = null
    }
  }
}
