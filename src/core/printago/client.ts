// Printago REST client on the generated API types. One instance per (key, store). It owns the
// client-side rate limiter, per-request timeouts, typed errors and the retry policy:
// - 429: wait Retry-After (a floor, plus jitter; also a per-limit `retry-after-<name>` or an
//   exhausted window's `x-ratelimit-reset`) or back off, then repeat — any method, since a 429
//   proves the server did nothing; a success reporting an empty window holds the next request;
// - network errors / timeouts / 5xx: repeat only requests that are safe to repeat (GETs, and POSTs
//   the caller marks idempotent); other POSTs fail with `outcomeUnknown` so the caller can
//   reconcile by reading state first (Printago has no idempotency key);
// - connection refused/DNS failure: the request never left, so it is repeated for any method.
// Longer than the house's ~400 lines on purpose: one closure owns the request loop, and every
// endpoint is a short wrapper around it. Storage downloads (signed-download.ts) and the legacy
// /v1/builds body (legacy-builds.ts) live beside it.
import { EventEmitter } from 'node:events'
import type {
  BuildConfigV2,
  BuildPreviewV2,
  BuildResultV2,
  Material,
  MaterialVariant,
  Part,
  PartBuildWithRelation,
  PartInsertWithMaterials,
  Printer,
  PrinterSlot,
  PrintJob,
  PrintJobMatchingTroubleshoot,
  SignedUploadUrlsResponse,
  Store
} from '../../shared/printago/api-types'
import { realSleep, type Sleep } from '../infra/async'
import { errorFromResponse, PrintagoError, rateLimitWaitSeconds } from './errors'
import { legacyNotice, toLegacyBuild } from './legacy-builds'
import { causeCode, downloadSigned } from './signed-download'
import { createRateLimiter, type RateLimiter, type WaitInfo } from './rate-limiter'

export const DEFAULT_BASE_URL = 'https://api.printago.io'

/** Emitted whenever a request is held back; the UI says "waiting N s for Printago's rate limit". */
export interface ClientWaitEvent {
  seconds: number
  reason: 'rate-limit' | 'retry-after' | 'backoff'
  method: string
  path: string
}

/** Emitted before a failed request is repeated. */
export interface ClientRetryEvent {
  attempt: number
  delayMs: number
  method: string
  path: string
  error: PrintagoError
}

export interface RetryPolicy {
  /** Total attempts for repeatable failures, including the first. Default 6. */
  maxAttempts: number
  /** Full-jitter exponential back-off: random(0, min(capMs, baseMs·2^n)). */
  baseMs: number
  capMs: number
  /** Extra random delay added on top of Retry-After (which is a floor). */
  retryAfterJitterMs: number
  /** Longest Retry-After we are willing to sleep through before failing. */
  maxRetryAfterMs: number
}

export interface PrintagoClientOptions {
  baseUrl?: string
  apiKey: string
  storeId: string
  fetch?: typeof globalThis.fetch
  /** null disables client-side limiting (tests of the 429 path). */
  limiter?: RateLimiter | null
  /** Per attempt, until the whole body has arrived. Default 30 s. */
  timeoutMs?: number
  onWait?: (event: ClientWaitEvent) => void
  retry?: Partial<RetryPolicy>
  sleep?: Sleep
  random?: () => number
  now?: () => number
}

export interface CallOptions {
  signal?: AbortSignal
  timeoutMs?: number
  /** Per-call wait callback (e.g. routed to one send job's progress). */
  onWait?: (event: ClientWaitEvent) => void
  onRetry?: (event: ClientRetryEvent) => void
  /**
   * Awaited right before each HTTP attempt leaves (after any rate-limit wait). The send pipeline
   * journals "this build request may now reach Printago" here; if it throws, nothing is sent.
   */
  beforeSend?: () => Promise<void>
}

type Query = Record<string, string | number | boolean | undefined>

interface RequestSpec extends CallOptions {
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE'
  path: string
  query?: Query
  body?: unknown
  /** Safe to send twice (reads, or POSTs with no lasting effect such as signed URLs). */
  idempotent?: boolean
  /** The API documents "or undefined": an empty 200 body means not found. */
  emptyIsNotFound?: boolean
}

