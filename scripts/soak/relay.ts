// The gateway in front of the sandbox: every client of the soak (in-process services, app sessions,
// CLI processes) talks to Printago through it. It does two things the sandbox cannot:
//   - it knows when the server is quiet: `inFlight` counts requests whose whole body arrived and
//     whose answer the sandbox has not finished yet — also those whose client gave up, timed out
//     or was killed (a real server goes on with a request it has received). The virtual clock
//     moves only while this is 0, so a settle wait can never pass while Printago may still act;
//   - "answer now, act later" faults: a gateway's 502/503/504 (HTML, text or Printago-like JSON)
//     goes to the client at once while the request reaches the sandbox only `forwardAfterMs`
//     later (a load balancer that gave up on an origin that is still working).
// The Host header is passed through, so the sandbox's signed upload URLs point here too.
import http from 'node:http'
import type { AddressInfo } from 'node:net'

export interface LateRule {
  method: string
  path: string
  status: 502 | 503 | 504
  body: 'html' | 'text' | 'json'
  /** Real milliseconds between the gateway's answer and the request reaching the sandbox. */
  forwardAfterMs: number
}

/** A server that refuses a query parameter it does not know: 400 at once, nothing forwarded. */
export interface RefuseRule {
  method: string
  path: string
  /** Refused when the query has this parameter. */
  param: string
  times: number
}

export interface Relay {
  url: string
  /** Requests the sandbox has received (or will) and not finished answering. */
  readonly inFlight: number
  /** Resolves once nothing is in flight. */
  idle(): Promise<void>
  /** Answer the next matching request early (see the top of this file). */
  late(rule: LateRule): void
  /** Refuse the next `times` requests with `param` in their query (Nest's 400). */
  refuse(rule: RefuseRule): void
  readonly refused: number
  /** Forgets the late and refuse rules. */
  clearLate(): void
  /** Late answers given so far. */
  readonly lateAnswers: number
  close(): Promise<void>
}

function lateBody(status: number, style: LateRule['body']): { type: string; text: string } {
  const reason = http.STATUS_CODES[status] ?? 'Error'
  if (style === 'json') {
    return {
      type: 'application/json',
      text: JSON.stringify({ statusCode: status, message: reason, error: reason })
    }
  }
  if (style === 'text') return { type: 'text/plain', text: 'upstream request timeout' }
  return {
    type: 'text/html',
    text: `<html><head><title>${status} ${reason}</title></head><body><center><h1>${status} ${reason}</h1></center><hr><center>nginx</center></body></html>`
  }
}

export async function startRelay(origin: string): Promise<Relay> {
  const target = new URL(origin)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 })
  let inFlight = 0
  let lateAnswers = 0
  let rules: LateRule[] = []
  let refusals: RefuseRule[] = []
  let refused = 0
  const idleWaiters: Array<() => void> = []
  const done = (): void => {
    inFlight--
    if (inFlight === 0) for (const w of idleWaiters.splice(0)) w()
  }

  /** Sends the request on to the sandbox; `answer` gets its response (or null on a reset). */
  const forward = (
    req: http.IncomingMessage,
    body: Buffer,
    answer: (res: http.IncomingMessage | null) => void,
    finished: () => void
  ): void => {
    const upstream = http.request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        agent
      },
      (res) => {
        answer(res)
        res.on('end', finished)
        res.on('error', finished)
        res.on('close', finished)
        // A client that is gone still lets the sandbox finish: drain into nothing.
        res.on('aborted', () => undefined)
      }
    )
    upstream.on('error', () => {
      // The sandbox destroyed the socket (reset / drop-after): so does the gateway.
      answer(null)
      finished()
    })
    upstream.end(body)
  }

  const server = http.createServer((req, res) => {
    // Counted from its first byte: a request on its way may still reach the sandbox.
    inFlight++
    let counted = true
    const finished = (): void => {
      if (!counted) return
      counted = false
      done()
    }
    const chunks: Buffer[] = []
    let complete = false
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('error', () => undefined)
    // A client killed before its whole body arrived: the gateway never forwards it.
    req.on('close', () => {
      if (!complete) finished()
    })
    req.on('end', () => {
      complete = true
      const body = Buffer.concat(chunks)
      const [path, query] = (req.url ?? '/').split('?') as [string, string | undefined]
      const no = refusals.find(
        (r) =>
          r.times > 0 &&
          r.method === req.method &&
          r.path === path &&
          new URLSearchParams(query ?? '').has(r.param)
      )
      if (no) {
        no.times--
        refused++
        const text = JSON.stringify({
          statusCode: 400,
          message: 'Request query data is not following the promised type.',
          path: `$input.${no.param}`
        })
        res.writeHead(400, {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(text)
        })
        res.end(text)
        finished()
        return
      }
      const i = rules.findIndex((r) => r.method === req.method && r.path === path)
      if (i >= 0) {
        const rule = rules[i]!
        rules.splice(i, 1)
        lateAnswers++
        const { type, text } = lateBody(rule.status, rule.body)
        res.writeHead(rule.status, {
          'content-type': type,
          'content-length': Buffer.byteLength(text)
        })
        res.end(text)
        setTimeout(() => forward(req, body, (r) => r?.resume(), finished), rule.forwardAfterMs)
        return
      }
      forward(
        req,
        body,
        (up) => {
          if (!up) {
            res.socket?.destroy()
            return
          }
          if (res.destroyed || res.socket?.destroyed) {
            up.resume()
            return
          }
          res.writeHead(up.statusCode ?? 502, up.headers)
          up.pipe(res)
          // A client gone mid-answer: drain the rest, so the sandbox's answer still ends.
          res.on('close', () => up.resume())
          // If the upstream dies mid-body, the client sees the connection die too.
          up.on('aborted', () => res.socket?.destroy())
        },
        finished
      )
    })
  })
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    get inFlight() {
      return inFlight
    },
    get lateAnswers() {
      return lateAnswers
    },
    get refused() {
      return refused
    },
    refuse: (rule) => void refusals.push({ ...rule }),
    idle: () =>
      inFlight === 0 ? Promise.resolve() : new Promise<void>((r) => void idleWaiters.push(r)),
    late: (rule) => void rules.push(rule),
    clearLate: () => {
      rules = []
      refusals = []
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
        agent.destroy()
      })
  }
}
