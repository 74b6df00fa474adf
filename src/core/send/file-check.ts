// Check and hash a file about to be sent, in one streaming read: the SHA-256 Printago keys parts
// by, and the engine's verdict (the same rules as the preview — src/shared/stl for STL,
// src/shared/3mf for a 3MF or gcode.3mf, read whole — so a file the preview accepts is never
// refused here and a file it refuses is never sent). The result is kept
// per file identity (inspection-cache.ts): a file hashed when it was dropped is not read again to
// be sent while it is unchanged.
import { createHash } from 'node:crypto'
import { type BigIntStats } from 'node:fs'
import { open, realpath, stat } from 'node:fs/promises'
import { inspect3mf, type ThreeMfErrorCode } from '../../shared/3mf'
import { DEFAULT_LIMITS } from '../../shared/3mf/limits'
import { projectFacts, partKindOfName, type ProjectFacts } from '../../shared/send-project'
import { StlStreamCheck, type StlErrorCode } from '../../shared/stl'
import { isZipMagic } from '../../shared/stl/sniff'
import { readChunks, type HashProgress } from '../infra/hash'
import {
  createInspectionCache,
  identityOf,
  sameIdentity,
  type FileIdentity,
  type InspectionCache
} from './inspection-cache'

/** Why a file can't be sent, in one sentence naming the file. */
export class FileCheckError extends Error {
  constructor(
    readonly file: string,
    /**
     * `not-stl` / `not-3mf`: the engine refuses it (`code` says why); `changed`: it kept changing
     * while read.
     */
    readonly reason:
      | 'missing'
      | 'unreadable'
      | 'directory'
      | 'not-regular'
      | 'empty'
      | 'not-stl'
      | 'not-3mf'
      | 'changed',
    message: string,
    readonly code?: StlErrorCode | ThreeMfErrorCode | 'unroutable'
  ) {
    super(message)
    this.name = 'FileCheckError'
  }
}

/** A file that can be sent: its hash and what the engine found. */
export interface FileInspection {
  /** Lowercase hex SHA-256 of the whole file. */
  sha256: string
  size: number
  mtimeMs: number
  /** STL encoding, or the kind of 3MF (what Printago's part type will be). */
  format: 'binary' | 'ascii' | '3mf' | 'gcode3mf'
  triangles: number
  /** A 3MF's plates and, sliced, where it may print. */
  project?: ProjectFacts
}

/** An engine's refusal: STL and 3MF codes, `unroutable` for a sliced file with nowhere to go. */
export interface CheckError {
  kind: 'stl' | '3mf'
  code: StlErrorCode | ThreeMfErrorCode | 'unroutable'
  message: string
}

/** A read's outcome as remembered: the inspection, or the engine's refusal. */
export type InspectionOutcome =
  { ok: true; value: FileInspection } | { ok: false; error: CheckError }

export interface InspectOptions {
  signal?: AbortSignal
  /** Bytes read so far; reported once, complete, when the answer was known without reading. */
  onProgress?: (progress: HashProgress) => void
  /** Default: the process-wide cache; null reads the file whatever was seen before. */
  cache?: InspectionCache<InspectionOutcome> | null
  chunkSize?: number
}

/** What every caller in this process has learnt about files (the app, the CLI, the bench). */
export const fileInspections = createInspectionCache<InspectionOutcome>()

/** A file edited while it is read is read again, at most this many times in all. */
const MAX_READS = 3

/**
 * Hash `path` and check it is an STL the preview accepts, in one read (none when the cache knows
 * this exact file). Throws FileCheckError with a sentence naming the file when it can't be sent.
 */
