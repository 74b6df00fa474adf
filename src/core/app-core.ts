// The desktop app's logic without Electron, composed: preferences, saved stores, the owner of
// the active store's session, and the handler table built from one module per domain. The
// Electron adapter, the browser bridge and tests each create one; only the transport differs.
import { rmSync } from 'node:fs'

import type { EventName, Events, HandlerTable, StoreStatus } from '../shared/ipc'
import { createHandlerTable, type Implementations } from './handler-table'
import { appHandlers } from './handlers/app'
import type { CoreContext } from './handlers/context'
import { filesHandlers } from './handlers/files'
import { historyHandlers } from './handlers/history'
import { printersHandlers } from './handlers/printers'
import { resumedEvent, sendHandlers } from './handlers/send'
import { settingsHandlers } from './handlers/settings'
import { shellHandlers } from './handlers/shell'
import { storeHandlers } from './handlers/stores'
import { bedWaitText } from './history/bed-wait'
import { watchHandlers } from './handlers/watch'
import { notificationText } from './history/sync'
import type { ConfFactory } from './history/store'
import { realClock, type Clock } from './infra/clock'
import { storeDataDir } from './infra/data-dir'
import { DEFAULT_BASE_URL } from './printago/client'
import { DEFAULT_REALTIME_URL } from './printago/realtime'
import { openStoreSession, type StoreSession } from './session'
import { createSessionOwner } from './session-owner'
import { loadPreferences, type SettingsStore } from './settings'
import { loadWatchFolders, saveWatchFolders } from './watch/config'
import { chokidarEvents } from './watch/fs-events'
import { createWatchService, sessionSender, type WatchServiceOptions } from './watch/service'
import {
  createSavedStores,
  DEMO_STORE,
  type DemoBackend,
  type DemoOptions,
  type SecretStore
} from './stores'

export type { SettingsStore } from './settings'
export type { DemoBackend, DemoOptions, SecretStore } from './stores'

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
  /**
   * Shows a desktop notification; `onClick` opens the entry; `actions` are its buttons (where the
   * platform shows them). Absent in the web bridge.
   */
  notify?: (
    title: string,
    body: string,
    onClick: () => void,
    actions?: NotificationAction[]
  ) => void
  /** MQTT endpoint for real stores (default Printago's realtime broker); null disables realtime. */
  realtimeUrl?: string | null
  /** Time and timers of the store sessions (tests pass a manual clock). Default: real time. */
  clock?: Clock
  /** Hot folder timing (tests make the stable wait short). */
  watch?: Pick<WatchServiceOptions, 'stableMs' | 'rescanMs'>
}

/** A button of a desktop notification. */
export interface NotificationAction {
  label: string
  run: () => void
}

/**
 * The demo farm shows every job state and both kinds of MQTT rows: the full lifecycle (sliced,
 * finalizing, ready-for-printer) and UPDATE rows alternating between whole rows and only the
 * changed fields, as Printago may send either.
 */
export const DEMO_SANDBOX_OPTIONS = { lifecycle: 'full', mqttEntityPayloads: 'mixed' } as const

export interface AppCore<D extends DemoBackend = DemoBackend> {
  handlers: HandlerTable
  /** The running demo sandbox, if any (tests inspect its state). */
  demoSandbox(): D | null
  /** The active store's session as it is now (any state), for diagnostics and tests. */
  activeSession(): StoreSession | null
  /** Closes the store session (running sends stop and resume next time) and the demo sandbox. */
  close(): Promise<void>
}

