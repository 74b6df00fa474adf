// PUT a file to a Printago signed upload URL, streamed from disk with node:http(s) + pipeline so
// memory stays flat (fetch buffers a streamed body to be able to replay it on redirects).
// The request carries an exact Content-Length and nothing else: no Printago auth headers (they
// break the storage signature) and no Content-Type (it may be part of what was signed).
// Transient failures retry the same URL; 403/expired asks the caller for a fresh signed URL.
// Given the hash the file had when it was checked, the bytes are hashed again on their way out and
// the last chunk is held back until they match: a file edited since is never stored complete.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import http from 'node:http'
import https from 'node:https'
import { Transform, type TransformCallback } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { realSleep, type Sleep } from '../infra/async'
import { parseRetryAfter, PrintagoError } from './errors'

/** A signed URL and the opaque storage path it writes to. */
export interface UploadTarget {
  uploadUrl: string
  path: string
}

export interface UploadProgress {
  bytesDone: number
  bytesTotal: number
  attempt: number
}

export interface UploadRetryEvent {
  attempt: number
  delayMs: number
  error: PrintagoError
  renewed: boolean
}

export interface UploadOptions {
  file: string
  /** Size the file had when it was hashed; a different size now fails the upload. */
  size: number
  /**
   * SHA-256 the file had when it was hashed. When given, the bytes sent are hashed on the way and
   * a file that changed fails with code `file` before its last bytes leave (nothing is stored).
   */
  sha256?: string
  target: UploadTarget
  /** Mint a fresh signed URL (after 403/expired). Without it, an expired URL fails. */
  renewTarget?: (signal?: AbortSignal) => Promise<UploadTarget>
  signal?: AbortSignal
  onProgress?: (progress: UploadProgress) => void
  onRetry?: (event: UploadRetryEvent) => void
  /** Called once per HTTP PUT sent (for API-call accounting). */
  onRequest?: () => void
  /** Abort an attempt when no bytes move for this long. Default 60 s. */
  idleTimeoutMs?: number
  /** Attempts against one URL for transient failures. Default 5. */
  maxAttempts?: number
  /** Fresh URLs we may ask for. Default 3. */
  maxRenewals?: number
  baseDelayMs?: number
  capDelayMs?: number
  sleep?: Sleep
  random?: () => number
  /** Read chunk size; default 1 MiB. */
  chunkSize?: number
}

export interface UploadResult {
  /** The storage path actually written (differs from the input after a renewal). */
  path: string
  uploadUrl: string
  attempts: number
  renewals: number
}

interface PutAnswer {
  status: number
  body: string
  retryAfter: string | undefined
}

class IdleTimeout extends Error {
  constructor() {
    super('upload stalled')
    this.name = 'IdleTimeout'
  }
}

