// Typed errors of the Printago client. Every failure the UI or CLI shows goes through
// `PrintagoError` so that its `message` is one specific, human sentence and its `code` drives
// behaviour (retry, reconcile, ask for a new key).

/** Machine-readable cause of a failed Printago request. */
export type PrintagoErrorCode =
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'validation'
  | 'rate-limited'
  | 'server'
  | 'network'
  | 'timeout'
  | 'cancelled'
  | 'upload-expired'
  | 'bad-response'
  | 'file'

export interface PrintagoErrorInit {
  code: PrintagoErrorCode
  message: string
  status?: number
  method?: string
  /** Path (no query, never a signed URL's signature) of the failed request. */
  path?: string
  retryAfterSeconds?: number
  /** The request may have been acted on by the server (sent, then timeout/reset/5xx). */
  outcomeUnknown?: boolean
  /**
   * Printago itself answered (its JSON error body, not a gateway's 502/503/504 page): it is done
   * with the request, so there is nothing to wait for before reading its state.
   */
  originAnswered?: boolean
  /** For 400: where in the body the server found the problem, e.g. `$input.parts[0].partId`. */
  fieldPath?: string
  /** Server-provided message, verbatim. */
  serverMessage?: string
  cause?: unknown
}

/** A failed Printago (or signed-upload) request. */
export class PrintagoError extends Error {
  readonly code: PrintagoErrorCode
  readonly status: number | undefined
  readonly method: string | undefined
  readonly path: string | undefined
  readonly retryAfterSeconds: number | undefined
  readonly outcomeUnknown: boolean
  readonly originAnswered: boolean
  readonly fieldPath: string | undefined
  readonly serverMessage: string | undefined

  constructor(init: PrintagoErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause })
    this.name = 'PrintagoError'
    this.code = init.code
    this.status = init.status
    this.method = init.method
    this.path = init.path
    this.retryAfterSeconds = init.retryAfterSeconds
    this.outcomeUnknown = init.outcomeUnknown ?? false
    this.originAnswered = init.originAnswered ?? false
    this.fieldPath = init.fieldPath
    this.serverMessage = init.serverMessage
  }
}

/** True for errors created by this module (also across module copies, by shape). */
export function isPrintagoError(error: unknown): error is PrintagoError {
  return error instanceof PrintagoError
}

/**
 * Parse a `Retry-After` header: delay-seconds or an HTTP-date (RFC 9110). Returns seconds ≥ 0,
 * or undefined when absent/unparseable. Dates in the past (clock skew) clamp to 0.
 */
export function parseRetryAfter(
  value: string | null | undefined,
  nowMs: number
): number | undefined {
  if (value === null || value === undefined) return undefined
  const trimmed = value.trim()
  if (trimmed === '') return undefined
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed)
  const at = Date.parse(trimmed)
  if (Number.isNaN(at)) return undefined
  return Math.max(0, (at - nowMs) / 1000)
}

/** The response headers a rate-limit reading needs (fetch's `Headers` fits). */
export interface HeaderBag {
  get(name: string): string | null
  forEach(fn: (value: string, name: string) => void): void
}

/** A reset value in seconds: seconds-from-now, or an epoch time in seconds or milliseconds. */
function resetSeconds(value: string, nowMs: number): number | undefined {
  const n = Number(value.trim())
  if (!Number.isFinite(n) || n < 0) return parseRetryAfter(value, nowMs)
  if (n > 1e12) return Math.max(0, (n - nowMs) / 1000)
  if (n > 1e9) return Math.max(0, n - nowMs / 1000)
  return n
}

/**
 * How long a rate limit says to wait, from every header variant a server may send: `Retry-After`,
 * per-limit `retry-after-<name>` (NestJS throttler names), and a `x-ratelimit-reset[-<name>]` /
 * `ratelimit-reset` whose `remaining` is 0. The longest wins (every exhausted window must free).
 * Undefined when no header says anything. With `exhaustedOnly`, `Retry-After`-style headers are
 * ignored: only windows reported empty count (for successful answers).
 */
export function rateLimitWaitSeconds(
  headers: HeaderBag,
  nowMs: number,
  opts: { exhaustedOnly?: boolean } = {}
): number | undefined {
  const waits: number[] = []
  const all = new Map<string, string>()
  headers.forEach((value, name) => all.set(name.toLowerCase(), value))
  for (const [name, value] of all) {
    if (!opts.exhaustedOnly && (name === 'retry-after' || name.startsWith('retry-after-'))) {
      const s = parseRetryAfter(value, nowMs)
      if (s !== undefined) waits.push(s)
      continue
    }
    // x-ratelimit-reset, x-ratelimit-reset-minute, ratelimit-reset: only when that window is empty.
    const m = /^(x-)?ratelimit-reset(-.+)?$/.exec(name)
    if (!m) continue
    const remaining = all.get(`${m[1] ?? ''}ratelimit-remaining${m[2] ?? ''}`)
    if (remaining === undefined || Number(remaining) > 0) continue
    const s = resetSeconds(value, nowMs)
    if (s !== undefined) waits.push(s)
  }
  return waits.length > 0 ? Math.max(...waits) : undefined
}

/** What a JSON error body told us. */
export interface ErrorBodyInfo {
  message?: string
  fieldPath?: string
}

