// Parses STL files, 3MF projects and sliced gcode.3mf off the UI thread (a 3MF through the shared
// 3MF engine, answered in one message: lib/project-view.ts). The triangles go back first (transferred, no copy on the
// way), so the preview draws while the mesh is still being analysed; then the report and a small
// thumbnail, rendered and PNG-encoded here too (encoding on the UI thread cost ~90 ms: a canvas
// readback). Dropping a million-triangle file never blocks the UI.
/// <reference lib="webworker" />
import { parse3mf, read3mfBytes, sniffModelFile } from '../../shared/3mf'
import { analyzeMesh, parseStl, readStlBytes } from '../../shared/stl'
import type { ParseRequest, ParseResponse } from './lib/parse-protocol'
import { projectView, viewTransferables } from './lib/project-view'
import { rasterizeThumbnail, thumbnailDataUrl } from './lib/thumbnail'

declare const self: DedicatedWorkerGlobalScope

/**
 * Up to this size the preview gets its own copy of the positions before the analysis (which
 * needs them here): 36 bytes per triangle, so ≈1.8M triangles. Bigger meshes are analysed
 * first and their only copy is then handed over, so memory never holds two of them.
 */
const EARLY_PREVIEW_BYTES = 64 * 1024 * 1024

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

function reply(message: ParseResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer)
}

/** A 3MF project or sliced gcode.3mf: the engine's project, as the preview needs it. */
async function handleProject(id: number, file: Blob, thumbnailSize: number): Promise<void> {
  const read = await read3mfBytes(file)
  if (!read.ok) return reply({ id, type: 'done', ok: false, error: read.error })
  const t0 = performance.now()
  const parsed = parse3mf(read.value)
  if (!parsed.ok) return reply({ id, type: 'done', ok: false, error: parsed.error })
  const project = projectView(parsed.value)
  const parseMs = performance.now() - t0
  // The list's picture: the first plate's model drawn as for an STL, else the slicer's picture.
  const first = project.plates.find((p) => p.thumbnail || p.positions)
  let thumbnail = first?.positions ? null : (first?.thumbnail ?? null)
  if (first?.positions) {
    const pixels = rasterizeThumbnail(first.positions, thumbnailSize)
    thumbnail = await thumbnailDataUrl(pixels, thumbnailSize).catch(() => first.thumbnail)
  }
  reply({ id, type: 'done', ok: true, project, thumbnail, parseMs }, viewTransferables(project))
}

async function handle({ id, bytes: data, thumbnailSize }: ParseRequest): Promise<void> {
  let bytes: ArrayBuffer
  if (data instanceof Blob) {
    // A ZIP (3MF, gcode.3mf, or a damaged one) goes to the 3MF engine, which says what it is.
    const sniffed = await sniffModelFile(data)
    if (sniffed.format === '3mf' || sniffed.format === 'gcode3mf')
      return handleProject(id, data, thumbnailSize)
    // Too large, empty, a lying count, a read error: answered without reading the whole file.
    const read = await readStlBytes(data)
    if (!read.ok) return reply({ id, type: 'done', ok: false, error: read.error })
    bytes = read.value
  } else bytes = data
  const t0 = performance.now()
  // This worker owns the file's bytes and never needs them again: binary files are parsed in
  // place (no second 36-bytes-per-triangle allocation), then the buffer is shrunk to the
  // positions so no file bytes stay in memory.
  const parsed = parseStl(bytes, undefined, { inPlace: true })
  if (!parsed.ok) return reply({ id, type: 'done', ok: false, error: parsed.error })
  const positions = shrinkToPositions(bytes, parsed.value.positions)
  const { bbox, triangles } = parsed.value
  const early = positions.byteLength <= EARLY_PREVIEW_BYTES
  const sendMesh = (p: Float32Array): void =>
    reply({ id, type: 'mesh', positions: p, bbox, triangles }, [p.buffer])
  if (early) sendMesh(positions.slice())
  const report = analyzeMesh({ ...parsed.value, positions })
  const parseMs = performance.now() - t0
  const pixels = rasterizeThumbnail(positions, thumbnailSize)
  // Done with the positions here: a big mesh's only copy goes to the preview now.
  if (!early) sendMesh(positions)
  // A thumbnail is a nicety: a failed encoding must not fail the file.
  const thumbnail = await thumbnailDataUrl(pixels, thumbnailSize).catch(() => null)
  reply({ id, type: 'done', ok: true, report, thumbnail, parseMs })
}

/** A closed UV sphere as a binary STL (input for the warm-up below). */
function sphereStl(segments: number, rings: number): ArrayBuffer {
  const count = 2 * segments * (rings - 1)
  const view = new DataView(new ArrayBuffer(84 + 50 * count))
  view.setUint32(80, count, true)
  // Exact poles and a wrapped seam, so the mesh welds closed (the analysis's closed branch runs).
  const vertex = (ring: number, seg: number): [number, number, number] => {
    if (ring === 0 || ring === rings) return [0, 0, ring === 0 ? 20 : -20]
    const theta = (ring / rings) * Math.PI
    const phi = ((seg % segments) / segments) * 2 * Math.PI
    const r = 20 * Math.sin(theta)
    return [r * Math.cos(phi), r * Math.sin(phi), 20 * Math.cos(theta)]
  }
  let o = 84
  const tri = (...vs: Array<[number, number, number]>): void => {
    o += 12 // normal: left zero
    for (const v of vs)
      for (const c of v) {
        view.setFloat32(o, c, true)
        o += 4
      }
    o += 2 // attribute byte count
  }
  for (let j = 0; j < rings; j++)
    for (let i = 0; i < segments; i++) {
      const [a, b] = [vertex(j, i), vertex(j, i + 1)]
      const [c, d] = [vertex(j + 1, i), vertex(j + 1, i + 1)]
      if (j > 0) tri(a, c, b)
      if (j < rings - 1) tri(b, c, d)
    }
  return view.buffer
}

/**
 * The first file would otherwise be parsed and analysed by cold code: measured on a 9k-triangle
 * file, 17 ms of parsing and 50 ms of analysis instead of 0.2 and 3. Two runs over a sphere
 * when the worker starts, long before the first drop. The sphere is over 256 KB, so the engine
 * also runs its own warm-up (see src/shared/stl/warm-up.ts) now rather than on the first file.
 */
function warmUp(): void {
  for (let i = 0; i < 2; i++) {
    const parsed = parseStl(sphereStl(64, 43), undefined, { inPlace: true })
    if (!parsed.ok) return
    analyzeMesh(parsed.value)
    rasterizeThumbnail(parsed.value.positions, 96)
  }
}
setTimeout(warmUp)

self.onmessage = async (event: MessageEvent<ParseRequest>) => {
  const { id } = event.data
  try {
    await handle(event.data)
  } catch (err) {
    const message = `Could not read this file: ${(err as Error).message}`
    reply({ id, type: 'done', ok: false, error: { code: 'unreadable', message } })
  }
}
