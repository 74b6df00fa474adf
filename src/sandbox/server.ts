// The request pipeline: faults → storage | (route → auth → rate limit → permission → body) → handler.
// Every failure becomes an HTTP answer; nothing a client sends can crash the process.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { setTimeout as sleep } from 'node:timers/promises'
import { handleAdmin, ADMIN_PREFIX, type AdminDeps } from './testing/admin'
import { authenticate, hasPermission, presentedKeyId } from './auth'
import type { FaultSet } from './testing/faults'
import {
  defaultBodyFor,
  discardBody,
  FORBIDDEN_BODY,
  HttpError,
  isJsonContentType,
  parseJson,
  prebufferBody,
  readBody,
  THROTTLED_BODY,
  UNAUTHORIZED_BODY,
  writeJson,
  writeXmlError
} from './http'
import type { SlidingWindowLimiter } from './rate-limit'
import { matchRoute, type Route } from './routes'
import { inlineValidator, permissionOf, requestSchemaName, schemaValidator } from './spec'
import { STORAGE_PREFIX, type ObjectStorage } from './storage'
import type { SandboxStore } from './store'
import type { RequestLogEntry } from './types'
import { assertBody, BODY_TYPE_MESSAGE } from './validation'

const MAX_LOG = 10_000

/** Everything the pipeline needs. */
export interface ServerDeps extends AdminDeps {
  store: SandboxStore
  storage: ObjectStorage
  faults: FaultSet
  limiter: SlidingWindowLimiter
  log: RequestLogEntry[]
  auth: { apiKey: string; limitedApiKey: string; storeId: string }
  maxJsonBytes: number
  /** Fallback origin for signed URLs when a request has no Host header. */
  origin(): string
}

function bodyValidator(
  route: Route
): ((body: unknown) => ReturnType<typeof assertBody>) | undefined {
  const name =
    route.bodySchema ??
    (route.specPath ? requestSchemaName(route.method, route.specPath) : undefined)
  if (name) {
    const v = schemaValidator(name)
    return (b) => assertBody(v, b)
  }
  if (route.inlineBodySchema) {
    const v = inlineValidator(route.pattern, route.inlineBodySchema)
    return (b) => assertBody(v, b)
  }
  return undefined
}

/** Creates the node:http request listener. */
export function createHandler(
  deps: ServerDeps
): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    handle(deps, req, res).catch((e: unknown) => {
      console.error('[sandbox] unhandled:', e)
      if (!res.headersSent)
        writeJson(res, 500, { statusCode: 500, message: 'Internal server error' })
      else res.destroy()
    })
  }
}

async function handle(deps: ServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase()
  const rawUrl = req.url ?? '/'
  const q = rawUrl.indexOf('?')
  const path = q >= 0 ? rawUrl.slice(0, q) : rawUrl
  const rawQuery = q >= 0 ? rawUrl.slice(q + 1) : ''
  const query = new URLSearchParams(rawQuery)

  // The admin surface is test tooling: no faults, no rate limit, not logged.
  if (path === ADMIN_PREFIX.slice(0, -1) || path.startsWith(ADMIN_PREFIX)) {
    return handleAdmin(deps, req, res, method, path, query)
  }

  const entry: RequestLogEntry = {
    at: Date.now(),
    method,
    path,
    query: rawQuery,
    status: 0,
    keyId: presentedKeyId(req.headers),
    rateLimited: false
  }
  let logged = false
  const finish = (status: number): void => {
    if (logged) return
    logged = true
    entry.status = status
    deps.log.push(entry)
    if (deps.log.length > MAX_LOG) deps.log.splice(0, deps.log.length - MAX_LOG)
  }

  const fault = deps.faults.take(method, path)
  if (fault) entry.fault = fault.kind
  if (fault?.kind === 'reset') {
    finish(0)
    req.socket.destroy()
    return
  }
  if (fault?.kind === 'status') {
    const status = fault.status ?? 500
    finish(status)
    discardBody(req, res)
    writeJson(res, status, fault.body ?? defaultBodyFor(status), fault.headers)
    return
  }
  if (fault?.kind === 'delay') {
    if (!path.startsWith(STORAGE_PREFIX)) prebufferBody(req, deps.maxJsonBytes)
    await sleep(Math.max(0, fault.delayMs ?? 0))
  }
  const dropAfter = fault?.kind === 'drop-after'

  /** Sends (or, for drop-after, swallows) the answer of an action that has been performed. */
  const answer = (status: number, write: () => void): void => {
    finish(status)
    if (dropAfter) req.socket.destroy()
    else write()
  }

  if (path.startsWith(STORAGE_PREFIX)) {
    // The upload PUT is storage, not the API: no auth, no rate limit.
    const result = await deps.storage.handle(req, path, query)
    answer(result.status, () => {
      if (result.error) {
        discardBody(req, res)
        writeXmlError(res, result.status, result.error.code, result.error.message)
      } else writeJson(res, result.status, undefined, result.etag ? { etag: result.etag } : {})
    })
    return
  }

  try {
    const apiPath = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path
    const match = matchRoute(method, apiPath)
    if (!match) {
      throw new HttpError(404, {
        statusCode: 404,
        message: `Cannot ${method} ${rawUrl}`,
        error: 'Not Found'
      })
    }
    const caller = authenticate(req.headers, deps.auth)
    if (!caller) throw new HttpError(401, UNAUTHORIZED_BODY)
    entry.keyId = caller.keyId
    const decision = deps.limiter.take(caller.keyId)
    if (!decision.ok) {
      throw new HttpError(429, THROTTLED_BODY, {
        'retry-after': String(decision.retryAfterSeconds)
      })
    }
    entry.rateLimited = true
    const { route } = match
    const permission =
      route.permission ?? (route.specPath ? permissionOf(method, route.specPath) : undefined)
    if (!hasPermission(caller, permission)) throw new HttpError(403, FORBIDDEN_BODY)
    let body: unknown
    const validate = bodyValidator(route)
    if (validate) {
      if (!isJsonContentType(req.headers['content-type'])) {
        throw new HttpError(400, { statusCode: 400, message: BODY_TYPE_MESSAGE })
      }
      body = parseJson(await readBody(req, deps.maxJsonBytes))
      const error = validate(body)
      if (error) throw new HttpError(400, error)
    } else {
      discardBody(req, res)
    }
    const host = req.headers.host
    const result = route.handler({
      params: match.params,
      query,
      body,
      store: deps.store,
      storage: deps.storage,
      baseUrl: host && /^[A-Za-z0-9.\-:[\]]+$/.test(host) ? `http://${host}` : deps.origin()
    })
    answer(result.status, () => writeJson(res, result.status, result.body))
  } catch (e) {
    if (!(e instanceof HttpError)) console.error('[sandbox] handler failed:', e)
    const err =
      e instanceof HttpError
        ? e
        : new HttpError(500, { statusCode: 500, message: 'Internal server error' })
    answer(err.status, () => {
      discardBody(req, res)
      writeJson(res, err.status, err.body, err.headers)
    })
  }
}