/**
 * Something the user should know about a request that succeeded: today, what the legacy
 * `/v1/builds` could not take of a `/v2/builds` body (queue position, materials, plates).
 */
export interface ClientNotice {
  kind: 'legacy-build'
  /** Human names of what was dropped, e.g. `queue position (front)`. */
  dropped: string[]
  /** The part builds the legacy request created. */
  partBuildIds: string[]
  message: string
}

/** A signed download (storage, not the API: no key, no rate limit). */
export interface Download {
  bytes: Uint8Array
  contentType: string | null
  /** The object was longer than `maxBytes`: `bytes` holds its first `maxBytes`. */
  truncated: boolean
}

/** The part fields we send (the generated insert type plus the tolerated `fileHashes`). */
export type CreatePartBody = PartInsertWithMaterials & { fileHashes?: string[] }

export interface PrintagoClient {
  readonly baseUrl: string
  readonly storeId: string
  /** HTTP requests sent to the API so far (retries included; signed-URL PUTs excluded). */
  readonly apiCalls: number
  /** Server clock minus ours (from the `Date` header), ms; 0 until the first answer. */
  readonly serverTimeOffsetMs: number
  /** True once `/v2/builds` answered 404 as a route and builds go to `/v1/builds`. */
  readonly usesLegacyBuilds: boolean
  on(event: 'waiting', listener: (e: ClientWaitEvent) => void): () => void
  on(event: 'retrying', listener: (e: ClientRetryEvent) => void): () => void
  on(event: 'notice', listener: (e: ClientNotice) => void): () => void
  listStores(options?: CallOptions): Promise<Store[]>
  listPrinters(query?: Query, options?: CallOptions): Promise<Printer[]>
  getPrinter(id: string, options?: CallOptions): Promise<Printer | null>
  getSignedUploadUrls(
    filenames: string[],
    options?: CallOptions
  ): Promise<SignedUploadUrlsResponse['signedUrls']>
  createPart(body: CreatePartBody, options?: CallOptions): Promise<Part>
  getPart(id: string, options?: CallOptions): Promise<Part | null>
  listParts(query?: Query, options?: CallOptions): Promise<Part[]>
  /** Parts whose `fileHashes[0]` is this SHA-256, newest first. */
  findPartsByHash(sha256: string, options?: CallOptions): Promise<Part[]>
  /** POST /v2/builds, falling back to legacy /v1/builds when v2 is not routed (404). */
  createBuild(body: BuildConfigV2, options?: CallOptions): Promise<BuildResultV2>
  getPartBuild(id: string, options?: CallOptions): Promise<PartBuildWithRelation | null>
  listPartBuilds(query?: Query, options?: CallOptions): Promise<PartBuildWithRelation[]>
  /** POST /v2/builds/preview: the part builds and jobs a build would create; nothing is queued. */
  previewBuild(body: BuildConfigV2, options?: CallOptions): Promise<BuildPreviewV2>
  /** GET /v1/materials (the store's catalogue). */
  listMaterials(options?: CallOptions): Promise<Material[]>
  /** GET /v1/materials/variants (every colour of every material). */
  listMaterialVariants(options?: CallOptions): Promise<MaterialVariant[]>
  /** GET /v1/printer-slots (what each printer has loaded). */
  listPrinterSlots(options?: CallOptions): Promise<PrinterSlot[]>
  listPrintJobs(query?: Query, options?: CallOptions): Promise<PrintJob[]>
  getPrintJob(id: string, options?: CallOptions): Promise<PrintJob | null>
  cancelPrintJobs(printJobIds: string[], options?: CallOptions): Promise<string[]>
  retryPrintJobs(printJobIds: string[], options?: CallOptions): Promise<string[]>
  matchingTroubleshoot(
    printJobId: string,
    options?: CallOptions
  ): Promise<PrintJobMatchingTroubleshoot | null>
  /** PATCH /v1/printers/confirm-ready: beds marked clear (or not); the printers it changed. */
  confirmReady(printerIds: string[], ready?: boolean, options?: CallOptions): Promise<Printer[]>
  moveToQueueFront(printJobIds: string[], options?: CallOptions): Promise<string[]>
  pausePrintJobs(printJobIds: string[], options?: CallOptions): Promise<string[]>
  resumePrintJobs(printJobIds: string[], options?: CallOptions): Promise<string[]>
  /** Hides completed and cancelled jobs from Printago's queue (its "Clear"). */
  clearPrintJobs(printJobIds: string[], options?: CallOptions): Promise<string[]>
  /** POST /v1/parts/{partId}/estimate: asks Printago to (re)compute the slicing estimate. */
  requestPartEstimate(partId: string, options?: CallOptions): Promise<void>
  /** POST /v1/storage/signed-urls: download URLs for storage paths (thumbnails, logs). */
  signedDownloadUrls(
    paths: string[],
    durationSeconds?: number,
    options?: CallOptions
  ): Promise<string[]>
  /** GETs a signed URL (no API key sent), reading at most `maxBytes`. */
  download(
    url: string,
    options: { maxBytes: number; signal?: AbortSignal; timeoutMs?: number }
  ): Promise<Download>
}