/** Read `message` and `path` / `errors[0].path` from a Nest/Nestia-shaped error body. */
export function readErrorBody(body: unknown): ErrorBodyInfo {
  if (typeof body !== 'object' || body === null) {
    return typeof body === 'string' && body.trim() !== ''
      ? { message: body.trim().slice(0, 300) }
      : {}
  }
  const record = body as Record<string, unknown>
  const info: ErrorBodyInfo = {}
  const message = record['message']
  if (typeof message === 'string') info.message = message
  else if (Array.isArray(message) && message.every((m) => typeof m === 'string')) {
    info.message = message.join('; ')
  }
  if (typeof record['path'] === 'string') info.fieldPath = record['path']
  else if (Array.isArray(record['errors'])) {
    const first = record['errors'][0] as Record<string, unknown> | undefined
    if (first && typeof first['path'] === 'string') info.fieldPath = first['path']
  }
  if (typeof record['reason'] === 'string' && info.message === undefined) {
    info.message = record['reason']
  }
  return info
}

const PERMISSION_BY_ROUTE: Array<[RegExp, string, string]> = [
  [/^POST \/v1\/storage\/signed-upload-urls$/, 'part.create', 'upload files'],
  [/^POST \/v1\/parts$/, 'part.create', 'create parts'],
  [/^GET \/v1\/parts/, 'part.view', 'list parts'],
  [/^POST \/v[12]\/builds$/, 'build.create', 'queue prints'],
  [/^GET \/v1\/printers/, 'printer.view', 'see printers'],
  [/^GET \/v1\/(part-builds|print-jobs)/, 'queue.view', 'see the queue'],
  [/^PATCH \/v1\/print-jobs\/(cancel|retry|pause|resume)/, 'queue.manage', 'manage the queue'],
  [/^PATCH \/v1\/print-jobs\/clear/, 'job.delete.all', 'clear jobs'],
  [/^PATCH \/v1\/print-jobs\/move-to-queue-front/, 'queue.override', 'reorder the queue'],
  [/^PATCH \/v1\/printers\/confirm-ready$/, 'printer.ready', 'mark beds clear'],
  [/^POST \/v1\/parts\/[^/]+\/estimate$/, 'part.edit', 'ask Printago for estimates'],
  [/^POST \/v1\/storage\/signed-urls$/, 'file.download', 'download thumbnails and logs']
]

/** The permission a route needs, for a 403 message ("needs part.create"). */
export function permissionFor(
  method: string,
  path: string
): { permission: string; action: string } | undefined {
  const key = `${method.toUpperCase()} ${path}`
  for (const [re, permission, action] of PERMISSION_BY_ROUTE) {
    if (re.test(key)) return { permission, action }
  }
  return undefined
}

/** Gateway statuses: the answer of a proxy in front of Printago, not of Printago. */
const GATEWAY_STATUSES = new Set([502, 503, 504])

/** Printago's own (Nest) error body: an object with a `statusCode` or a `message`. */
function isPrintagoErrorBody(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false
  const b = body as Record<string, unknown>
  return typeof b['statusCode'] === 'number' || typeof b['message'] === 'string'
}

/** Build the error for a non-2xx HTTP answer from the Printago API. */
export function errorFromResponse(args: {
  status: number
  method: string
  path: string
  body: unknown
  retryAfterSeconds?: number
}): PrintagoError {
  const { status, method, path, body, retryAfterSeconds } = args
  const info = readErrorBody(body)
  const where = `${method} ${path}`
  const server = info.message ? `: ${info.message}` : ''
  const base = { status, method, path, serverMessage: info.message, fieldPath: info.fieldPath }
  if (status === 401) {
    return new PrintagoError({
      ...base,
      code: 'auth',
      message:
        'Printago rejected the API key or store ID (401 Unauthorized); check PRINTAGO_API_KEY/PRINTAGO_STORE_ID in the settings'
    })
  }
  if (status === 403) {
    const perm = permissionFor(method, path)
    const needs = perm
      ? `the API key lacks the "${perm.permission}" permission needed to ${perm.action}`
      : 'the API key lacks a permission for this request'
    return new PrintagoError({
      ...base,
      code: 'forbidden',
      message: `Printago refused ${where} (403 Forbidden): ${needs}, or this computer's IP is not on the key's allowlist${server}`
    })
  }
  if (status === 404) {
    return new PrintagoError({
      ...base,
      code: 'not-found',
      message: `Printago has no such resource (${where} → 404)${server}`
    })
  }
  if (status === 400 || status === 422) {
    const at = info.fieldPath ? ` at ${info.fieldPath}` : ''
    return new PrintagoError({
      ...base,
      code: 'validation',
      message: `Printago rejected the request ${where} (${status})${at}${server || ': invalid request'}`
    })
  }
  if (status === 429) {
    const wait =
      retryAfterSeconds !== undefined ? `; retry after ${Math.ceil(retryAfterSeconds)} s` : ''
    return new PrintagoError({
      ...base,
      code: 'rate-limited',
      retryAfterSeconds,
      message: `Printago's rate limit was hit (${where} → 429)${wait}`
    })
  }
  if (status >= 500) {
    // A gateway's 502/503/504 (or any 5xx without Printago's JSON error body) says nothing about
    // the origin: it may have acted, and may still be acting, on the request.
    const origin = !GATEWAY_STATUSES.has(status) && isPrintagoErrorBody(body)
    return new PrintagoError({
      ...base,
      code: 'server',
      retryAfterSeconds,
      // A 5xx to a POST may come after the server acted (e.g. it crashed while answering).
      outcomeUnknown: method !== 'GET',
      originAnswered: origin,
      message: origin
        ? `Printago had a server error (${where} → ${status})${server}`
        : `Printago's gateway answered ${where} with ${status}; Printago may still act on it${server}`
    })
  }
  return new PrintagoError({
    ...base,
    code: 'bad-response',
    message: `Printago answered ${where} with unexpected status ${status}${server}`
  })
}