/** Creates the app core; nothing starts until the renderer asks for it. */
export function createAppCore<D extends DemoBackend, O extends DemoOptions = DemoOptions>(
  opts: AppCoreOptions<D, O>
): AppCore<D> {
  const clock = opts.clock ?? realClock
  const emit = opts.emit
  const prefs = loadPreferences(opts.settings, opts.settingsDamagedBackup)
  const stores = createSavedStores(opts.settings, opts.secrets)
  let sandbox: D | null = null

  async function startDemo(): Promise<D> {
    if (!sandbox) {
      // The demo farm starts empty every time, so its local history, journal and dedupe cache
      // from an earlier run would only point at jobs and parts that no longer exist.
      rmSync(storeDataDir(opts.dataDir, DEMO_STORE), { recursive: true, force: true })
      sandbox = await opts.startSandbox({
        port: 0,
        speed: 1,
        ...DEMO_SANDBOX_OPTIONS,
        ...opts.demo
      } as O)
    }
    return sandbox
  }

  function openLive(
    folder: string,
    status: StoreStatus,
    apiKey: string,
    realtimeUrl: string | null
  ): Promise<StoreSession> {
    return openStoreSession({
      dir: storeDataDir(opts.dataDir, folder),
      storeId: status.storeId ?? folder,
      baseUrl: status.baseUrl ?? DEFAULT_BASE_URL,
      apiKey,
      status,
      createConf: opts.createConf,
      clock,
      historySize: prefs.current().historySize,
      onProgress: (p) => emit('send:progress', p),
      live: {
        realtimeUrl,
        notifications: () => prefs.current().notifications,
        onHistoryChanged: (snapshot) => emit('history:changed', snapshot),
        onJobFinished: (entry, copy) => {
          const { title, body } = notificationText(entry, copy)
          opts.notify?.(title, body, () => emit('history:open', { entryId: entry.id }))
        },
        onPrintersChanged: (list) => emit('printers:changed', list),
        onBedWait: (wait) => {
          const { title, body } = bedWaitText(wait)
          const entryId = wait.entry.id
          const printerId = wait.printers[0]!.id
          opts.notify?.(title, body, () => emit('history:open', { entryId }), [
            // Clearing a bed is a safety step: the button opens the app's confirmation.
            {
              label: 'Mark bed clear',
              run: () => emit('printers:askBedClear', { printerId, entryId })
            }
          ])
        },
        onResumed: (results) => {
          for (const r of results) emit('send:finished', resumedEvent(r))
        }
      }
    })
  }

  async function openStore(id: string): Promise<StoreSession | null> {
    if (id === DEMO_STORE) {
      const sb = await startDemo()
      const status: StoreStatus = {
        kind: 'demo',
        name: 'Demo print farm',
        storeId: sb.storeId,
        keyMasked: null,
        baseUrl: sb.url
      }
      return openLive(DEMO_STORE, status, sb.apiKey, sb.mqttUrl ?? null)
    }
    const saved = await stores.credentials(id)
    if (!saved) return null
    const realtimeUrl = opts.realtimeUrl === undefined ? DEFAULT_REALTIME_URL : opts.realtimeUrl
    return openLive(id, saved.status, saved.apiKey, realtimeUrl)
  }

  const sessions = createSessionOwner(async () => {
    const id = stores.activeId()
    return id ? openStore(id) : null
  })

  const watch = createWatchService({
    dataDir: opts.dataDir,
    clock,
    configs: loadWatchFolders(opts.settings).folders,
    save: (folders) => saveWatchFolders(opts.settings, folders),
    sender: async () => {
      const session = await sessions.current()
      return session ? sessionSender(session) : null
    },
    watchFs: chokidarEvents(),
    ...opts.watch,
    onView: (view) => emit('watch:changed', view),
    // A file nobody is looking at failed: the desktop says so (the UI toasts it too).
    onEvent: (e) => {
      if (e.fate === 'failed' && prefs.current().notifications)
        opts.notify?.(`Hot folder: ${e.file} was not sent`, e.message ?? '', () => undefined)
    }
  })

  const ctx: CoreContext = {
    version: opts.version,
    shell: opts.shell,
    clock,
    prefs,
    stores,
    sessions,
    emit,
    openStore,
    openExternal: opts.openExternal,
    running: new Set(),
    watch
  }
  // Every domain module implements all of its channels; a channel without one does not compile.
  const implementations: Implementations = {
    ...appHandlers(ctx),
    ...storeHandlers(ctx),
    ...settingsHandlers(ctx),
    ...filesHandlers(ctx),
    ...printersHandlers(ctx),
    ...sendHandlers(ctx),
    ...historyHandlers(ctx),
    ...shellHandlers(ctx),
    ...watchHandlers(ctx)
  }

  return {
    handlers: createHandlerTable(implementations),
    demoSandbox: () => sandbox,
    activeSession: () => sessions.peek(),
    async close() {
      await watch.close()
      await sessions.close()
      await sandbox?.close()
      sandbox = null
    }
  }
}
