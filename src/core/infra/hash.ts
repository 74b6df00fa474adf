// Streaming reads and SHA-256 of a file. Two reusable 1 MiB buffers are read alternately so that
// the thread pool copies the next chunk out of the page cache while the main thread works on the
// current one (hashing, checking): on a 2-vCPU VM this beats `openssl dgst -sha256`, which reads
// and hashes in turn. Memory stays at 2 MiB whatever the file size.
import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'

/** Progress of a running read. */
export interface HashProgress {
  bytesDone: number
  bytesTotal: number
}

export interface HashOptions {
  /** Called at most every `progressIntervalBytes` bytes and once at the end. */
  onProgress?: (progress: HashProgress) => void
  signal?: AbortSignal
  /** Read size; default 1 MiB (larger brings nothing, smaller costs syscalls). */
  chunkSize?: number
  progressIntervalBytes?: number
}

export interface HashResult {
  /** Lowercase hex, as Printago stores it in `fileHashes[0]`. */
  sha256: string
  size: number
}

export interface ReadChunksOptions extends HashOptions {
  /** Size expected (for progress); the read goes on to the real end of the file regardless. */
  size: number
  /**
   * Called with each chunk, in order, while the next read is in flight. The chunk's memory is
   * reused two reads later: use it before returning. Return false to stop reading.
   */
  onChunk: (chunk: Uint8Array) => boolean | void
}

const DEFAULT_CHUNK = 1 << 20

/** Read an open file front to back once; resolves with the number of bytes read. */
export async function readChunks(handle: FileHandle, options: ReadChunksOptions): Promise<number> {
  const { onProgress, signal, onChunk, size } = options
  const chunkSize = options.chunkSize ?? DEFAULT_CHUNK
  const interval = options.progressIntervalBytes ?? 16 * chunkSize
  signal?.throwIfAborted()
  const buffers = [Buffer.allocUnsafe(chunkSize), Buffer.allocUnsafe(chunkSize)]
  let position = 0
  let current = 0
  let lastReport = 0
  let pending = handle.read(buffers[0]!, 0, chunkSize, 0)
  onProgress?.({ bytesDone: 0, bytesTotal: size })
  try {
    for (;;) {
      const { bytesRead } = await pending
      if (bytesRead === 0) break
      // Let the last read settle before the caller closes the handle under it.
      signal?.throwIfAborted()
      const chunk = buffers[current]!
      position += bytesRead
      current ^= 1
      // The next read fills the other buffer while this one is used.
      pending = handle.read(buffers[current]!, 0, chunkSize, position)
      if (onChunk(bytesRead === chunkSize ? chunk : chunk.subarray(0, bytesRead)) === false) {
        return position
      }
      if (onProgress && position - lastReport >= interval) {
        lastReport = position
        onProgress({ bytesDone: position, bytesTotal: Math.max(size, position) })
      }
    }
  } finally {
    // A read still in flight must finish before the handle may close.
    await pending.catch(() => undefined)
  }
  onProgress?.({ bytesDone: position, bytesTotal: position })
  return position
}

/** Hash a file with SHA-256 without ever holding more than two chunks in memory. */
export async function hashFile(path: string, options: HashOptions = {}): Promise<HashResult> {
  options.signal?.throwIfAborted()
  const handle = await open(path, 'r')
  try {
    const { size } = await handle.stat()
    const hash = createHash('sha256')
    let seen = 0
    // Never past the size the file had when the read began: a file that keeps growing (or has
    // no end) would otherwise be read forever.
    const read = await readChunks(handle, {
      ...options,
      size,
      onChunk: (c) => {
        seen += c.length
        if (seen > size) return false
        hash.update(c)
      }
    })
    if (seen > size) throw new Error(`${path}: the file kept growing while it was read`)
    return { sha256: hash.digest('hex'), size: read }
  } finally {
    await handle.close()
  }
}
