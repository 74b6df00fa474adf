// Promise wrapper around the parse worker. One worker, requests queued in order.
import type { ParseRequest, ParseResponse } from '../stl.worker'

let worker: Worker | null = null
let nextId = 1
const pending = new Map<number, (r: ParseResponse) => void>()

function getWorker(): Worker {
  if (worker) return worker
  worker = new Worker(new URL('../stl.worker.ts', import.meta.url), { type: 'module' })
  worker.onmessage = (e: MessageEvent<ParseResponse>) => {
    const resolve = pending.get(e.data.id)
    pending.delete(e.data.id)
    resolve?.(e.data)
  }
  worker.onerror = (e) => {
    // A worker crash must not leave files spinning forever: fail everything in flight.
    for (const [id, resolve] of pending)
      resolve({
        id,
        ok: false,
        error: { code: 'unreadable', message: `The parser stopped: ${e.message}` }
      })
    pending.clear()
    worker = null
  }
  return worker
}

/**
 * Parses STL bytes in the worker. A Blob/File is read there (only its handle crosses); an
 * ArrayBuffer is transferred (the caller must not reuse it).
 */
export function parseInWorker(
  bytes: ArrayBuffer | Blob,
  thumbnailSize = 96
): Promise<ParseResponse> {
  const id = nextId++
  return new Promise((resolve) => {
    pending.set(id, resolve)
    const req: ParseRequest = { id, bytes, thumbnailSize }
    getWorker().postMessage(req, bytes instanceof Blob ? [] : [bytes])
  })
}
