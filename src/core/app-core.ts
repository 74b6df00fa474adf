// The desktop app's logic without Electron: settings, saved stores (the demo sandbox or real
// Printago stores), the printer cache, sends, and the handler table built on them. The Electron
// adapter, the browser test bridge and tests each create one; only the transport differs.
import { randomUUID } from 'node:crypto'
import { rmSync } from 'node:fs'

import {
  type Channel,
  type ChannelResults,
  type EventName,
  type Events,
  type HandlerTable,
  type Payload,
  type PrinterList,
  type SavedStoreView,
  type SettingsView,
  type StoreStatus
} from '../shared/ipc'
import type { Printer } from '../shared/printago/api-types'
import { fail, ok, type Result } from '../shared/result'
import { sanitizeSettings, type AppSettings, type KeyProtection } from '../shared/settings'
import { createHandlerTable } from './handler-table'
import { storeDataDir } from './infra/data-dir'
import { openDedupeCache } from './send/dedupe-cache'
import { allowedExternalUrl } from './infra/external-links'
import { hashFile } from './infra/hash'
import { createLogger } from './infra/log'
import { createPrintagoClient, type PrintagoClient } from './printago/client'
import { isPrintagoError } from './printago/errors'
import { toPrinterSummary } from './printers/summary'
import { createSendService, type SendService } from './send/service'
import {
  cancelEntry,
  exportHistoryCsv,
  HistoryActionError,
  reprintEntry,
  retryEntry,
  troubleshootJob
} from './history/actions'
import { openHistoryStore, type ConfFactory, type HistoryStore } from './history/store'
import { recordSentFiles, resumeIntoHistory } from './send/record-history'
import { createRateLimiter } from './printago/rate-limiter'
import { createRealtimeClient, DEFAULT_REALTIME_URL } from './printago/realtime'
import { createStatusSync, notificationText, type StatusSync } from './history/sync'

const log = createLogger('app-core')

/** Small persistent key-value settings (electron-store in the app, conf in Node). */
export interface SettingsStore {
  get(key: string): unknown
  set(key: string, value: unknown): void
  delete(key: string): void
}

/** Where API keys live: safeStorage ciphertext in the app, memory in the web bridge and tests. */
export interface SecretStore {
  save(account: string, secret: string): Promise<void>
  load(account: string): Promise<string | null>
  forget(account: string): Promise<void>
  /** How well stored keys are protected here (Linux without a keyring: 'weak'). */
  protection(): KeyProtection
}

/**
 * What the core needs of the demo store's backend (a Printago sandbox started by the host). The
 * core never imports the sandbox: the Electron adapter loads it with import() when the demo store
 * is chosen, the web host and tests pass their own.
 */
export interface DemoBackend {
  url: string
  apiKey: string
  storeId: string
  mqttUrl?: string | null
  close(): Promise<void>
}

/** Options the host passes through to its demo backend (port, speed…); opaque to the core. */
export interface DemoOptions {
  port?: number
  speed?: number
}

export interface AppCoreOptions<
  D extends DemoBackend = DemoBackend,
  O extends DemoOptions = DemoOptions
> {
  dataDir: string
  settings: SettingsStore
  /** Set when the settings file was unreadable and was moved aside (its new path). */
  settingsDamagedBackup?: string | null
  secrets: SecretStore
  emit: <E extends EventName>(event: E, payload: Events[E]) => void
  shell: 'electron' | 'web'
  version: string
  openExternal?: (url: string) => Promise<void>
  /** Options for the demo store's sandbox (tests make it fast). */
  demo?: O
  /** Starts the demo backend; injected so the Electron bundle and tests share one code path. */
  startSandbox: (options: O) => Promise<D>
  /** Creates the history file's store: electron-store in the app, conf in Node. */
  createConf: ConfFactory
  /** Shows a desktop notification; `onClick` opens the entry. Absent in the web bridge. */
  notify?: (title: string, body: string, onClick: () => void) => void
  /** MQTT endpoint for real stores (default Printago's realtime broker); null disables realtime. */
  realtimeUrl?: string | null
}

