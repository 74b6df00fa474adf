// The browser bridge: serves the built renderer and answers its `window.api` calls with the same
// handler table as Electron IPC. Every request first passes the guards, in this order, before any
// route or handler runs: the Host and Origin allow-lists (request-guard.ts), then the session token
// (session-token.ts). Main reads only files staged through this server (staging.ts): a path a
// call names must be one of them.
import { readFile, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { extname, join, normalize, resolve, sep } from 'node:path'

import type { EventName, Events, HandlerTable } from '../shared/ipc'
import type { AppError } from '../shared/result'
import { DEFAULT_MAX_BYTES } from '../shared/stl'
import { isChannel } from '../core/handler-table'
import { createLogger } from '../core/infra/log'
import { NOTICE_CSP, NOTICE_CSS, noticePage, type Notice } from './notice-page'
import { pathsIn } from './payload-paths'
import { allowList, authority, refusalOf, type Refusal } from './request-guard'
import { sessionCookie, tokenMatches, tokenOf } from './session-token'
import { StagingTooLargeError, type StagingArea } from './staging'

const log = createLogger('web')

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.stl': 'model/stl',
  '.wasm': 'application/wasm'
}

const MAX_JSON = 1024 * 1024
const CLIENT_JS = '/__bridge/client.js'
const NOTICE_CSS_PATH = '/__bridge/notice.css'
const SESSION = '/__bridge/session'
const INVOKE = '/__bridge/invoke/'

/** What the guards refused and how many calls reached the handler table (tests read these). */
export interface BridgeStats {
  refused: Record<Refusal, number>
  /** Handler-table calls made by this server. */
  handled: number
}

export interface BridgeServer {
  /** `http://host:port`, without the token. */
  url: string
  port: number
  emit: <E extends EventName>(event: E, payload: Events[E]) => void
  stats(): BridgeStats
  close(): Promise<void>
}

export interface BridgeOptions {
  /** The built renderer (out/renderer). */
  staticDir: string
  /** The bundled bridge client script (served as /__bridge/client.js). */
  clientScript: string
  /** The session token; null: no sign-in (tests on loopback only, checked by the caller). */
  token: string | null
  /** Where dropped files go; the only files calls may name. */
  staging: StagingArea
  port?: number
  /** An IP address of one interface; default 127.0.0.1. */
  host?: string
  /** Largest staged upload; default the STL engine's limit. */
  maxUploadBytes?: number
  /**
   * Why the app cannot run right now (the data folder is in use), or null. Asked before every
   * call; while it answers, calls are refused with its error and pages show its message.
   */
  unavailable?: () => Promise<(AppError & { dataDir: string }) | null>
  /** A browser was shown the sign-in page (the host repeats the address in its terminal). */
  onSignInPage?: () => void
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_JSON) throw new Error('payload too large')
    chunks.push(chunk as Buffer)
  }
  const text = Buffer.concat(chunks).toString('utf8')
  return text ? JSON.parse(text) : undefined
}

/** Headers on every answer: never framed, never sniffed, never loaded by another origin. */
function baseHeaders(extra: Record<string, string>): Record<string, string> {
  return {
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-resource-policy': 'same-origin',
    ...extra
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, baseHeaders({ 'content-type': 'application/json' }))
  res.end(JSON.stringify(body))
}

function sendNotice(res: ServerResponse, status: number, notice: Notice): void {
  res.writeHead(
    status,
    baseHeaders({ 'content-type': MIME['.html']!, 'content-security-policy': NOTICE_CSP })
  )
  res.end(noticePage(notice))
}

const REFUSAL_TEXT: Record<Refusal, string> = {
  host: 'This server answers only to its own address (Host not allowed).',
  origin: 'Requests from other sites are refused (Origin not allowed).',
  'fetch-site': 'Requests from other sites are refused.',
  token:
    'Not signed in: open the address Printago Send printed when it started (it ends with #token=…).',
  path: 'That file was not given to this page.'
}

