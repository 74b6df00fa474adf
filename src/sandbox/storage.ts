// A GCS-like object store behind signed URLs. PUT bodies stream to disk (hashing on the way), so
// multi-GiB uploads run in constant memory. No API auth here: the signature is the credential.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto'
import { createWriteStream, writeFileSync } from 'node:fs'
import { mkdir, rename, rm } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { nestError } from './http'
import type { Random } from './ids'
import type { SandboxState } from './types'

export const STORAGE_PREFIX = '/_storage/'

/** Signed upload URLs and the objects they receive. */
export class ObjectStorage {
  private readonly secret = randomBytes(32)

  constructor(
    private readonly dir: string,
    private readonly uploads: SandboxState['uploads'],
    private readonly random: Random,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now
  ) {}

  /** Creates the storage directories. */
  async init(): Promise<void> {
    await mkdir(join(this.dir, 'objects'), { recursive: true })
    await mkdir(join(this.dir, 'tmp'), { recursive: true })
  }

  private sign(path: string, expires: number, method = 'PUT'): string {
    return createHmac('sha256', this.secret).update(`${method}\n${path}\n${expires}`).digest('hex')
  }

  private fileFor(path: string): string {
    return join(this.dir, 'objects', createHash('sha256').update(path).digest('hex'))
  }

  /** Stores bytes the sandbox produced itself (thumbnails, slicer logs, split plates). */
  putSync(path: string, bytes: Uint8Array | string): void {
    const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes
    const file = this.fileFor(path)
    writeFileSync(file, data)
    const sha256 = createHash('sha256').update(data).digest('hex')
    this.uploads.set(path, { file, sha256, size: data.length })
  }

  /** Signed GET URLs for stored paths, valid `seconds` (unknown paths sign too, then 404). */
  signDownloads(paths: string[], seconds: number, baseUrl: string): string[] {
    const expires = this.now() + seconds * 1000
    return paths.map((path) => {
      const urlPath = path.split('/').map(encodeURIComponent).join('/')
      return `${baseUrl}${STORAGE_PREFIX}${urlPath}?expires=${expires}&sig=${this.sign(path, expires, 'GET')}`
    })
  }

  /** One `{uploadUrl, path}` per filename: `{storeId}/uploads/{random}/{encoded name}`. */
  signUploads(
    storeId: string,
    filenames: string[],
    baseUrl: string
  ): { uploadUrl: string; path: string }[] {
    return filenames.map((name) => {
      // "." and ".." would be normalised away by URL parsers, so no URL could address them.
      if (name === '.' || name === '..') throw nestError(400, `Invalid filename "${name}"`)
      const path = `${storeId}/uploads/${this.random.token(16)}/${encodeURIComponent(name)}`
      const expires = this.now() + this.ttlMs
      const urlPath = path.split('/').map(encodeURIComponent).join('/')
      return {
        uploadUrl: `${baseUrl}${STORAGE_PREFIX}${urlPath}?expires=${expires}&sig=${this.sign(path, expires)}`,
        path
      }
    })
  }

  /** Handles a request under /_storage/; the caller writes the result (so faults can drop it). */
  async handle(
    req: IncomingMessage,
    rawPath: string,
    query: URLSearchParams
  ): Promise<StorageResult> {
    const fail = (status: number, code: string, message: string): StorageResult => ({
      status,
      error: { code, message }
    })
    const method = req.method === 'HEAD' ? 'GET' : req.method
    if (method !== 'PUT' && method !== 'GET')
      return fail(
        405,
        'MethodNotAllowed',
        'Only signed PUT uploads and GET downloads are supported'
      )
    let path: string
    try {
      path = rawPath.slice(STORAGE_PREFIX.length).split('/').map(decodeURIComponent).join('/')
    } catch {
      return fail(400, 'InvalidURI', 'Could not parse the object path')
    }
    // A signed URL carries its own credential; GCS rejects a request that also has an auth header.
    if (req.headers.authorization !== undefined) {
      return fail(
        400,
        'InvalidArgument',
        'Authorization header not allowed on a signed URL request'
      )
    }
    const sig = query.get('sig') ?? ''
    const expires = Number(query.get('expires'))
    const expected = Buffer.from(this.sign(path, expires, method))
    const given = Buffer.from(sig)
    if (!sig || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return fail(
        403,
        'SignatureDoesNotMatch',
        'The request signature we calculated does not match'
      )
    }
    // Expired: 403 like S3 ("Request has expired"); GCS uses 400 for the same case.
    if (!(expires > this.now())) return fail(403, 'AccessDenied', 'Request has expired')
    if (method === 'GET') {
      const obj = this.uploads.get(path)
      if (!obj) return fail(404, 'NoSuchKey', 'The specified key does not exist.')
      return {
        status: 200,
        download: { file: obj.file, size: obj.size, contentType: typeOf(path) }
      }
    }
    if (req.headers['content-length'] === undefined) {
      return fail(411, 'MissingContentLength', 'Content-Length is required')
    }
    const declared = Number(req.headers['content-length'])
    const tmp = join(this.dir, 'tmp', this.random.token(20))
    const file = this.fileFor(path)
    const hash = createHash('sha256')
    let size = 0
    try {
      await pipeline(
        req,
        new Transform({
          transform(chunk: Buffer, _enc, cb) {
            hash.update(chunk)
            size += chunk.length
            cb(null, chunk)
          }
        }),
        createWriteStream(tmp)
      )
      if (size !== declared) throw new Error('incomplete body')
      // Rename is atomic: a re-PUT replaces the object only once its bytes are complete.
      await rename(tmp, file)
    } catch {
      await rm(tmp, { force: true }).catch(() => undefined)
      return fail(400, 'IncompleteBody', 'The request body ended before Content-Length bytes')
    }
    const sha256 = hash.digest('hex')
    this.uploads.set(path, { file, sha256, size })
    return { status: 200, etag: `"${sha256.slice(0, 32)}"` }
  }
}

/** Outcome of a storage request. */
export interface StorageResult {
  status: number
  error?: { code: string; message: string }
  etag?: string
  /** A signed GET: the file to stream. */
  download?: { file: string; size: number; contentType: string }
}

const TYPES: [RegExp, string][] = [
  [/\.png$/i, 'image/png'],
  [/\.jpe?g$/i, 'image/jpeg'],
  [/\.(log|txt)$/i, 'text/plain; charset=utf-8'],
  [/\.gcode\.3mf$/i, 'application/vnd.ms-package.3dmanufacturing-3dmodel+xml'],
  [/\.3mf$/i, 'application/vnd.ms-package.3dmanufacturing-3dmodel+xml'],
  [/\.stl$/i, 'model/stl']
]

function typeOf(path: string): string {
  return TYPES.find(([re]) => re.test(path))?.[1] ?? 'application/octet-stream'
}
