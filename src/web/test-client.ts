// Raw HTTP for the bridge's tests: every header as given (a foreign Host, a missing Origin, a
// cookie), which fetch would not send. Test code only.
import { request, type IncomingHttpHeaders } from 'node:http'

export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  text: string
  json<T = unknown>(): T
}

/** One request to `origin` (e.g. http://127.0.0.1:5180) with exactly these headers. */
export function raw(
  origin: string,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string | Buffer } = {}
): Promise<RawResponse> {
  const url = new URL(path, origin)
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port,
        method,
        path: url.pathname + url.search,
        headers: { host: url.host, ...options.headers },
        setHost: false
      },
      (res) => {
        const chunks: Buffer[] = []
        // An event stream never ends: its first chunk is enough.
        const streaming = String(res.headers['content-type']).startsWith('text/event-stream')
        res.on('data', (c: Buffer) => {
          chunks.push(c)
          if (streaming) res.destroy()
        })
        const done = (): void => {
          const text = Buffer.concat(chunks).toString('utf8')
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            text,
            json: <T>() => JSON.parse(text) as T
          })
        }
        res.on('end', done)
        res.on('close', done)
      }
    )
    req.on('error', reject)
    req.end(options.body)
  })
}
