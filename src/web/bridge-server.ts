// The browser test bridge: serves the built renderer and answers its `window.api` calls with the
// same handler table as Electron IPC. Loopback only; requests from other origins are refused.
import { createWriteStream } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { tmpdir } from 'node:os'
import { extname, join, normalize, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'

import type { EventName, Events, HandlerTable } from '../shared/ipc'
import { isChannel } from '../core/handler-table'

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

export interface BridgeServer {
  url: string
  emit: <E extends EventName>(event: E, payload: Events[E]) => void
  close(): Promise<void>
}

export interface BridgeOptions {
  /** The built renderer (out/renderer). */
  staticDir: string
  /** The bundled bridge client script (served as /__bridge/client.js). */
  clientScript: string
  port?: number
  host?: string
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

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' })
  res.end(JSON.stringify(body))
}

/** Starts the bridge. `handlers` must be created with this server's `emit` (see serve.ts). */
export async function startBridgeServer(
  options: BridgeOptions,
  getHandlers: () => HandlerTable
): Promise<BridgeServer> {
  const clients = new Set<ServerResponse>()
  const stageDir = await mkdtemp(join(tmpdir(), 'printago-bridge-'))
  let stageSeq = 0
  const root = resolve(options.staticDir)
  let origin = ''

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: Error) => {
      if (!res.headersSent) send(res, 500, { error: err.message })
      else res.destroy()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin)
    // A page on another origin must not drive the app through this bridge.
    const from = req.headers.origin
    if (from && from !== origin) return send(res, 403, { error: 'cross-origin request refused' })

    if (url.pathname === '/__bridge/events') {
      res.writeHead(200, {
        'content-type': 'text/event-stream',
        'cache-control': 'no-store',
        connection: 'keep-alive'
      })
      res.write(': connected\n\n')
      clients.add(res)
      req.on('close', () => clients.delete(res))
      return
    }
    if (url.pathname.startsWith('/__bridge/invoke/') && req.method === 'POST') {
      const channel = decodeURIComponent(url.pathname.slice('/__bridge/invoke/'.length))
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
      // The call stops when its HTTP request is gone (the page reloaded or closed).
      const call = new AbortController()
      res.on('close', () => {
        if (!res.writableFinished) call.abort(new Error('the request was closed'))
      })
      const result = await getHandlers()[channel](payload === null ? undefined : payload, {
        signal: call.signal
      })
      return send(res, 200, result)
    }
    if (url.pathname === '/__bridge/stage' && req.method === 'POST') {
      const name =
        decodeURIComponent(String(req.headers['x-file-name'] ?? 'file'))
          .replace(/[\\/:*?"<>|\0]/g, '_')
          .slice(0, 200) || 'file'
      // Each drop gets its own folder so two files with one name never overwrite each other.
      const dir = join(stageDir, String(++stageSeq))
      await mkdir(dir)
      const path = join(dir, name)
      await pipeline(req, createWriteStream(path))
      return send(res, 200, { path })
    }
    if (url.pathname === '/__bridge/client.js') {
      res.writeHead(200, { 'content-type': MIME['.js']!, 'cache-control': 'no-store' })
      return void res.end(options.clientScript)
    }
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return send(res, 405, { error: 'method not allowed' })
    const rel =
      url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname).replace(/^\/+/, '')
    const file = normalize(join(root, rel))
    if (!file.startsWith(root + sep)) return send(res, 403, { error: 'forbidden' })
    const info = await stat(file).catch(() => null)
    if (!info?.isFile()) return send(res, 404, { error: 'not found' })
    let body: Buffer = await readFile(file)
    if (rel === 'index.html') {
      // The bridge client must define window.api before the app's module script runs.
      body = Buffer.from(
        body
          .toString('utf8')
          .replace('<head>', '<head>\n    <script src="/__bridge/client.js"></script>')
      )
    }
    res.writeHead(200, {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store'
    })
    res.end(req.method === 'HEAD' ? undefined : body)
  }

  await new Promise<void>((ok, fail) => {
    server.once('error', fail)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => ok())
  })
  const address = server.address()
  const port = typeof address === 'object' && address ? address.port : 0
  origin = `http://${options.host ?? '127.0.0.1'}:${port}`

  return {
    url: origin,
    emit(event, payload) {
      const data = `data: ${JSON.stringify({ event, payload })}\n\n`
      for (const c of clients) c.write(data)
    },
    async close() {
      for (const c of clients) c.end()
      clients.clear()
      server.closeAllConnections()
      await new Promise<void>((ok) => server.close(() => ok()))
      await rm(stageDir, { recursive: true, force: true })
    }
  }
}