/** Strip the signature from a URL before it goes into an error message. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url)
    return `${u.protocol}//${u.host}${u.pathname}`
  } catch {
    return '(invalid upload URL)'
  }
}

function putOnce(
  url: string,
  file: string,
  size: number,
  options: {
    signal: AbortSignal | undefined
    idleTimeoutMs: number
    chunkSize: number
    onBytes: (n: number) => void
    sha256: string | undefined
  }
): Promise<PutAnswer> {
  return new Promise<PutAnswer>((resolve, reject) => {
    let target: URL
    try {
      target = new URL(url)
    } catch (error) {
      reject(error)
      return
    }
    // Model files go to cloud storage over TLS only; plain http is allowed for this computer
    // (the local sandbox), never across a network.
    const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(target.hostname)
    if (target.protocol !== 'https:' && !(target.protocol === 'http:' && loopback)) {
      reject(
        new PrintagoError({
          code: 'bad-response',
          message: `Printago returned an upload address that is not https (${target.protocol}//${target.host}); the file was not sent.`
        })
      )
      return
    }
    const mod = target.protocol === 'https:' ? https : http
    let settled = false
    let status: number | undefined
    let retryAfter: string | undefined
    const chunks: Buffer[] = []
    let kept = 0
    // Exactly the hashed length: bytes appended since are not part of what was checked.
    const source = createReadStream(file, {
      highWaterMark: options.chunkSize,
      start: 0,
      end: Math.max(0, size - 1)
    })
    const req = mod.request(target, {
      method: 'PUT',
      // Exactly one header of our own: chunked encoding is rejected by signed-URL storage.
      headers: { 'content-length': String(size) }
    })
    const settle = (error: unknown, answer?: PutAnswer): void => {
      if (settled) return
      settled = true
      options.signal?.removeEventListener('abort', onAbort)
      source.destroy()
      if (error !== null && error !== undefined) {
        req.destroy()
        reject(error)
      } else resolve(answer!)
    }
    const onAbort = (): void => {
      const reason = options.signal?.reason ?? new Error('aborted')
      req.destroy(reason instanceof Error ? reason : new Error(String(reason)))
      settle(reason)
    }
    options.signal?.addEventListener('abort', onAbort, { once: true })
    req.setTimeout(options.idleTimeoutMs, () => req.destroy(new IdleTimeout()))
    req.on('response', (res) => {
      status = res.statusCode ?? 0
      const ra = res.headers['retry-after']
      retryAfter = Array.isArray(ra) ? ra[0] : ra
      res.on('data', (c: Buffer) => {
        if (kept < 16_384) {
          chunks.push(c)
          kept += c.length
        }
      })
      res.on('end', () =>
        settle(null, { status: status!, body: Buffer.concat(chunks).toString('utf8'), retryAfter })
      )
      // An answer that arrived and then broke still tells us the status.
      res.on('error', () =>
        settle(null, { status: status!, body: Buffer.concat(chunks).toString('utf8'), retryAfter })
      )
    })
    req.on('error', (error) => {
      // A server may answer early (403) and close while we are still sending: keep its answer.
      if (status !== undefined) settle(null, { status, body: '', retryAfter })
      else settle(error)
    })
    source.on('data', (chunk) => options.onBytes((chunk as Buffer).length))
    const stages = options.sha256
      ? [source, verifyBytes(file, size, options.sha256), req]
      : [source, req]
    pipeline(stages).catch((error: unknown) => {
      if (error instanceof PrintagoError) {
        // Our own refusal (the file changed): the answer to a body cut short is irrelevant.
        settle(error)
        return
      }
      if (status !== undefined) return
      settle(error)
    })
  })
}

/**
 * Passes bytes through while hashing them, holding the latest chunk back: the last one leaves only
 * once the whole file is known to hash to `sha256`. Otherwise the request dies short of its
 * Content-Length, so storage never keeps an object made of the changed bytes.
 */
function verifyBytes(file: string, size: number, sha256: string): Transform {
  const hash = createHash('sha256')
  let held: Buffer | null = null
  let seen = 0
  return new Transform({
    transform(chunk: Buffer, _encoding, callback: TransformCallback) {
      hash.update(chunk)
      seen += chunk.length
      const previous = held
      held = chunk
      callback(null, previous ?? undefined)
    },
    flush(callback: TransformCallback) {
      const actual = hash.digest('hex')
      if (seen !== size || actual !== sha256) {
        callback(fileChangedError(file))
        return
      }
      callback(null, held ?? undefined)
    }
  })
}

/** The file's bytes are no longer those that were checked and hashed. */
export function fileChangedError(file: string): PrintagoError {
  return new PrintagoError({
    code: 'file',
    method: 'PUT',
    message: `${file}: the file changed while it was being sent; nothing was queued from it. Send it again.`
  })
}