const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 6,
  baseMs: 500,
  capMs: 30_000,
  retryAfterJitterMs: 250,
  maxRetryAfterMs: 15 * 60_000
}

// Errors proving the request never reached the server.
const NOT_SENT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ERR_INVALID_URL',
  'UND_ERR_CONNECT_TIMEOUT'
])

/** Parse a list answer: a bare array, or `{data, meta}` when `meta=true`. */
function unwrapList<T>(value: unknown): T[] {
  if (Array.isArray(value)) return value as T[]
  if (value && typeof value === 'object' && Array.isArray((value as { data?: unknown }).data)) {
    return (value as { data: T[] }).data
  }
  return []
}

/** True when a 404 from /v2/builds is about a part in the body rather than a missing route. */
export function buildErrorNamesPart(error: PrintagoError, partIds: readonly string[]): boolean {
  const text = `${error.serverMessage ?? ''} ${error.fieldPath ?? ''}`
  if (/parts?\b|partId/i.test(text)) return true
  return partIds.some((id) => text.includes(id))
}

/** Create a Printago client bound to one API key and store. */
export function createPrintagoClient(options: PrintagoClientOptions): PrintagoClient {
  const baseUrl = (options.baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/, '')
  const apiKey = options.apiKey
  const storeId = options.storeId
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis)
  const limiter = options.limiter === undefined ? createRateLimiter() : options.limiter
  const defaultTimeout = options.timeoutMs ?? 30_000
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...options.retry }
  const sleep = options.sleep ?? realSleep
  const random = options.random ?? Math.random
  const now = options.now ?? Date.now
  const events = new EventEmitter()
  events.setMaxListeners(0)
  let apiCalls = 0
  let serverTimeOffsetMs = 0
  let legacyBuilds = false

  const emitWait = (spec: RequestSpec, e: ClientWaitEvent): void => {
    spec.onWait?.(e)
    options.onWait?.(e)
    events.emit('waiting', e)
  }

  const backoffMs = (attempt: number): number =>
    random() * Math.min(policy.capMs, policy.baseMs * 2 ** (attempt - 1))

  // The key must never reach a log or an error message (fetch quotes bad header values).
  const redact = (text: string): string => (apiKey ? text.split(apiKey).join('[API key]') : text)
  const keyProblem = apiKey === '' || /[^\x21-\x7e]/.test(apiKey) || /[^\x21-\x7e]/.test(storeId)

  async function request<T>(spec: RequestSpec): Promise<T | null> {
    const { method, path, signal } = spec
    if (keyProblem) {
      throw new PrintagoError({
        code: 'auth',
        method,
        path,
        message:
          'The API key or store ID is empty or contains spaces or invalid characters; check PRINTAGO_API_KEY/PRINTAGO_STORE_ID'
      })
    }
    const safe = spec.idempotent ?? method === 'GET'
    const search = new URLSearchParams()
    for (const [k, v] of Object.entries(spec.query ?? {})) {
      if (v !== undefined) search.set(k, String(v))
    }
    const url = `${baseUrl}${path}${search.size > 0 ? `?${search.toString()}` : ''}`
    const headers: Record<string, string> = {
      authorization: `ApiKey ${apiKey}`,
      'x-printago-storeid': storeId,
      accept: 'application/json'
    }
    if (spec.body !== undefined) headers['content-type'] = 'application/json'
    const payload = spec.body === undefined ? undefined : JSON.stringify(spec.body)

    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw cancelled(spec, false)
      if (limiter) {
        try {
          await limiter.acquire({
            signal,
            onWait: (w: WaitInfo) => emitWait(spec, { ...w, method, path })
          })
        } catch {
          throw cancelled(spec, false)
        }
      }
      if (spec.beforeSend) await spec.beforeSend()
      if (signal?.aborted) throw cancelled(spec, false)
      const timeoutMs = spec.timeoutMs ?? defaultTimeout
      const controller = new AbortController()
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        controller.abort()
      }, timeoutMs)
      const onAbort = (): void => controller.abort()
      signal?.addEventListener('abort', onAbort, { once: true })
      let failure: PrintagoError
      let retryDelayMs: number | undefined
      try {
        apiCalls++
        const response = await doFetch(url, {
          method,
          headers,
          body: payload,
          signal: controller.signal,
          redirect: 'error'
        })
        const text = await response.text()
        const date = response.headers.get('date')
        if (date) {
          const at = Date.parse(date)
          if (!Number.isNaN(at)) serverTimeOffsetMs = at - now()
        }
        let parsed: unknown = undefined
        if (text.trim() !== '') {
          try {
            parsed = JSON.parse(text)
          } catch {
            parsed = text
          }
        }
        if (response.ok) {
          // A window reported empty (x-ratelimit-remaining: 0): hold every caller until it frees,
          // instead of meeting the 429.
          const empty = rateLimitWaitSeconds(response.headers, now(), { exhaustedOnly: true })
          if (empty !== undefined && empty > 0) limiter?.blockUntil(now() + empty * 1000)
          if (parsed === undefined || parsed === null) {
            if (spec.emptyIsNotFound) return null
            if (parsed === undefined) {
              throw new PrintagoError({
                code: 'bad-response',
                method,
                path,
                status: response.status,
                outcomeUnknown: !safe,
                // A success status: Printago finished the request, only its body is unusable.
                originAnswered: true,
                message: `Printago answered ${method} ${path} with an empty body`
              })
            }
          }
          if (typeof parsed === 'string') {
            throw new PrintagoError({
              code: 'bad-response',
              method,
              path,
              status: response.status,
              outcomeUnknown: !safe,
              originAnswered: true,
              message: `Printago answered ${method} ${path} with something that is not JSON`
            })
          }
          return parsed as T
        }
        // Retry-After, or the per-limit and x-ratelimit-* variants when a server sends those.
        const retryAfter = rateLimitWaitSeconds(response.headers, now())
        failure = errorFromResponse({
          status: response.status,
          method,
          path,
          body: parsed,
          retryAfterSeconds: retryAfter
        })
        if (response.status === 429) {
          // The server did nothing, so any method may go again — but not before Retry-After.
          if (retryAfter !== undefined) {
            const ms = retryAfter * 1000
            if (ms > policy.maxRetryAfterMs) throw failure
            retryDelayMs = ms + random() * policy.retryAfterJitterMs
          } else {
            retryDelayMs = Math.max(policy.baseMs, backoffMs(attempt))
          }
          limiter?.blockUntil(now() + retryDelayMs)
        } else if (response.status >= 500 || response.status === 408) {
          if (!safe) throw failure
          retryDelayMs =
            retryAfter !== undefined
              ? retryAfter * 1000 + random() * policy.retryAfterJitterMs
              : backoffMs(attempt)
        } else {
          throw failure
        }
      } catch (error) {
        if (error instanceof PrintagoError) throw error
        if (signal?.aborted && !timedOut) throw cancelled(spec, !safe)
        const code = causeCode(error)
        if (timedOut) {
          failure = new PrintagoError({
            code: 'timeout',
            method,
            path,
            outcomeUnknown: !safe,
            // Only system errors are kept: others (e.g. fetch's header errors) may quote the key.
            cause: code ? error : undefined,
            message: `Printago did not answer ${method} ${path} within ${timeoutMs >= 1000 ? `${Math.round(timeoutMs / 1000)} s` : `${timeoutMs} ms`}`
          })
        } else {
          const notSent = code !== undefined && NOT_SENT_CODES.has(code)
          failure = new PrintagoError({
            code: 'network',
            method,
            path,
            outcomeUnknown: !safe && !notSent,
            cause: code ? error : undefined,
            message: redact(
              `Could not reach Printago at ${baseUrl} (${method} ${path}): ${code ?? (error as Error).message}`
            )
          })
          if (notSent) retryDelayMs = backoffMs(attempt)
        }
        if (retryDelayMs === undefined) {
          if (!safe) throw failure
          retryDelayMs = backoffMs(attempt)
        }
      } finally {
        clearTimeout(timer)
        signal?.removeEventListener('abort', onAbort)
      }
      if (attempt >= policy.maxAttempts) throw failure
      spec.onRetry?.({ attempt, delayMs: retryDelayMs, method, path, error: failure })
      events.emit('retrying', { attempt, delayMs: retryDelayMs, method, path, error: failure })
      if (failure.code === 'rate-limited' && limiter) {
        // The limiter now holds every caller until Retry-After and reports the wait itself.
        continue
      }
      if (retryDelayMs >= 1000) {
        emitWait(spec, {
          seconds: Math.ceil(retryDelayMs / 1000),
          reason: failure.code === 'rate-limited' ? 'retry-after' : 'backoff',
          method,
          path
        })
      }
      try {
        await sleep(retryDelayMs, signal)
      } catch {
        throw cancelled(spec, false)
      }
    }
  }

  function cancelled(spec: RequestSpec, maybeSent: boolean): PrintagoError {
    return new PrintagoError({
      code: 'cancelled',
      method: spec.method,
      path: spec.path,
      outcomeUnknown: maybeSent,
      message: `Cancelled ${spec.method} ${spec.path}`
    })
  }

  async function must<T>(spec: RequestSpec): Promise<T> {
    const value = await request<T>(spec)
    if (value === null) {
      throw new PrintagoError({
        code: 'bad-response',
        method: spec.method,
        path: spec.path,
        message: `Printago answered ${spec.method} ${spec.path} with an empty body`
      })
    }
    return value
  }

  async function getOrNull<T>(spec: RequestSpec): Promise<T | null> {
    try {
      return await request<T>({ ...spec, emptyIsNotFound: true })
    } catch (error) {
      if (error instanceof PrintagoError && error.code === 'not-found') return null
      throw error
    }
  }

  const id = (value: string): string => encodeURIComponent(value)

  const client: PrintagoClient = {
    baseUrl,
    storeId,
    get apiCalls() {
      return apiCalls
    },
    get serverTimeOffsetMs() {
      return serverTimeOffsetMs
    },
    get usesLegacyBuilds() {
      return legacyBuilds
    },
    on(event: 'waiting' | 'retrying' | 'notice', listener: (e: never) => void): () => void {
      const fn = listener as (...args: unknown[]) => void
      events.on(event, fn)
      return () => events.off(event, fn)
    },
    listStores: async (o) =>
      unwrapList<Store>(await must({ ...o, method: 'GET', path: '/v1/stores' })),
    listPrinters: async (query, o) =>
      unwrapList<Printer>(await must({ ...o, method: 'GET', path: '/v1/printers', query })),
    getPrinter: (printerId, o) =>
      getOrNull<Printer>({ ...o, method: 'GET', path: `/v1/printers/${id(printerId)}` }),
    async getSignedUploadUrls(filenames, o) {
      // Repeating only mints another unused URL, so this POST is safe to retry.
      const result = await must<SignedUploadUrlsResponse>({
        ...o,
        method: 'POST',
        path: '/v1/storage/signed-upload-urls',
        body: { filenames },
        idempotent: true
      })
      if (!Array.isArray(result.signedUrls) || result.signedUrls.length !== filenames.length) {
        throw new PrintagoError({
          code: 'bad-response',
          method: 'POST',
          path: '/v1/storage/signed-upload-urls',
          message: `Printago returned ${result.signedUrls?.length ?? 0} upload URLs for ${filenames.length} files`
        })
      }
      return result.signedUrls
    },
    createPart: (body, o) => must<Part>({ ...o, method: 'POST', path: '/v1/parts', body }),
    getPart: (partId, o) =>
      getOrNull<Part>({ ...o, method: 'GET', path: `/v1/parts/${id(partId)}` }),
    listParts: async (query, o) =>
      unwrapList<Part>(await must({ ...o, method: 'GET', path: '/v1/parts', query })),
    async findPartsByHash(sha256, o) {
      const want = sha256.toLowerCase()
      const matches = (p: Part): boolean => (p.fileHashes?.[0] ?? '').toLowerCase() === want
      const limit = 200
      let first: Part[] | null
      try {
        first = unwrapList<Part>(
          await must({ ...o, method: 'GET', path: '/v1/parts', query: { fileHashes: want, limit } })
        )
      } catch (error) {
        // How an array column is filtered is undocumented: a server that refuses the filter (400)
        // is read page by page instead.
        if (!(error instanceof PrintagoError && error.code === 'validation')) throw error
        first = null
      }
      const found = (first ?? []).filter(matches)
      // A server that ignored the filter returns unrelated parts: fall back to paging the list.
      if (first && (first.length === found.length || first.length < limit)) {
        return sortNewest(found)
      }
      const all: Part[] = [...found]
      for (let offset = 0; offset < 100_000; offset += 1000) {
        const page = unwrapList<Part>(
          await must({
            ...o,
            method: 'GET',
            path: '/v1/parts',
            query: { fields: 'id,name,fileHashes,createdAt,updatedAt', limit: 1000, offset }
          })
        )
        for (const p of page) if (matches(p) && !all.some((q) => q.id === p.id)) all.push(p)
        if (page.length < 1000) break
      }
      return sortNewest(all)
    },
    async createBuild(body, o) {
      if (!legacyBuilds) {
        try {
          return await must<BuildResultV2>({ ...o, method: 'POST', path: '/v2/builds', body })
        } catch (error) {
          const partIds = (body.parts ?? []).map((p) => p.partId)
          const routeMissing =
            error instanceof PrintagoError &&
            error.code === 'not-found' &&
            !buildErrorNamesPart(error, partIds)
          if (!routeMissing) throw error
          legacyBuilds = true
        }
      }
      const legacy = toLegacyBuild(body)
      const result = await must<BuildResultV2>({
        ...o,
        method: 'POST',
        path: '/v1/builds',
        body: legacy
      })
      const partBuilds = result.partBuilds ?? []
      const notice = legacyNotice(body, partBuilds)
      if (notice) events.emit('notice', notice)
      return { partBuilds, skuBuilds: result.skuBuilds ?? [] }
    },
    getPartBuild: (buildId, o) =>
      getOrNull<PartBuildWithRelation>({
        ...o,
        method: 'GET',
        path: `/v1/part-builds/${id(buildId)}`
      }),
    listPartBuilds: async (query, o) =>
      unwrapList<PartBuildWithRelation>(
        await must({ ...o, method: 'GET', path: '/v1/part-builds', query })
      ),
    previewBuild: (body, o) =>
      // Creates nothing, so a lost answer may simply be asked again.
      must<BuildPreviewV2>({
        ...o,
        method: 'POST',
        path: '/v2/builds/preview',
        body,
        idempotent: true
      }),
    listMaterials: async (o) =>
      unwrapList<Material>(
        await must({ ...o, method: 'GET', path: '/v1/materials', query: { limit: 1000 } })
      ),
    listMaterialVariants: async (o) =>
      unwrapList<MaterialVariant>(
        await must({ ...o, method: 'GET', path: '/v1/materials/variants' })
      ),
    listPrinterSlots: async (o) =>
      unwrapList<PrinterSlot>(await must({ ...o, method: 'GET', path: '/v1/printer-slots' })),
    listPrintJobs: async (query, o) =>
      unwrapList<PrintJob>(await must({ ...o, method: 'GET', path: '/v1/print-jobs', query })),
    getPrintJob: (jobId, o) =>
      getOrNull<PrintJob>({ ...o, method: 'GET', path: `/v1/print-jobs/${id(jobId)}` }),
    cancelPrintJobs: (printJobIds, o) =>
      // Cancelling twice is harmless, so it may be repeated.
      must<string[]>({
        ...o,
        method: 'PATCH',
        path: '/v1/print-jobs/cancel',
        body: { printJobIds },
        idempotent: true
      }),
    retryPrintJobs: (printJobIds, o) =>
      must<string[]>({
        ...o,
        method: 'PATCH',
        path: '/v1/print-jobs/retry',
        body: { printJobIds },
        idempotent: true
      }),
    matchingTroubleshoot: (printJobId, o) =>
      getOrNull<PrintJobMatchingTroubleshoot>({
        ...o,
        method: 'GET',
        path: `/v1/print-jobs/${id(printJobId)}/matching-troubleshoot`
      }),
    confirmReady: async (ids, ready = true, o) =>
      // Marking a bed clear twice is harmless, so it may be repeated.
      unwrapList<Printer>(
        await must({
          ...o,
          method: 'PATCH',
          path: '/v1/printers/confirm-ready',
          body: { ready, ids },
          idempotent: true
        })
      ),
    moveToQueueFront: (printJobIds, o) => jobOperation('move-to-queue-front', printJobIds, o),
    pausePrintJobs: (printJobIds, o) => jobOperation('pause', printJobIds, o),
    resumePrintJobs: (printJobIds, o) => jobOperation('resume', printJobIds, o),
    clearPrintJobs: (printJobIds, o) => jobOperation('clear', printJobIds, o),
    async requestPartEstimate(partId, o) {
      await request({
        ...o,
        method: 'POST',
        path: `/v1/parts/${id(partId)}/estimate`,
        // Asking twice only computes the estimate twice.
        idempotent: true
      })
    },
    async signedDownloadUrls(paths, durationSeconds, o) {
      const result = await must<{ signedUrls?: unknown }>({
        ...o,
        method: 'POST',
        path: '/v1/storage/signed-urls',
        body: durationSeconds === undefined ? { paths } : { paths, duration: durationSeconds },
        idempotent: true
      })
      const urls = Array.isArray(result.signedUrls) ? result.signedUrls : []
      if (urls.length !== paths.length || !urls.every((u) => typeof u === 'string')) {
        throw new PrintagoError({
          code: 'bad-response',
          method: 'POST',
          path: '/v1/storage/signed-urls',
          message: `Printago returned ${urls.length} download URLs for ${paths.length} files`
        })
      }
      return urls as string[]
    },
    download: (url, o) =>
      downloadSigned(doFetch, url, { ...o, timeoutMs: o.timeoutMs ?? defaultTimeout })
  }

  /** PATCH /v1/print-jobs/<op> `{printJobIds}` → the affected ids; repeating one is harmless. */
  function jobOperation(op: string, printJobIds: string[], o?: CallOptions): Promise<string[]> {
    return must<string[]>({
      ...o,
      method: 'PATCH',
      path: `/v1/print-jobs/${op}`,
      body: { printJobIds },
      idempotent: true
    })
  }
  return client
}

function sortNewest(parts: Part[]): Part[] {
  return [...parts].sort((a, b) => (b.createdAt ?? '').localeCompare(a.createdAt ?? ''))
}