export async function inspectAndHashFile(
  path: string,
  options: InspectOptions = {}
): Promise<FileInspection> {
  const cache = options.cache === undefined ? fileInspections : options.cache
  for (let read = 1; ; read++) {
    options.signal?.throwIfAborted()
    const { key, identity } = await locate(path)
    const known = cache?.get(key, identity)
    const outcome = known ?? (await sharedRead(path, key, identity, options))
    if (outcome === 'changed') {
      if (read < MAX_READS) continue
      throw new FileCheckError(
        path,
        'changed',
        `${path}: the file kept changing while it was being read; try again once it is saved`
      )
    }
    cache?.set(key, identity, outcome)
    if (!outcome.ok) throw refusal(path, outcome.error)
    if (known) {
      const size = outcome.value.size
      options.onProgress?.({ bytesDone: size, bytesTotal: size })
    }
    return outcome.value
  }
}

/** Forget what is known about `path` (its bytes turned out not to be the ones hashed). */
export async function forgetFile(
  path: string,
  cache: InspectionCache<InspectionOutcome> = fileInspections
): Promise<void> {
  const key = await realpath(path).catch(() => null)
  if (key !== null) cache.delete(key)
}

/** `{ size, format }` of a file that can be sent (the CLI's check before any API call). */
export async function checkModelFile(
  file: string
): Promise<{ size: number; format: FileInspection['format'] }> {
  const { size, format } = await inspectAndHashFile(file)
  return { size, format }
}

/** The file's real path and identity, or why it is not a file that could be sent. */
async function locate(path: string): Promise<{ key: string; identity: FileIdentity }> {
  let key: string
  let info: BigIntStats
  try {
    key = await realpath(path)
    info = await stat(key, { bigint: true })
  } catch (error) {
    throw statError(path, error)
  }
  if (info.isDirectory())
    throw new FileCheckError(path, 'directory', `${path}: is a directory, not a model file`)
  if (!info.isFile()) throw new FileCheckError(path, 'not-regular', `${path}: not a regular file`)
  if (info.size === 0n) throw new FileCheckError(path, 'empty', `${path}: file is empty`)
  return { key, identity: identityOf(info) }
}

function statError(path: string, error: unknown): FileCheckError {
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return new FileCheckError(path, 'missing', `${path}: file not found`)
  }
  return new FileCheckError(
    path,
    'unreadable',
    `${path}: cannot read file (${code ?? String(error)})`
  )
}

// ---- one read at a time per file -------------------------------------------------------------
// A send started while the drop's hash of the same file is still running waits for that read
// instead of starting a second one. The read stops only when every caller waiting on it gave up.

interface SharedRead {
  identity: FileIdentity
  result: Promise<InspectionOutcome | 'changed'>
  waiters: number
  stop: AbortController
  listeners: Set<(progress: HashProgress) => void>
}

const reads = new Map<string, SharedRead>()

async function sharedRead(
  path: string,
  key: string,
  identity: FileIdentity,
  options: InspectOptions
): Promise<InspectionOutcome | 'changed'> {
  let shared = reads.get(key)
  if (!shared || !sameIdentity(shared.identity, identity) || shared.stop.signal.aborted) {
    const stop = new AbortController()
    const listeners = new Set<(progress: HashProgress) => void>()
    const entry: SharedRead = { identity, waiters: 0, stop, listeners, result: null! }
    entry.result = readOnce(path, key, identity, {
      ...options,
      signal: stop.signal,
      onProgress: (p) => listeners.forEach((l) => l(p))
    }).finally(() => {
      if (reads.get(key) === entry) reads.delete(key)
    })
    // Everyone may have stopped waiting before it fails: that failure is nobody's to handle.
    entry.result.catch(() => undefined)
    reads.set(key, entry)
    shared = entry
  }
  const read = shared
  const { signal, onProgress } = options
  read.waiters++
  if (onProgress) read.listeners.add(onProgress)
  let onAbort = (): void => undefined
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal!.reason)
  })
  signal?.addEventListener('abort', onAbort, { once: true })
  try {
    signal?.throwIfAborted()
    return await (signal ? Promise.race([read.result, aborted]) : read.result)
  } finally {
    signal?.removeEventListener('abort', onAbort)
    if (onProgress) read.listeners.delete(onProgress)
    if (--read.waiters === 0) read.stop.abort(signal?.reason)
    aborted.catch(() => undefined)
  }
}

