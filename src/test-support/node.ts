// Helpers shared by the services' tests: temp dirs, STL fixtures and a tiny scripted HTTP server.
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/** A fresh temp directory and its cleanup. */
export async function tempDir(
  prefix = 'printago-send-'
): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), prefix))
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) }
}

/** Bytes of a valid binary STL with `triangles` triangles (contents vary with `seed`). */
export function binaryStl(triangles: number, seed = 1): Buffer {
  const buf = Buffer.alloc(84 + 50 * triangles)
  buf.write(`binary stl seed ${seed}`, 0, 'latin1')
  buf.writeUInt32LE(triangles, 80)
  let x = seed * 2654435761
  for (let t = 0; t < triangles; t++) {
    for (let f = 0; f < 12; f++) {
      x = (x * 1103515245 + 12345) >>> 0
      buf.writeFloatLE((x % 1000) / 10, 84 + t * 50 + f * 4)
    }
  }
  return buf
}

/** Write a binary STL file and return its path. */
export async function writeStl(
  dir: string,
  name: string,
  triangles = 4,
  seed = 1
): Promise<string> {
  const file = join(dir, name)
  await writeFile(file, binaryStl(triangles, seed))
  return file
}

export interface RecordedRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  body: Buffer
  at: number
}

export type Handler = (req: RecordedRequest, res: http.ServerResponse) => void | Promise<void>

/** A node:http server answering with `handler`, recording every request. */
export async function scriptedServer(handler: Handler): Promise<{
  url: string
  requests: RecordedRequest[]
  close: () => Promise<void>
}> {
  const requests: RecordedRequest[] = []
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const rec: RecordedRequest = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks),
        at: Date.now()
      }
      requests.push(rec)
      void Promise.resolve(handler(rec, res)).catch(() => res.destroy())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}

/** Reply with JSON. */
export function json(
  res: http.ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  const payload = body === undefined ? '' : JSON.stringify(body)
  res.writeHead(status, { 'content-type': 'application/json', ...headers })
  res.end(payload)
}

/**
 * A fetch whose requests keep running when the caller aborts: the caller sees the abort (a
 * timeout, a crash) but the server still receives the whole request and acts on it — which is
 * what a real server does once the body has arrived. (The sandbox's 'delay' fault waits before
 * reading the body, so with a plain fetch an aborted request is never acted on.)
 */
export const detachedFetch: typeof fetch = (input, init = {}) => {
  const { signal, ...rest } = init
  const real = fetch(input, rest)
  return new Promise<Response>((resolve, reject) => {
    if (signal?.aborted) reject(signal.reason)
    signal?.addEventListener(
      'abort',
      () => reject(signal.reason ?? new DOMException('aborted', 'AbortError')),
      {
        once: true
      }
    )
    real.then(resolve, reject)
  })
}

/** Everything an integration test of the send pipeline needs, over real HTTP to the sandbox. */
export interface SendHarness {
  sandbox: import('../sandbox/index').RunningSandbox
  dir: string
  journalDir: string
  client: import('../core/printago/client').PrintagoClient
  /** Number of sandbox log entries at a mark; `since(mark)` lists what came after. */
  mark(): number
  since(
    mark: number
  ): Array<{ method: string; path: string; status: number; at: number; fault?: string }>
  stl(name: string, triangles?: number, seed?: number): Promise<string>
  service(
    extra?: Partial<import('../core/send/service').SendServiceOptions>
  ): Promise<import('../core/send/service').SendService>
  progress: import('../shared/send').SendProgress[]
  close(): Promise<void>
}

/** Start a sandbox (unlimited rate, paused scheduler), a client with fast retries, a temp dir. */
export async function sendHarness(
  sandboxOptions: import('../sandbox/index').SandboxOptions = {},
  clientOptions: Partial<import('../core/printago/client').PrintagoClientOptions> = {}
): Promise<SendHarness> {
  const { startSandbox } = await import('../sandbox/index')
  const { createPrintagoClient } = await import('../core/printago/client')
  const { createSendService } = await import('../core/send/service')
  const { createMemoryDedupeCache } = await import('../core/send/dedupe-cache')
  const { createRateLimiter } = await import('../core/printago/rate-limiter')
  const sandbox = await startSandbox({
    ratePerMinute: 0,
    ratePerHour: 0,
    speed: 0,
    ...sandboxOptions
  })
  const { dir, cleanup } = await tempDir()
  const client = createPrintagoClient({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    storeId: sandbox.storeId,
    limiter: createRateLimiter({ perMinute: 10_000, perHour: 100_000 }),
    timeoutMs: 2000,
    retry: { baseMs: 5, capMs: 40, retryAfterJitterMs: 20 },
    ...clientOptions
  })
  const dedupe = createMemoryDedupeCache()
  const progress: import('../shared/send').SendProgress[] = []
  const services: Array<import('../core/send/service').SendService> = []
  const journalDir = join(dir, 'journal')
  return {
    sandbox,
    dir,
    journalDir,
    client,
    mark: () => sandbox.log.length,
    since: (m) => sandbox.log.slice(m),
    stl: (name, triangles = 4, seed = name.length * 7919 + name.charCodeAt(0)) =>
      writeStl(dir, name, triangles, seed),
    async service(extra = {}) {
      const s = await createSendService({
        client,
        journalDir,
        dedupe,
        onProgress: (p) => progress.push(p),
        upload: { baseDelayMs: 5, capDelayMs: 40, idleTimeoutMs: 2000 },
        settleMs: 0,
        ...extra
      })
      services.push(s)
      return s
    },
    progress,
    async close() {
      for (const s of services) await s.close().catch(() => undefined)
      await sandbox.close()
      await cleanup()
    }
  }
}
