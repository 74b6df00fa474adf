// A tiny gateway in front of the sandbox, for tests: it forwards every request, and for the
// requests a rule matches it answers the client itself (a 502/504 page, as a load balancer does)
// while the origin still gets the request — at once, or only when the test releases it (the
// gateway gave up before the origin acted). The sandbox cannot do this itself: its faults either
// act or answer, never "answer now, act later".
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface GatewayRule {
  method: string
  path: string
  /** What the gateway answers the client. */
  status: number
  /** Body of that answer; default an HTML error page (no JSON: not Printago's answer). */
  body?: string
  contentType?: string
  /** Forward to the origin only when `release()` is called (default: forward at once). */
  hold?: boolean
  /** How many requests the rule applies to (default 1). */
  times?: number
}

export interface GatewayProxy {
  url: string
  /** Requests the gateway answered itself, and how many of them reached the origin since. */
  readonly intercepted: number
  readonly forwardedDone: number
  /** Let held requests through to the origin. */
  release(): void
  close(): Promise<void>
}

/** Starts the gateway on loopback in front of `origin` (e.g. the sandbox's URL). */
export async function startGatewayProxy(
  origin: string,
  rules: GatewayRule[]
): Promise<GatewayProxy> {
  const left = rules.map((r) => ({ rule: r, times: r.times ?? 1 }))
  const held: Array<() => void> = []
  let released = false
  let intercepted = 0
  let forwardedDone = 0
  const target = new URL(origin)

  const forward = (
    req: http.IncomingMessage,
    body: Buffer,
    onResponse: (res: http.IncomingMessage, data: Buffer) => void
  ): void => {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host }
      },
      (res) => {
        const chunks: Buffer[] = []
        res.on('data', (c: Buffer) => chunks.push(c))
        res.on('end', () => onResponse(res, Buffer.concat(chunks)))
      }
    )
    upstream.on('error', () => onResponse(null as never, Buffer.alloc(0)))
    upstream.end(body)
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const body = Buffer.concat(chunks)
      const path = (req.url ?? '/').split('?')[0]
      const hit = left.find(
        (l) => l.times > 0 && l.rule.method === req.method && l.rule.path === path
      )
      if (!hit) {
        forward(req, body, (up, data) => {
          if (!up) return void res.destroy()
          res.writeHead(up.statusCode ?? 502, up.headers)
          res.end(data)
        })
        return
      }
      hit.times--
      intercepted++
      const go = (): void => forward(req, body, () => void forwardedDone++)
      if (hit.rule.hold && !released) held.push(go)
      else go()
      res.writeHead(hit.rule.status, {
        'content-type': hit.rule.contentType ?? 'text/html',
        date: new Date().toUTCString()
      })
      res.end(
        hit.rule.body ?? `<html><body><h1>${hit.rule.status} Gateway error</h1></body></html>`
      )
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get intercepted() {
      return intercepted
    },
    get forwardedDone() {
      return forwardedDone
    },
    release() {
      released = true
      for (const go of held.splice(0)) go()
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      })
  }
}