/** Upload a file to a signed URL with retries and URL renewal. */
export async function uploadFile(options: UploadOptions): Promise<UploadResult> {
  const sleep = options.sleep ?? realSleep
  const random = options.random ?? Math.random
  const maxAttempts = options.maxAttempts ?? 5
  const maxRenewals = options.maxRenewals ?? 3
  const baseDelay = options.baseDelayMs ?? 500
  const capDelay = options.capDelayMs ?? 20_000
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000
  const chunkSize = options.chunkSize ?? 1 << 20
  const { signal, file, size } = options
  let target = options.target
  let attempts = 0
  let attemptsOnUrl = 0
  let renewals = 0

  const cancelled = (): PrintagoError =>
    new PrintagoError({ code: 'cancelled', method: 'PUT', message: `Upload of ${file} cancelled` })

  for (;;) {
    if (signal?.aborted) throw cancelled()
    const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
      throw new PrintagoError({
        code: 'file',
        message: `Cannot read ${file} for upload: ${error.code ?? error.message}`,
        cause: error
      })
    })
    if (info.size !== size) {
      throw new PrintagoError({
        code: 'file',
        message: `${file} changed since it was hashed (${size} → ${info.size} bytes); send it again`
      })
    }
    attempts++
    attemptsOnUrl++
    let done = 0
    options.onProgress?.({ bytesDone: 0, bytesTotal: size, attempt: attempts })
    let failure: PrintagoError
    let delayMs: number
    let renew = false
    try {
      options.onRequest?.()
      const answer = await putOnce(target.uploadUrl, file, size, {
        signal,
        idleTimeoutMs,
        chunkSize,
        sha256: options.sha256,
        onBytes: (n) => {
          done += n
          options.onProgress?.({ bytesDone: done, bytesTotal: size, attempt: attempts })
        }
      })
      if (answer.status >= 200 && answer.status < 300) {
        options.onProgress?.({ bytesDone: size, bytesTotal: size, attempt: attempts })
        return { path: target.path, uploadUrl: target.uploadUrl, attempts, renewals }
      }
      const where = redactUrl(target.uploadUrl)
      const detail = answer.body.replace(/\s+/g, ' ').trim().slice(0, 200)
      const expired =
        answer.status === 403 ||
        answer.status === 410 ||
        (answer.status === 400 && /expire/i.test(answer.body))
      if (expired) {
        failure = new PrintagoError({
          code: 'upload-expired',
          status: answer.status,
          method: 'PUT',
          path: new URL(target.uploadUrl).pathname,
          message: `The signed upload URL was refused (${answer.status}${detail ? `: ${detail}` : ''}); it has probably expired`
        })
        renew = true
        delayMs = 0
      } else if (answer.status === 408 || answer.status === 429 || answer.status >= 500) {
        failure = new PrintagoError({
          code: answer.status === 429 ? 'rate-limited' : 'server',
          status: answer.status,
          method: 'PUT',
          message: `Upload to ${where} failed with ${answer.status}${detail ? `: ${detail}` : ''}`
        })
        const ra = parseRetryAfter(answer.retryAfter, Date.now())
        delayMs =
          ra !== undefined
            ? ra * 1000 + random() * 250
            : random() * Math.min(capDelay, baseDelay * 2 ** (attemptsOnUrl - 1))
      } else {
        throw new PrintagoError({
          code: answer.status === 413 ? 'validation' : 'bad-response',
          status: answer.status,
          method: 'PUT',
          message: `Upload of ${file} was rejected with ${answer.status}${detail ? `: ${detail}` : ''}`
        })
      }
    } catch (error) {
      if (error instanceof PrintagoError) throw error
      if (signal?.aborted) throw cancelled()
      const timeout = error instanceof IdleTimeout
      const code = (error as NodeJS.ErrnoException).code
      failure = new PrintagoError({
        code: timeout ? 'timeout' : 'network',
        method: 'PUT',
        cause: error,
        message: timeout
          ? `Upload of ${file} stalled for ${Math.round(idleTimeoutMs / 1000)} s`
          : `Upload of ${file} was interrupted: ${code ?? (error as Error).message}`
      })
      delayMs = random() * Math.min(capDelay, baseDelay * 2 ** (attemptsOnUrl - 1))
    }
    if (renew) {
      if (!options.renewTarget || renewals >= maxRenewals) throw failure
      renewals++
      options.onRetry?.({ attempt: attempts, delayMs: 0, error: failure, renewed: true })
      target = await options.renewTarget(signal)
      attemptsOnUrl = 0
      continue
    }
    if (attemptsOnUrl >= maxAttempts) throw failure
    options.onRetry?.({ attempt: attempts, delayMs, error: failure, renewed: false })
    try {
      await sleep(delayMs, signal)
    } catch {
      throw cancelled()
    }
  }
}
