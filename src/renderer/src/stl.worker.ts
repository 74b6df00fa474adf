// Parses STL files off the UI thread. The positions buffer is transferred back (no copy), and a
// small thumbnail is rendered here too, so dropping a million-triangle file never blocks the UI.
/// <reference lib="webworker" />
import { analyzeMesh, parseStl } from '../../shared/stl'
import type { MeshReport, StlError } from '../../shared/stl/types'
import { rasterizeThumbnail } from './lib/thumbnail'

export interface ParseRequest {
  id: number
  bytes: ArrayBuffer
  thumbnailSize: number
}

export type ParseResponse =
  | {
      id: number
      ok: true
      positions: Float32Array
      report: MeshReport
      thumbnail: ImageData | null
      parseMs: number
    }
  | { id: number; ok: false; error: StlError }

declare const self: DedicatedWorkerGlobalScope

self.onmessage = (event: MessageEvent<ParseRequest>) => {
  const { id, bytes, thumbnailSize } = event.data
  const t0 = performance.now()
  let reply: ParseResponse
  try {
    const parsed = parseStl(bytes)
    if (!parsed.ok) {
      reply = { id, ok: false, error: parsed.error }
    } else {
      const report = analyzeMesh(parsed.value)
      const parseMs = performance.now() - t0
      const pixels = rasterizeThumbnail(parsed.value.positions, thumbnailSize)
      const thumbnail = new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, thumbnailSize, thumbnailSize)
      reply = { id, ok: true, positions: parsed.value.positions, report, thumbnail, parseMs }
      self.postMessage(reply, [parsed.value.positions.buffer as ArrayBuffer, thumbnail.data.buffer])
      return
    }
  } catch (err) {
    reply = { id, ok: false, error: { code: 'unreadable', message: `Could not read this file: ${(err as Error).message}` } }
  }
  self.postMessage(reply)
}