export interface AppCore<D extends DemoBackend = DemoBackend> {
  handlers: HandlerTable
  /** The running demo sandbox, if any (tests inspect its state). */
  demoSandbox(): D | null
  close(): Promise<void>
}

interface SavedPrintagoStore {
  storeId: string
  baseUrl: string
  name: string
  keyMasked: string
}

interface Connection {
  status: StoreStatus
  stopResuming(): void
  client: PrintagoClient
  sender: Promise<SendService>
  history: HistoryStore
  sync: StatusSync
  printers: PrinterList | null
  printersFetching: Promise<Result<PrinterList>> | null
  /** The raw printers behind the list, so realtime updates can be merged and re-derived. */
  rawPrinters: Map<string, Printer>
}

const DEFAULT_BASE_URL = 'https://api.printago.io'
const PRINTER_CACHE_MS = 15_000
const RESUME_EVERY_MS = 30_000
const PRINTER_MIN_REFRESH_MS = 2_000
const NO_STORE: StoreStatus = {
  kind: 'none',
  name: 'No store',
  storeId: null,
  keyMasked: null,
  baseUrl: null
}
const DEMO = 'demo'

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

/** Checks a pasted key, store id and base URL before any network call. */
export function checkCredentials(input: {
  apiKey: string
  storeId: string
  baseUrl?: string
}): Result<{ apiKey: string; storeId: string; baseUrl: string }> {
  const apiKey = input.apiKey.trim()
  const storeId = input.storeId.trim()
  if (/\s/.test(apiKey))
    return fail('invalid-key', 'The API key contains spaces or line breaks. Paste only the key.')
  if (!/^[a-z0-9]{24,256}$/.test(apiKey))
    return fail(
      'invalid-key',
      'That does not look like a Printago API key (lowercase letters and digits, at least 24).'
    )
  if (!/^[a-z0-9]{24}$/.test(storeId))
    return fail(
      'invalid-store-id',
      'A store id is 24 lowercase letters or digits. Copy it from Printago → Settings.'
    )
  let baseUrl = DEFAULT_BASE_URL
  if (input.baseUrl?.trim()) {
    let url: URL
    try {
      url = new URL(input.baseUrl.trim())
    } catch {
      return fail('invalid-url', 'The base URL is not a valid URL.')
    }
    // Plain http only to this computer (a local sandbox): a key must never cross a network in clear.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url)))
      return fail(
        'invalid-url',
        'The base URL must start with https:// (http:// only for this computer).'
      )
    baseUrl = url.origin
  }
  return ok({ apiKey, storeId, baseUrl })
}

