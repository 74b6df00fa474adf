// The request pipeline: hooks → storage | (route → auth → rate limit → permission → body) → handler.
// Every failure becomes an HTTP answer; nothing a client sends can crash the process.
import { createReadStream } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { authenticate, hasPermission, presentedKeyId } from './auth'
import {
  discardBody,
  FORBIDDEN_BODY,
  HttpError,
  isJsonContentType,
  parseJson,
  readBody,
  THROTTLED_BODY,
  UNAUTHORIZED_BODY,
  writeJson,
  writeXmlError
} from './http'
import { rateLimitHeaders, type SlidingWindowLimiter } from './rate-limit'
import { matchRoute, type Route } from './routes'
import {
  inlineRequestSchema,
  inlineValidator,
  permissionOf,
  requestSchemaName,
  schemaValidator
} from './spec'
import { STORAGE_PREFIX, type ObjectStorage } from './storage'
import type { SandboxStore } from './store'
import type { RequestRecord } from './types'
import { assertBody, BODY_TYPE_MESSAGE } from './validation'

/** One API or storage request on its way through the pipeline, as a `beforeAct` hook sees it. */
export interface Exchange {
  req: IncomingMessage
  res: ServerResponse
  method: string
  path: string
  record: RequestRecord
  /** Records the request as answered with `status`; a hook that answers itself calls it first. */
  finish(status: number): void
}

/**
 * What a `beforeAct` hook decided: 'act' lets the emulator handle the request, 'answered' means
 * the hook answered (or dropped) it itself, 'act-unanswered' acts and then closes the connection
 * without an answer, and `{ actThen }` acts and hands the answer to the hook instead of writing it
 * (the hook records and writes what the client gets, e.g. a gateway error after the action).
 */
export type BeforeAct =
  'act' | 'answered' | 'act-unanswered' | { actThen(actedStatus: number): void }

/**
 * Optional per-request hooks. The product emulator (the desktop app's demo store) runs without
 * any; sandbox/testing attaches fault injection, its admin API and the request log here.
 */
export interface ServerHooks {
  /** Sees every request first; returns true when it answered it (it is then not an API call). */
  intercept?(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    query: URLSearchParams
  ): boolean | Promise<boolean>
  /** Runs before the emulator acts on an API or storage request. */
  beforeAct?(exchange: Exchange): BeforeAct | Promise<BeforeAct>
  /** Every API or storage request once it is answered, dropped or refused. */
  onRecord?(record: RequestRecord): void
}

/** Everything the pipeline needs. */
export interface ServerDeps {
  store: SandboxStore
  storage: ObjectStorage
  limiter: SlidingWindowLimiter
  auth: { apiKey: string; limitedApiKey: string; storeId: string }
  maxJsonBytes: number
  /** Adds the optional rate-limit headers (see rateLimitHeaders) to counted requests. */
  rateLimitHeaders?: boolean
  /** Time for the request log. */
  now(): number
  /** Fallback origin for signed URLs when a request has no Host header. */
  origin(): string
  hooks?: ServerHooks
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
  const inline =
    route.inlineBodySchema ??
    (route.specPath ? inlineRequestSchema(route.method, route.specPath) : undefined)
  if (inline) {
    const v = inlineValidator(`${route.method} ${route.pattern}`, inline)
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

  const hooks = deps.hooks
  if (hooks?.intercept && (await hooks.intercept(req, res, path, query))) return

  const record: RequestRecord = {
    at: deps.now(),
    method,
    path,
    query: rawQuery,
    status: 0,
    keyId: presentedKeyId(req.headers),
    rateLimited: false
  }
  let recorded = false
  const finish = (status: number): void => {
    if (recorded) return
    recorded = true
    record.status = status
    hooks?.onRecord?.(record)
  }

  const verdict = hooks?.beforeAct
    ? await hooks.beforeAct({ req, res, method, path, record, finish })
    : 'act'
  if (verdict === 'answered') return

  /** Sends the answer of a performed action, or swallows it / hands it over as the hook asked. */
  const answer = (status: number, write: () => void): void => {
    if (typeof verdict === 'object') return verdict.actThen(status)
    finish(status)
    if (verdict === 'act-unanswered') req.socket.destroy()
    else write()
  }

  if (path.startsWith(STORAGE_PREFIX)) {
    // The upload PUT is storage, not the API: no auth, no rate limit.
    const result = await deps.storage.handle(req, path, query)
    answer(result.status, () => {
      if (result.error) {
        discardBody(req, res)
        writeXmlError(res, result.status, result.error.code, result.error.message)
      } else if (result.download) {
        const { file, size, contentType } = result.download
        res.writeHead(200, { 'content-type': contentType, 'content-length': size })
        if (method === 'HEAD') res.end()
        else
          createReadStream(file)
            .on('error', () => res.destroy())
            .pipe(res)
      } else writeJson(res, result.status, undefined, result.etag ? { etag: result.etag } : {})
    })
    return
  }

  let rateHeaders: Record<string, string> = {}
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
    record.keyId = caller.keyId
    const decision = deps.limiter.take(caller.keyId)
    if (deps.rateLimitHeaders) rateHeaders = rateLimitHeaders(decision)
    if (!decision.ok) {
      throw new HttpError(429, THROTTLED_BODY, {
        'retry-after': String(decision.retryAfterSeconds)
      })
    }
    record.rateLimited = true
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
    answer(result.status, () => writeJson(res, result.status, result.body, rateHeaders))
  } catch (e) {
    if (!(e instanceof HttpError)) console.error('[sandbox] handler failed:', e)
    const err =
      e instanceof HttpError
        ? e
        : new HttpError(500, { statusCode: 500, message: 'Internal server error' })
    answer(err.status, () => {
      discardBody(req, res)
      writeJson(res, err.status, err.body, { ...rateHeaders, ...err.headers })
    })
  }
}
