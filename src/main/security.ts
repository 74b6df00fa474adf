// Electron security settings as plain data and pure checks, so tests can assert every item
// without launching Electron. index.ts applies them.
import { isAbsolute, join, normalize, relative } from 'node:path'

import { channels, RENDERER_READY, type Channel, type HandlerTable } from '../shared/ipc'
import { fail, type Result } from '../shared/result'

/** The custom scheme the UI is served from (never arbitrary file://). */
export const APP_SCHEME = 'app'
export const APP_HOST = 'bundle'
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`

/** webPreferences of the one window (Electron security checklist items 2–4, 6, 8, 9, 11). */
export function secureWebPreferences(preload: string): Record<string, unknown> {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    enableBlinkFeatures: undefined,
    // Middle-click must not open new windows.
    disableBlinkFeatures: 'Auxclick',
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false
  }
}

/** True when an IPC message comes from our own UI (main frame, our origin or the dev server). */
export function isTrustedSender(
  frame: { url: string; parent: unknown } | null | undefined,
  devServerUrl?: string
): boolean {
  if (!frame) return false
  if (frame.parent) return false
  let url: URL
  try {
    url = new URL(frame.url)
  } catch {
    return false
  }
  if (url.origin === APP_ORIGIN || `${url.protocol}//${url.host}` === APP_ORIGIN) return true
  if (devServerUrl) {
    try {
      return url.origin === new URL(devServerUrl).origin
    } catch {
      return false
    }
  }
  return false
}

/** Any navigation away from the loaded UI is refused (a dropped file must not replace the app). */
export function isAllowedNavigation(target: string, devServerUrl?: string): boolean {
  return isTrustedSender({ url: target, parent: null }, devServerUrl)
}

/** The parts of Electron's Session this module configures (so tests can pass a fake). */
export interface SessionLike {
  setPermissionRequestHandler(
    handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void
  ): void
  setPermissionCheckHandler(handler: (...args: unknown[]) => boolean): void
}

/** Denies every permission request and check (camera, notifications via web API, geolocation…). */
export function hardenSession(session: SessionLike): void {
  session.setPermissionRequestHandler((_wc, _permission, callback) => callback(false))
  session.setPermissionCheckHandler(() => false)
}

/** The parts of WebContents this module configures. */
export interface WebContentsLike {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: { preventDefault(): void }, url: string) => void
  ): unknown
}

/** No new windows; no navigation away from the app (a dropped file must not replace the UI). */
export function hardenWebContents(contents: WebContentsLike, devServerUrl?: string): void {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  const guard = (event: { preventDefault(): void }, url: string): void => {
    if (!isAllowedNavigation(url, devServerUrl)) event.preventDefault()
  }
  contents.on('will-navigate', guard)
  contents.on('will-redirect', guard)
}

/** The part of a WebContents whose life bounds its calls (reload, navigation, destruction). */
export interface CallerLike {
  once(event: 'destroyed', listener: () => void): unknown
  on(
    event: 'did-start-navigation',
    listener: (details: { isMainFrame?: boolean; isSameDocument?: boolean }) => void
  ): unknown
}

/** The part of ipcMain the app uses (so tests can pass a fake). */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (
      event: { senderFrame: { url: string; parent: unknown } | null; sender?: CallerLike },
      payload: unknown
    ) => Promise<unknown> | unknown
  ): void
}

/**
 * One AbortSignal per renderer page: aborted when that page reloads, navigates away or is
 * destroyed, so its calls still running (a file being hashed…) stop instead of working for no one.
 */
export function callerSignals(): (sender: CallerLike | undefined) => AbortSignal | undefined {
  const current = new WeakMap<CallerLike, AbortController>()
  const watched = new WeakSet<CallerLike>()
  return (sender) => {
    if (!sender) return undefined
    if (!watched.has(sender)) {
      watched.add(sender)
      const end = (): void => {
        current.get(sender)?.abort(new Error('the page that asked is gone'))
        current.delete(sender)
      }
      sender.once('destroyed', end)
      sender.on('did-start-navigation', (details) => {
        if (details?.isMainFrame !== false && !details?.isSameDocument) end()
      })
    }
    let controller = current.get(sender)
    if (!controller) current.set(sender, (controller = new AbortController()))
    return controller.signal
  }
}

/**
 * Registers one IPC handler per contract channel. Each checks that the message comes from our own
 * top-level UI before the handler table (which validates the payload) sees it.
 */
export function registerIpcHandlers(
  ipc: IpcMainLike,
  handlers: HandlerTable,
  devServerUrl?: string
): void {
  const signalFor = callerSignals()
  for (const channel of Object.keys(channels) as Channel[]) {
    ipc.handle(channel, (event, payload): Promise<Result<unknown>> | Result<unknown> => {
      if (!isTrustedSender(event.senderFrame, devServerUrl))
        return fail('forbidden-sender', 'Refused: unknown sender')
      return handlers[channel](payload, { signal: signalFor(event.sender) })
    })
  }
}

/** The part of ipcMain that receives one-way messages. */
export interface IpcMainOnLike {
  on(
    channel: string,
    listener: (event: {
      senderFrame: { url: string; parent: unknown } | null
      sender: unknown
    }) => void
  ): unknown
}

/**
 * Listens for the renderer's "ready" signal; only our own top-level UI may give it. `onReady`
 * gets the sending WebContents, so main can ignore a window that is not the current one.
 */
export function registerReadySignal(
  ipc: IpcMainOnLike,
  onReady: (sender: unknown) => void,
  devServerUrl?: string
): void {
  ipc.on(RENDERER_READY, (event) => {
    if (isTrustedSender(event.senderFrame, devServerUrl)) onReady(event.sender)
  })
}

/**
 * Maps an app:// URL to a file of the built renderer, or null. Only files inside `rendererDir`
 * are served: no traversal (`..`, encoded or not), no absolute paths, no other hosts.
 */
export function resolveAppFile(rendererDir: string, rawUrl: string): string | null {
  let url: URL
  try {
    url = new URL(rawUrl)
  } catch {
    return null
  }
  if (`${url.protocol}//${url.host}` !== APP_ORIGIN) return null
  let path: string
  try {
    path = decodeURIComponent(url.pathname)
  } catch {
    return null
  }
  if (path.includes('\0') || path.includes('\\')) return null
  const file = normalize(join(rendererDir, path))
  const rel = relative(rendererDir, file)
  if (!rel || rel.startsWith('..') || isAbsolute(rel)) return null
  return file
}

/** The part of WebContents that can host <webview>s. */
export interface WebviewHostLike {
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown
}

/** The app uses no <webview>: any attempt to attach one is refused, whatever its options. */
export function denyWebviews(contents: WebviewHostLike): void {
  contents.on('will-attach-webview', (event) => event.preventDefault())
}
