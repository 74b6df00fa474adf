// HTTP plumbing shared by the API, storage and admin handlers: NestJS-shaped errors, JSON replies,
// bounded body reading.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { STATUS_CODES } from 'node:http'

/** An error that becomes an HTTP response (thrown by handlers, caught by the server). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {}
  ) {
    super(
      typeof body === 'object' && body && 'message' in body
        ? String(body.message)
        : `HTTP ${status}`
    )
  }
}

/** NestJS's default exception body: `{statusCode, message, error}`. */
export function nestBody(status: number, message: string): Record<string, unknown> {
  return { statusCode: status, message, error: STATUS_CODES[status] ?? 'Error' }
}

/** Throwable NestJS-shaped error. */
export function nestError(status: number, message: string): HttpError {
  return new HttpError(status, nestBody(status, message))
}

export const UNAUTHORIZED_BODY = { statusCode: 401, message: 'Unauthorized' }
export const FORBIDDEN_BODY = { statusCode: 403, message: 'Forbidden resource', error: 'Forbidden' }
export const THROTTLED_BODY = { statusCode: 429, message: 'ThrottlerException: Too Many Requests' }

/** Canonical body for a status, used when a fault gives none. */
export function defaultBodyFor(status: number): unknown {
  if (status === 401) return UNAUTHORIZED_BODY
  if (status === 403) return FORBIDDEN_BODY
  if (status === 429) return THROTTLED_BODY
  return nestBody(status, STATUS_CODES[status] ?? 'Error')
}

/** Writes a JSON reply (or an empty body for `undefined`); a no-op on a dead response. */
export function writeJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {}
): void {
  if (res.headersSent || res.destroyed) return
  const payload = body === undefined ? '' : JSON.stringify(body)
  const base: Record<string, string | number> = { 'content-length': Buffer.byteLength(payload) }
  if (body !== undefined) base['content-type'] = 'application/json; charset=utf-8'
  res.writeHead(status, { ...base, ...headers })
  res.end(payload)
}

/** Writes a GCS-style XML error (storage endpoints). */
export function writeXmlError(
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {}
): void {
  if (res.headersSent || res.destroyed) return
  const xml = `<?xml version='1.0' encoding='UTF-8'?><Error><Code>${code}</Code><Message>${message
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')}</Message></Error>`
  res.writeHead(status, {
    'content-type': 'application/xml; charset=UTF-8',
    'content-length': Buffer.byteLength(xml),
    ...headers
  })
  res.end(xml)
}

/** After answering early, discard a small unread body (keep-alive) or close on a big one. */
export function discardBody(req: IncomingMessage, res: ServerResponse, smallBytes = 1 << 20): void {
  if (req.readableEnded || req.destroyed) return
  const length = Number(req.headers['content-length'] ?? NaN)
  if (Number.isFinite(length) && length <= smallBytes) req.resume()
  else if (!res.headersSent) res.setHeader('connection', 'close')
  else req.resume()
}

const prebuffered = new WeakMap<IncomingMessage, Promise<Buffer>>()

/**
 * Reads the body now and keeps it for a later readBody: a slow server (the `delay` fault) has the
 * request bytes already, so it still acts after its delay even when the client has given up.
 */
export function prebufferBody(req: IncomingMessage, limit: number): void {
  const p = readBodyNow(req, limit)
  p.catch(() => undefined) // a later readBody reports the error
  prebuffered.set(req, p)
}

/** Reads a body up to `limit` bytes; throws 413 beyond it (without destroying the socket). */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return prebuffered.get(req) ?? readBodyNow(req, limit)
}

function readBodyNow(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? NaN)
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge())
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const cleanup = (): void => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('aborted', onError)
    }
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limit) {
        cleanup()
        // Keep draining so the 413 can be written; the connection closes after it.
        req.resume()
        reject(tooLarge())
      } else chunks.push(chunk)
    }
    const onEnd = (): void => {
      cleanup()
      resolve(Buffer.concat(chunks))
    }
    const onError = (): void => {
      cleanup()
      reject(new HttpError(400, nestBody(400, 'Request aborted')))
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('aborted', onError)
  })
}

function tooLarge(): HttpError {
  return new HttpError(413, nestBody(413, 'request entity too large'), { connection: 'close' })
}

/** True when content-type names application/json (Nestia's check). */
export function isJsonContentType(value: string | undefined): boolean {
  if (!value) return false
  return value
    .split(';')
    .map((s) => s.trim().toLowerCase())
    .some((s) => s === 'application/json')
}

/** Parses JSON like body-parser would: a SyntaxError becomes NestJS's 400. */
export function parseJson(buf: Buffer): unknown {
  try {
    return JSON.parse(buf.toString('utf8'))
  } catch (e) {
    throw nestError(400, e instanceof Error ? e.message : 'Invalid JSON')
  }
}
