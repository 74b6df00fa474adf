// Electron main: a thin adapter. It creates the window with secure defaults, serves the UI from
// app://, stores settings (electron-store) and keys (safeStorage), and routes IPC into the same
// handler table the browser bridge uses. Everything that does work lives in Electron-free modules.
import { readFile } from 'node:fs/promises'
import { dirname, extname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import {
  app,
  BrowserWindow,
  ipcMain,
  net,
  Notification,
  protocol,
  safeStorage,
  session,
  shell
} from 'electron'
import Store from 'electron-store'

import { createAppCore, type AppCore, type SecretStore } from '../core/app-core'
import { createLogger } from '../core/infra/log'
import { openSettingsFile } from '../core/infra/settings-file'
import { createPushQueue } from '../core/push-queue'
import { MIN_WINDOW_SIZE } from '../shared/settings'
import {
  APP_ORIGIN,
  APP_SCHEME,
  denyWebviews,
  hardenSession,
  hardenWebContents,
  registerIpcHandlers,
  registerReadySignal,
  resolveAppFile,
  secureWebPreferences
} from './security'

const log = createLogger('main')
const here = dirname(fileURLToPath(import.meta.url))
const rendererDir = join(here, '../renderer')
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined

protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }
])

let win: BrowserWindow | null = null
const shownNotifications = new Set<Notification>()
let core: AppCore | null = null

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json'
}

/** API keys are kept only as safeStorage ciphertext (base64) in the settings file. */
function safeStorageSecrets(store: Store<Record<string, unknown>>): SecretStore {
  return {
    async save(account, secret) {
      // Only ciphertext is ever written; without encryption the core keeps keys for the session only.
      if (!safeStorage.isEncryptionAvailable())
        throw new Error('The system keychain is not available to encrypt the key.')
      store.set(`secrets.${account}`, safeStorage.encryptString(secret).toString('base64'))
    },
    async load(account) {
      const b64 = store.get(`secrets.${account}`)
      if (typeof b64 !== 'string') return null
      try {
        return safeStorage.decryptString(Buffer.from(b64, 'base64'))
      } catch {
        return null
      }
    },
    async forget(account) {
      store.delete(`secrets.${account}`)
    },
    protection() {
      if (!safeStorage.isEncryptionAvailable()) return 'unavailable'
      // On Linux without a keyring Chromium falls back to a hard-coded password: say so.
      if (process.platform === 'linux' && safeStorage.getSelectedStorageBackend() === 'basic_text')
        return 'weak'
      return 'strong'
    }
  }
}

// Pushes wait until the window's renderer says its listeners are set up (and again while it
// reloads or after it is closed), so a send's end or a clicked notification is never lost.
const pushes = createPushQueue((event, payload) => {
  if (win && !win.isDestroyed()) win.webContents.send(event, payload)
})

function createWindow(): void {
  win = new BrowserWindow({
    width: 1400,
    height: 900,
    // The layout is made for this size and up (src/shared/settings.ts).
    minWidth: MIN_WINDOW_SIZE.width,
    minHeight: MIN_WINDOW_SIZE.height,
    show: false,
    title: 'Printago Send',
    backgroundColor: '#141821',
    webPreferences: {
      ...secureWebPreferences(join(here, '../preload/index.cjs')),
      // Repeated literally (same values as secureWebPreferences) so static scanners can see them.
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      disableBlinkFeatures: 'Auxclick'
    }
  })
  win.once('ready-to-show', () => win?.show())
  win.on('closed', () => {
    win = null
    pushes.pause()
  })
  win.webContents.on('did-start-navigation', (details) => {
    if (details.isMainFrame && !details.isSameDocument) pushes.pause()
  })
  win.webContents.on('render-process-gone', () => pushes.pause())
  hardenWebContents(win.webContents, devServerUrl)
  void win.loadURL(devServerUrl ?? `${APP_ORIGIN}/index.html`)
}

app
  .whenReady()
  .then(async () => {
    hardenSession(session.defaultSession)
    app.on('web-contents-created', (_e, contents) => {
      denyWebviews(contents)
    })
    protocol.handle(APP_SCHEME, async (request) => {
      const file = resolveAppFile(rendererDir, request.url)
      if (!file) return new Response('not found', { status: 404 })
      try {
        return new Response(await readFile(file), {
          headers: { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }
        })
      } catch {
        return new Response('not found', { status: 404 })
      }
    })
    void net // the app itself makes no renderer-side requests; main uses Node's fetch/http.

    const opened = openSettingsFile(
      join(app.getPath('userData'), 'settings.json'),
      () => new Store<Record<string, unknown>>({ name: 'settings', clearInvalidConfig: false })
    )
    const settings = opened.store
    if (opened.damagedBackup) log.warn(`settings file unreadable; moved to ${opened.damagedBackup}`)
    core = createAppCore({
      dataDir: app.getPath('userData'),
      settingsDamagedBackup: opened.damagedBackup,
      settings: {
        get: (k) => settings.get(k),
        set: (k, v) => settings.set(k, v),
        delete: (k) => settings.delete(k)
      },
      secrets: safeStorageSecrets(settings),
      emit: pushes.push,
      shell: 'electron',
      version: app.getVersion(),
      // electronegativity OPEN_EXTERNAL_JS_CHECK: called only by shell:openExternal with allowedExternalUrl() output.
      openExternal: (url) => shell.openExternal(url),
      // The sandbox is bundled as its own chunk and loaded only when the demo store is chosen.
      startSandbox: async (options) => (await import('../sandbox/index')).startSandbox(options),
      // electron-store is Conf with Electron's paths; the history passes its own cwd and name.
      createConf: (o) =>
        new Store<Record<string, unknown>>({
          cwd: o.cwd,
          name: o.name,
          clearInvalidConfig: o.clearInvalidConfig,
          configFileMode: o.configFileMode,
          serialize: o.serialize,
          deserialize: o.deserialize
        }),
      notify: (title, body, onClick, actions = []) => {
        if (!Notification.isSupported()) return
        const n = new Notification({
          title,
          body,
          silent: false,
          // Buttons where the platform shows them (macOS, Windows); elsewhere a click opens the app.
          actions: actions.map((a) => ({ type: 'button' as const, text: a.label }))
        })
        // Keep a reference until it is gone, or it can be garbage-collected before the click.
        shownNotifications.add(n)
        const forget = (): void => void shownNotifications.delete(n)
        n.on('close', forget)
        n.on('failed', forget)
        const front = (): void => {
          forget()
          if (win) {
            if (win.isMinimized()) win.restore()
            win.focus()
          }
        }
        n.on('click', () => {
          front()
          onClick()
        })
        n.on('action', (_event, index) => {
          front()
          actions[index]?.run()
        })
        n.show()
      }
    })
    registerIpcHandlers(ipcMain, core.handlers, devServerUrl)
    registerReadySignal(
      ipcMain,
      (sender) => {
        if (win && !win.isDestroyed() && sender === win.webContents) pushes.ready()
      },
      devServerUrl
    )
    createWindow()
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) createWindow()
    })
  })
  .catch((err) => log.error('startup failed', err))

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
app.on('before-quit', () => void core?.close())
