// Promise wrapper around the STL parse worker: one worker, requests answered in order. The
// worker can be started ahead of the first drop (warmParser), so a drop does not wait for it.
import type { ParsedMesh, ParseRequest, ParseResponse, ParseResult } from './parse-protocol'

interface Pending {
  resolve: (r: ParseResult) => void
  onMesh?: (mesh: ParsedMesh) => void
}

let worker: Worker | null = null
let nextId = 1
const pending = new Map<number, Pending>()

function getWorker(): Worker {
  if (worker) return worker
  worker = new Worker(new URL('../stl.worker.ts', import.meta.url), { type: 'module' })
  worker.onmessage = (e: MessageEvent<ParseResponse>) => {
    const msg = e.data
    const p = pending.get(msg.id)
    if (msg.type === 'mesh') {
      // For the UI benchmark's breakdown (bench/ui-first-frame.ts); the latest one only.
      performance.clearMarks('parse:mesh')
      performance.mark('parse:mesh')
      const { positions, bbox, triangles } = msg
      p?.onMesh?.({ positions, bbox, triangles })
      return
    }
    pending.delete(msg.id)
    p?.resolve(msg)
  }
  worker.onerror = (e) => {
    // A worker crash must not leave files spinning forever: fail everything in flight.
    const message = `The parser stopped: ${e.message}`
    for (const [id, p] of pending)
      p.resolve({ id, type: 'done', ok: false, error: { code: 'unreadable', message } })
    pending.clear()
    worker = null
  }
  return worker
}

/** Starts the parse worker now (module fetch, compile), ahead of the first file. */
export function warmParser(): void {
  getWorker()
}

export interface ParseOptions {
  thumbnailSize?: number
  /** Called with the triangles as soon as they are parsed, before the report. */
  onMesh?: (mesh: ParsedMesh) => void
}

/**
 * Parses STL bytes in the worker. A Blob/File is read there (only its handle crosses); an
 * ArrayBuffer is transferred (the caller must not reuse it). Resolves with the report (or the
 * typed error) after `onMesh` has had the triangles.
 */
export function parseInWorker(
  bytes: ArrayBuffer | Blob,
  { thumbnailSize = 96, onMesh }: ParseOptions = {}
): Promise<ParseResult> {
  const id = nextId++
  return new Promise((resolve) => {
    pending.set(id, { resolve, onMesh })
    const req: ParseRequest = { id, bytes, thumbnailSize }
    getWorker().postMessage(req, bytes instanceof Blob ? [] : [bytes])
  })
}