/** Read the file once through SHA-256 and the engine's streamed check. */
async function readOnce(
  path: string,
  key: string,
  identity: FileIdentity,
  options: InspectOptions
): Promise<InspectionOutcome | 'changed'> {
  let handle
  try {
    handle = await open(key, 'r')
  } catch (error) {
    throw statError(path, error)
  }
  try {
    const before = await handle.stat({ bigint: true })
    if (!sameIdentity(identityOf(before), identity)) return 'changed'
    const size = Number(before.size)
    const hash = createHash('sha256')
    const check = new StlStreamCheck(size)
    // A 3MF (by its name, or a ZIP whatever its name) is kept whole for the 3MF engine.
    let project: Uint8Array | null = null
    let read = 0
    let bytes: number
    try {
      bytes = await readChunks(handle, {
        size,
        signal: options.signal,
        onProgress: options.onProgress,
        chunkSize: options.chunkSize,
        onChunk: (chunk) => {
          read += chunk.length
          // A file growing while it is read (or without end) is read no further than its size
          // when the read began: it is then "changed", read again a few times, and refused.
          if (read > size) return false
          hash.update(chunk)
          if (read === chunk.length && (partKindOfName(path) !== 'stl' || isZipMagic(chunk))) {
            if (size > DEFAULT_LIMITS.maxBytes) {
              project = new Uint8Array(0)
              return false
            }
            project = new Uint8Array(size)
          }
          if (project) {
            project.set(chunk, read - chunk.length)
            return true
          }
          check.push(chunk)
          // A refusal known from the first bytes needs no more of them.
          return check.error === null
        }
      })
    } catch (error) {
      if (options.signal?.aborted) throw error
      throw statError(path, error)
    }
    const after = await handle.stat({ bigint: true })
    if (!sameIdentity(identityOf(after), identity)) return 'changed'
    if (read > size) return 'changed'
    if (project) return projectOutcome(project, size, bytes, hash.digest('hex'), before.mtimeMs)
    if (check.error) return { ok: false, error: { kind: 'stl', ...check.error } }
    if (bytes !== size) return 'changed'
    const verdict = check.finish()
    if (!verdict.ok) return { ok: false, error: { kind: 'stl', ...verdict.error } }
    const { format, triangles } = verdict.value
    const value = {
      sha256: hash.digest('hex'),
      size,
      mtimeMs: Number(before.mtimeMs),
      format,
      triangles
    }
    return { ok: true, value }
  } finally {
    await handle.close()
  }
}

/** A whole 3MF read: the engine's verdict and, for a project that can be sent, its facts. */
function projectOutcome(
  bytes: Uint8Array,
  size: number,
  read: number,
  sha256: string,
  mtimeMs: bigint
): InspectionOutcome | 'changed' {
  if (bytes.length === 0) {
    const limit = DEFAULT_LIMITS.maxBytes
    const message = `The file is ${size} bytes; a 3MF may have at most ${limit}.`
    return { ok: false, error: { kind: '3mf', code: 'too-large', message } }
  }
  if (read !== size) return 'changed'
  const inspected = inspect3mf(bytes)
  if (!inspected.ok) return { ok: false, error: { kind: '3mf', ...inspected.error } }
  const facts = projectFacts(inspected.value)
  if (!facts.ok) {
    const message = `This sliced 3MF cannot be sent: ${facts.message}.`
    return { ok: false, error: { kind: '3mf', code: 'unroutable', message } }
  }
  const { kind, triangles } = inspected.value
  const value = { sha256, size, mtimeMs: Number(mtimeMs), format: kind, triangles }
  return { ok: true, value: { ...value, project: facts.value } }
}

/** The engine's refusal, naming the file as this caller knows it. */
function refusal(path: string, error: CheckError): FileCheckError {
  const reason = error.kind === 'stl' ? 'not-stl' : 'not-3mf'
  return new FileCheckError(path, reason, `${path}: ${error.message}`, error.code)
}