/** Creates the app core; nothing starts until the renderer asks for it. */
export function createAppCore<D extends DemoBackend, O extends DemoOptions = DemoOptions>(
  opts: AppCoreOptions<D, O>
): AppCore<D> {
  let sandbox: D | null = null
  let connection: Connection | null = null
  let opening: Promise<Connection | null> | null = null
  /** Keys the user chose to keep for this session only (weak OS protection). */
  const sessionKeys = new Map<string, string>()
  const running = new Map<string, AbortController>()

  const loadSettings = (): { settings: AppSettings; invalid: string[] } =>
    sanitizeSettings(opts.settings.get('prefs'))
  let { settings, invalid: repaired } = loadSettings()
  if (opts.settingsDamagedBackup)
    repaired = [
      `the whole settings file (unreadable; kept as ${opts.settingsDamagedBackup}) — saved stores must be connected again`
    ]
  if (repaired.length) log.warn(`settings repaired: ${repaired.join(', ')}`)

  const savedStores = (): SavedPrintagoStore[] => {
    const raw = opts.settings.get('stores')
    if (!Array.isArray(raw)) return []
    return raw.filter(
      (s): s is SavedPrintagoStore =>
        !!s &&
        typeof s === 'object' &&
        /^[a-z0-9]{24}$/.test(String((s as SavedPrintagoStore).storeId)) &&
        typeof (s as SavedPrintagoStore).baseUrl === 'string'
    )
  }
  const activeId = (): string | null => {
    const a = opts.settings.get('activeStore')
    return typeof a === 'string' ? a : null
  }

  async function startDemo(): Promise<D> {
    if (!sandbox) {
      // The demo farm starts empty every time, so its local history, journal and dedupe cache
      // from an earlier run would only point at jobs and parts that no longer exist.
      rmSync(storeDataDir(opts.dataDir, DEMO), { recursive: true, force: true })
      sandbox = await opts.startSandbox({ port: 0, speed: 1, ...opts.demo } as O)
    }
    return sandbox
  }

  async function connect(
    status: StoreStatus,
    apiKey: string,
    storeKey: string,
    realtimeUrl: string | null
  ): Promise<Connection> {
    const dir = storeDataDir(opts.dataDir, storeKey)
    // The request log is kept on disk so a restart cannot burst past Printago's limits.
    const limiter = createRateLimiter({ persistPath: `${dir}/rate-limit.json` })
    const client = createPrintagoClient({
      baseUrl: status.baseUrl ?? DEFAULT_BASE_URL,
      apiKey,
      storeId: status.storeId ?? '',
      limiter
    })
    const storeId = status.storeId ?? storeKey
    const history = openHistoryStore({
      dir,
      storeId,
      createConf: opts.createConf,
      maxEntries: settings.historySize
    })
    // Filled below; the sync and the realtime listener read the printer cache through it.
    const cache: { conn: Connection | null } = { conn: null }
    const realtime = realtimeUrl
      ? createRealtimeClient({ url: realtimeUrl, storeId, apiKey })
      : null
    realtime?.onMessage((message) => {
      if (message.kind === 'entity' && message.entityType === 'printer' && cache.conn)
        applyPrinterEvent(cache.conn, message.entities)
    })
    const sync = createStatusSync({
      store: history,
      client,
      realtime,
      settings: () => ({ notifications: settings.notifications }),
      printerName: (id) => cache.conn?.printers?.printers.find((p) => p.id === id)?.name
    })
    sync.onChange((snapshot) => opts.emit('history:changed', snapshot))
    sync.onJobFinished((entry, copy) => {
      const { title, body } = notificationText(entry, copy)
      opts.notify?.(title, body, () => opts.emit('history:open', { entryId: entry.id }))
    })
    sync.start()
    const sender = openDedupeCache(dir).then((dedupe) =>
      createSendService({
        client,
        journalDir: `${dir}/journal`,
        dedupe,
        onProgress: (p) => opts.emit('send:progress', p)
      })
    )
    // Unfinished sends (a crash, a quit, or Printago unreachable mid-send) are continued now and
    // then every RESUME_EVERY_MS while the store is open; a job already running is not started twice.
    let resuming = false
    let resumeTimer: ReturnType<typeof setInterval> | null = null
    const resume = (s: SendService): void => {
      if (resuming || s.pendingJobs().length === 0) return
      resuming = true
      void resumeIntoHistory(s, history, storeId)
        .then((results) => {
          for (const r of results)
            opts.emit('send:finished', {
              jobId: r.jobId,
              files: r.files,
              ...(r.error ? { error: r.error } : {})
            })
        })
        .catch((e) => log.warn('resume failed', e))
        .finally(() => (resuming = false))
    }
    sender.then(
      (s) => {
        resume(s)
        resumeTimer = setInterval(() => resume(s), RESUME_EVERY_MS)
        resumeTimer.unref?.()
      },
      (e) => log.error('send service failed to open', e)
    )
    const c: Connection = {
      stopResuming: () => {
        if (resumeTimer) clearInterval(resumeTimer)
      },
      status,
      client,
      sender,
      history,
      sync,
      printers: null,
      printersFetching: null,
      rawPrinters: new Map()
    }
    cache.conn = c
    return c
  }

  async function open(id: string | null): Promise<Connection | null> {
    if (!id) return null
    if (id === DEMO) {
      const sb = await startDemo()
      const status: StoreStatus = {
        kind: 'demo',
        name: 'Demo print farm',
        storeId: sb.storeId,
        keyMasked: null,
        baseUrl: sb.url
      }
      return connect(status, sb.apiKey, DEMO, sb.mqttUrl ?? null)
    }
    const store = savedStores().find((s) => s.storeId === id)
    if (!store) return null
    const key = sessionKeys.get(id) ?? (await opts.secrets.load(id))
    if (!key) return null
    const status: StoreStatus = {
      kind: 'printago',
      name: store.name,
      storeId: store.storeId,
      keyMasked: store.keyMasked,
      baseUrl: store.baseUrl,
      ...(sessionKeys.has(id) ? { sessionOnlyKey: true } : {})
    }
    return connect(
      status,
      key,
      id,
      opts.realtimeUrl === undefined ? DEFAULT_REALTIME_URL : opts.realtimeUrl
    )
  }

  async function current(): Promise<Connection | null> {
    if (connection) return connection
    opening ??= open(activeId()).then((c) => {
      connection = c
      opening = null
      return c
    })
    return opening
  }

  async function closeConnection(): Promise<void> {
    const c = connection
    connection = null
    if (!c) return
    c.stopResuming()
    await (await c.sender.catch(() => null))?.close()
    await c.sync.close()
    await c.history.close()
  }

  async function activate(id: string): Promise<Result<StoreStatus>> {
    await closeConnection()
    const next = await open(id)
    if (!next)
      return fail('no-key', 'The key for this store is not available any more. Connect it again.')
    connection = next
    opts.settings.set('activeStore', id)
    opts.emit('store:changed', next.status)
    return ok(next.status)
  }

  /**
   * A printer changed on Printago (MQTT entity event): merge the fields into the cached printer,
   * derive its summary again and push the list, without a REST call.
   */
  function applyPrinterEvent(
    conn: Connection,
    entities: Record<string, Record<string, unknown>>
  ): void {
    if (!conn.printers) return
    let changed = false
    for (const [id, fields] of Object.entries(entities)) {
      const before = conn.rawPrinters.get(id)
      const merged = { ...(before ?? {}), ...fields, id } as Printer
      if (!before && (typeof merged.name !== 'string' || typeof merged.isOnline !== 'boolean'))
        continue
      conn.rawPrinters.set(id, merged)
      changed = true
    }
    if (!changed) return
    conn.printers = {
      printers: [...conn.rawPrinters.values()].map(toPrinterSummary),
      fetchedAt: Date.now()
    }
    opts.emit('printers:changed', conn.printers)
  }

  async function fetchPrinters(conn: Connection): Promise<Result<PrinterList>> {
    try {
      const raw = await conn.client.listPrinters({ limit: 1000 })
      conn.rawPrinters = new Map(raw.map((p) => [p.id, p]))
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

  const storeViews = (): SavedStoreView[] =>
    savedStores().map((s) => ({ ...s, active: activeId() === s.storeId, hasKey: true }))

  const settingsView = (): SettingsView => ({
    settings,
    keyProtection: opts.secrets.protection(),
    repaired
  })

  const historyDeps = (conn: Connection): Parameters<typeof reprintEntry>[0] => ({
    store: conn.history,
    client: conn.client,
    printers: () =>
      (conn.printers?.printers ?? []).map((p) => ({ id: p.id, name: p.name, tags: p.tags }))
  })

  /** Runs a history action; its expected failures (and Printago's) come back as data. */
  async function withHistory<T>(fn: (conn: Connection) => Promise<Result<T>>): Promise<Result<T>> {
    const conn = await current()
    if (!conn) return needStore()
    try {
      return await fn(conn)
    } catch (err) {
      if (err instanceof HistoryActionError) return fail(err.code, err.message)
      return toFailure(err)
    }
  }

  const needStore = <T>(): Result<T> =>
    fail('no-store', 'No store is connected. Try the demo store or connect your Printago store.')

  type Impl = { [C in Channel]: (payload: Payload<C>) => Promise<Result<ChannelResults[C]>> }
  const impl: Partial<Impl> = {
    'app:info': async () => {
      const conn = await current()
      return ok({
        name: 'Printago Send',
        version: opts.version,
        shell: opts.shell,
        store: conn?.status ?? NO_STORE
      })
    },
    'store:status': async () => ok((await current())?.status ?? NO_STORE),
    'store:useDemo': async () => activate(DEMO),
    'store:connect': async (payload) => {
      const checked = checkCredentials(payload)
      if (!checked.ok) return checked
      const { apiKey, storeId, baseUrl } = checked.value
      const client = createPrintagoClient({
        baseUrl,
        apiKey,
        storeId,
        retry: { maxAttempts: 2 },
        timeoutMs: 15_000
      })
      let name = `Store ${storeId.slice(0, 6)}`
      try {
        const stores = await client.listStores()
        name = stores.find((s) => s.id === storeId)?.name ?? stores[0]?.name ?? name
      } catch (err) {
        if (isPrintagoError(err) && err.code === 'auth')
          return fail(
            'auth',
            'Printago did not accept this API key for this store id (401 Unauthorized). Check both and try again.'
          )
        if (isPrintagoError(err) && (err.code === 'network' || err.code === 'timeout'))
          return fail(err.code, `Could not reach ${baseUrl}: ${err.message}`)
        if (!(isPrintagoError(err) && err.code === 'forbidden')) return toFailure(err)
        // A key may lack permission to read stores; printers are what the app needs, so check those.
        try {
          await client.listPrinters({ limit: 1 })
        } catch (err2) {
          if (isPrintagoError(err2) && err2.code === 'forbidden')
            return fail(
              'forbidden',
              'This key may not see printers (403: it lacks printer.view). Ask the store owner for a key with printer.view, part.create and queue permissions.'
            )
          return toFailure(err2)
        }
      }
      const protection = opts.secrets.protection()
      const choice =
        payload.weakKeyStorage ??
        (settings.weakKeyStorage === 'ask' ? undefined : settings.weakKeyStorage)
      if (protection === 'weak' && !choice)
        return fail(
          'weak-key-storage',
          'This computer can only store the key with weak protection (no system keyring). Store it anyway, or keep it for this session only?'
        )
      if (protection === 'unavailable' || (protection === 'weak' && choice === 'session'))
        sessionKeys.set(storeId, apiKey)
      else {
        await opts.secrets.save(storeId, apiKey)
        sessionKeys.delete(storeId)
      }
      const entry: SavedPrintagoStore = { storeId, baseUrl, name, keyMasked: maskKey(apiKey) }
      opts.settings.set('stores', [...savedStores().filter((s) => s.storeId !== storeId), entry])
      return activate(storeId)
    },
    'store:disconnect': async () => {
      await closeConnection()
      opts.settings.delete('activeStore')
      opts.emit('store:changed', NO_STORE)
      return ok(NO_STORE)
    },
    'store:list': async () => ok(storeViews()),
    'store:switch': async ({ storeId }) => activate(storeId),
    'store:forget': async ({ storeId }) => {
      await opts.secrets.forget(storeId)
      sessionKeys.delete(storeId)
      opts.settings.set(
        'stores',
        savedStores().filter((s) => s.storeId !== storeId)
      )
      if (activeId() === storeId) {
        await closeConnection()
        opts.settings.delete('activeStore')
        opts.emit('store:changed', NO_STORE)
      }
      return ok(storeViews())
    },
    'settings:get': async () => ok(settingsView()),
    'settings:set': async (patch) => {
      settings = { ...settings, ...patch }
      repaired = []
      opts.settings.set('prefs', settings)
      if (patch.historySize) connection?.history.setMaxEntries(patch.historySize)
      return ok(settingsView())
    },
    'files:hash': async ({ path }) => {
      try {
        const h = await hashFile(path)
        return ok({ path, name: path.split(/[\\/]/).pop() ?? path, size: h.size, sha256: h.sha256 })
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT') return fail('not-found', `The file ${path} no longer exists.`)
        if (code === 'EISDIR') return fail('is-directory', `${path} is a folder, not a file.`)
        if (code === 'EACCES' || code === 'EPERM')
          return fail('unreadable', `No permission to read ${path}.`)
        return fail('unreadable', `Could not read ${path}: ${(err as Error).message}`)
      }
    },
    'printers:list': async (payload) => {
      const conn = await current()
      if (!conn) return needStore()
      const age = conn.printers ? Date.now() - conn.printers.fetchedAt : Infinity
      // Budget: at most one list call per 15 s (2 s when the user asks), far under 60/min.
      if (conn.printers && age < (payload?.refresh ? PRINTER_MIN_REFRESH_MS : PRINTER_CACHE_MS))
        return ok(conn.printers)
      conn.printersFetching ??= fetchPrinters(conn).finally(() => (conn.printersFetching = null))
      return conn.printersFetching
    },
    'send:start': async ({ jobId: requestedId, ...request }) => {
      const conn = await current()
      if (!conn) return needStore()
      const sender = await conn.sender
      if (requestedId && running.has(requestedId))
        return fail('invalid-payload', 'This send is already running.')
      const jobId = requestedId ?? randomUUID()
      const abort = new AbortController()
      running.set(jobId, abort)
      void sender
        .send(request, abort.signal, { jobId })
        .then((result) => {
          // Every sent file becomes a history entry (idempotent per part build).
          recordSentFiles(conn.history, conn.status.storeId ?? '', request, result.files)
          const error =
            result.error ??
            (result.failures.length
              ? {
                  code: result.failures[0]!.error.code,
                  message: `${result.failures.length} of ${request.items.length} files failed: ${result.failures[0]!.error.message}`
                }
              : undefined)
          opts.emit('send:finished', { jobId, files: result.files, ...(error ? { error } : {}) })
        })
        .catch((err) =>
          opts.emit('send:finished', {
            jobId,
            files: [],
            error: { code: 'internal', message: (err as Error).message }
          })
        )
        .finally(() => running.delete(jobId))
      return ok({ jobId })
    },
    'send:cancel': async ({ jobId }) => {
      const conn = await current()
      const sender = conn ? await conn.sender.catch(() => null) : null
      const cancelled = sender?.cancel(jobId) ?? false
      return ok({ cancelled })
    },
    'history:list': async () => {
      const conn = await current()
      if (!conn) return ok({ entries: [], sync: { mode: 'offline', lastSyncAt: null } })
      return ok(conn.sync.snapshot())
    },
    'history:reprint': async (req) =>
      withHistory(async (conn) => ok({ entry: await reprintEntry(historyDeps(conn), req) })),
    'history:cancel': async (req) =>
      withHistory(async (conn) => ok(await cancelEntry(historyDeps(conn), req))),
    'history:retry': async (req) =>
      withHistory(async (conn) => ok(await retryEntry(historyDeps(conn), req))),
    'history:troubleshoot': async (req) =>
      withHistory(async (conn) => ok(await troubleshootJob(historyDeps(conn), req))),
    'history:exportCsv': async () =>
      withHistory(async (conn) => ok(exportHistoryCsv(conn.history))),
    'history:clear': async () => withHistory(async (conn) => ok({ cleared: conn.history.clear() })),
    'shell:openExternal': async ({ url }) => {
      const allowed = allowedExternalUrl(url)
      if (!allowed)
        return fail('blocked-url', 'Only https links to Printago can be opened from the app.')
      if (!opts.openExternal) return ok({ opened: false })
      // electronegativity OPEN_EXTERNAL_JS_CHECK: only allowedExternalUrl() output (https, Printago hosts) reaches this.
      await opts.openExternal(allowed)
      return ok({ opened: true })
    }
  }

  // Channels whose service is not wired yet answer with a clear error instead of hanging.
  const full = new Proxy(impl as Impl, {
    get: (target, key: string) =>
      target[key as Channel] ??
      (async () => fail('not-available', `${key} is not available in this version.`))
  })

  return {
    handlers: createHandlerTable(full),
    demoSandbox: () => sandbox,
    async close() {
      for (const a of running.values()) a.abort()
      await closeConnection()
      await sandbox?.close()
      sandbox = null
    }
  }
}
