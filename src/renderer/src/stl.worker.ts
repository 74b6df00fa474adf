// Parses STL files off the UI thread. The positions buffer is transferred back (no copy), and a
// small thumbnail is rendered and PNG-encoded here too (encoding on the UI thread cost ~90 ms: a
// canvas readback), so dropping a million-triangle file never blocks the UI.
/// <reference lib="webworker" />
import { analyzeMesh, parseStl, readStlBytes } from '../../shared/stl'
import type { MeshReport, StlError } from '../../shared/stl/types'
import { rasterizeThumbnail, thumbnailDataUrl } from './lib/thumbnail'

export interface ParseRequest {
  id: number
  /**
   * A Blob (the dropped File) is read here, so its bytes never land in the UI thread's heap; its
   * size and first bytes are checked before the rest is read (a 2.2 GB drop is never loaded).
   */
  bytes: ArrayBuffer | Blob
  thumbnailSize: number
}

export type ParseResponse =
  | {
      id: number
      ok: true
      positions: Float32Array
      report: MeshReport
      /** PNG data URL (a string: nothing to revoke when the file goes away). */
      thumbnail: string | null
      parseMs: number
    }
  | { id: number; ok: false; error: StlError }

declare const self: DedicatedWorkerGlobalScope

/**
 * In-place positions are the first 36 bytes per triangle of the file's own buffer: keep exactly
 * those (ArrayBuffer.prototype.transfer to a shorter length; a copy where it is missing).
 */
function shrinkToPositions(file: ArrayBuffer, positions: Float32Array): Float32Array {
  if (positions.buffer !== file || positions.byteLength === file.byteLength) return positions
  const transfer = (file as ArrayBuffer & { transfer?: (length: number) => ArrayBuffer }).transfer
  if (positions.byteOffset === 0 && typeof transfer === 'function')
    return new Float32Array(transfer.call(file, positions.byteLength))
  return positions.slice()
}

self.onmessage = async (event: MessageEvent<ParseRequest>) => {
  const { id, thumbnailSize } = event.data
  let reply: ParseResponse
  try {
    const data = event.data.bytes
    let bytes: ArrayBuffer
    if (data instanceof Blob) {
      // Too large, empty, a lying count, a read error: answered without reading the whole file.
      const read = await readStlBytes(data)
      if (!read.ok) {
        reply = { id, ok: false, error: read.error }
        self.postMessage(reply)
        return
      }
      bytes = read.value
    } else bytes = data
    const t0 = performance.now()
    // This worker owns the file's bytes and never needs them again: binary files are parsed in
    // place (no second 36-bytes-per-triangle allocation), then the buffer is shrunk to the
    // positions so no file bytes stay in memory.
    const parsed = parseStl(bytes, undefined, { inPlace: true })
    if (!parsed.ok) {
      reply = { id, ok: false, error: parsed.error }
    } else {
      const positions = shrinkToPositions(bytes, parsed.value.positions)
      const mesh = { ...parsed.value, positions }
      const report = analyzeMesh(mesh)
      const parseMs = performance.now() - t0
      const pixels = rasterizeThumbnail(positions, thumbnailSize)
      // A thumbnail is a nicety: a failed encoding must not fail the file.
      const thumbnail = await thumbnailDataUrl(pixels, thumbnailSize).catch(() => null)
      reply = { id, ok: true, positions, report, thumbnail, parseMs }
      self.postMessage(reply, [positions.buffer as ArrayBuffer])
      return
    }
  } catch (err) {
    reply = {
      id,
      ok: false,
      error: { code: 'unreadable', message: `Could not read this file: ${(err as Error).message}` }
    }
  }
  self.postMessage(reply)
}
