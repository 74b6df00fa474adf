// HTTP helpers for tests: a tiny scripted server on a free loopback port (port 0, so parallel
// workers never collide) and a fetch whose requests outlive the caller's abort.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

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