/** Starts the bridge. `handlers` must be created with this server's `emit` (see serve.ts). */
export async function startBridgeServer(
  options: BridgeOptions,
  getHandlers: () => HandlerTable
): Promise<BridgeServer> {
  const clients = new Set<ServerResponse>()
  const root = resolve(options.staticDir)
  const host = options.host ?? '127.0.0.1'
  const maxUpload = options.maxUploadBytes ?? DEFAULT_MAX_BYTES
  const { token, staging } = options
  const stats: BridgeStats = {
    refused: { host: 0, origin: 0, 'fetch-site': 0, token: 0, path: 0 },
    handled: 0
  }
  let port = 0
  let origin = ''
  let allowed = allowList(host, 0)

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: Error) => {
      if (!res.headersSent) send(res, 500, { error: err.message })
      else res.destroy()
    })
  })

  /** Counts and logs a refusal (the first few of each kind, then every hundredth). */
  function refuse(res: ServerResponse, req: IncomingMessage, reason: Refusal, status = 403): void {
    const n = ++stats.refused[reason]
    if (n <= 3 || n % 100 === 0)
      log.warn(`refused (${reason}, ${n} so far): ${req.method} ${req.url?.slice(0, 200)}`)
    const code =
      reason === 'path' ? 'not-staged' : reason === 'token' ? 'unauthorized' : 'forbidden'
    send(res, status, { ok: false, error: { code, message: REFUSAL_TEXT[reason] } })
  }

  const signedIn = (req: IncomingMessage): boolean =>
    token === null || tokenMatches(token, tokenOf(req, port))

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin)
    const path = url.pathname
    const api = path.startsWith('/__bridge/') && path !== CLIENT_JS && path !== NOTICE_CSS_PATH

    // 1. Who is asking: this server's own name and pages only (DNS rebinding, other sites).
    const refusal = refusalOf(req, allowed, api)
    if (refusal) return refuse(res, req, refusal)

    // 2. The sign-in page's parts, and the sign-in itself, need no session.
    if (path === CLIENT_JS || path === NOTICE_CSS_PATH) {
      res.writeHead(
        200,
        baseHeaders({ 'content-type': path === CLIENT_JS ? MIME['.js']! : MIME['.css']! })
      )
      return void res.end(path === CLIENT_JS ? options.clientScript : NOTICE_CSS)
    }
    if (path === SESSION && req.method === 'POST') {
      if (token === null) return send(res, 200, { ok: true })
      const given = req.headers.authorization?.startsWith('Bearer ')
        ? req.headers.authorization.slice('Bearer '.length).trim()
        : undefined
      if (!tokenMatches(token, given)) return refuse(res, req, 'token', 401)
      res.writeHead(
        200,
        baseHeaders({
          'content-type': 'application/json',
          'set-cookie': sessionCookie(port, token)
        })
      )
      return void res.end(JSON.stringify({ ok: true }))
    }

    // 3. Everything else needs the session token.
    if (!signedIn(req)) {
      if (!api && (req.method === 'GET' || req.method === 'HEAD') && wantsPage(path)) {
        stats.refused.token++
        options.onSignInPage?.()
        return sendNotice(res, 401, { kind: 'sign-in', address: origin })
      }
      return refuse(res, req, 'token', 401)
    }

    // 4. The app runs only on a data folder no other process is using.
    const down = await options.unavailable?.()
    if (down) {
      if (!api)
        return sendNotice(res, 503, {
          kind: 'in-use',
          message: down.message,
          dataDir: down.dataDir
        })
      return send(res, 503, { ok: false, error: { code: down.code, message: down.message } })
    }

    if (path === SESSION) return send(res, 200, { ok: true })
    if (path === '/__bridge/events') {
      res.writeHead(
        200,
        baseHeaders({ 'content-type': 'text/event-stream', connection: 'keep-alive' })
      )
      res.write(': connected\n\n')
      clients.add(res)
      req.on('close', () => clients.delete(res))
      return
    }
    if (path.startsWith(INVOKE) && req.method === 'POST') {
      const channel = decodeURIComponent(path.slice(INVOKE.length))
      if (!isChannel(channel))
        return send(res, 404, {
          ok: false,
          error: { code: 'unknown-channel', message: `No channel ${channel}` }
        })
      let payload: unknown
      try {
        payload = await readJson(req)
      } catch (err) {
        return send(res, 400, {
          ok: false,
          error: { code: 'invalid-payload', message: (err as Error).message }
        })
      }
      if (payload === null) payload = undefined
      // Main reads only what the user gave this page: every path must be a staged file.
      const paths = pathsIn(channel, payload) ?? []
      if (paths.some((p) => !staging.has(p))) return refuse(res, req, 'path')
      void staging.touch(paths)
      stats.handled++
      // The call stops when its HTTP request is gone (the page reloaded or closed).
      const call = new AbortController()
      res.on('close', () => {
        if (!res.writableFinished) call.abort(new Error('the request was closed'))
      })
      return send(res, 200, await getHandlers()[channel](payload, { signal: call.signal }))
    }
    if (path === '/__bridge/stage' && req.method === 'POST') {
      if (Number(req.headers['content-length'] ?? 0) > maxUpload)
        return send(res, 413, { error: new StagingTooLargeError(maxUpload).message })
      const name = decodeURIComponent(String(req.headers['x-file-name'] ?? 'file'))
      try {
        return send(res, 200, { path: await staging.stage(name, req, maxUpload) })
      } catch (err) {
        if (err instanceof StagingTooLargeError) return send(res, 413, { error: err.message })
        throw err
      }
    }
    if (api) return send(res, 404, { error: 'not found' })
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, { error: 'method not allowed' })
    const rel = path === '/' ? 'index.html' : decodeURIComponent(path).replace(/^\/+/, '')
    const file = normalize(join(root, rel))
    if (!file.startsWith(root + sep)) return send(res, 403, { error: 'forbidden' })
    const info = await stat(file).catch(() => null)
    if (!info?.isFile()) return send(res, 404, { error: 'not found' })
    let body: Buffer = await readFile(file)
    if (rel === 'index.html') {
      // The bridge client must define window.api before the app's module script runs.
      body = Buffer.from(
        body.toString('utf8').replace('<head>', `<head>\n    <script src="${CLIENT_JS}"></script>`)
      )
    }
    res.writeHead(
      200,
      baseHeaders({
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        // The page's own CSP is its <meta>; framing can only be refused by a header.
        'content-security-policy': "frame-ancestors 'none'"
      })
    )
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(options.port ?? 0, host, () => ok())
  })
  const address = server.address()
  port = typeof address === 'object' && address ? address.port : 0
  origin = `http://${authority(host, port)}`
  allowed = allowList(host, port)

  return {
    url: origin,
    port,
    emit(event, payload) {
      const data = `data: ${JSON.stringify({ event, payload })}\n\n`
      for (const c of clients) c.write(data)
    },
    stats: () => ({ refused: { ...stats.refused }, handled: stats.handled }),
    async close() {
      for (const c of clients) c.end()
      clients.clear()
      server.closeAllConnections()
      await new Promise<void>((ok) => server.close(() => ok()))
    }
  }
}

/** Addresses a person opens (the app, its pages), as opposed to the files a page loads. */
function wantsPage(path: string): boolean {
  return path === '/' || path === '/index.html' || extname(path) === '' || extname(path) === '.html'
}
