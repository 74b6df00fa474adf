// Public surface of the pure 3MF engine (no DOM, no Node, no three.js): usable from the parse
// worker, the main process and the CLI. Import from here, not from the modules.
//
//   renderer worker: sniffModelFile(file) → read3mfBytes(file) → parse3mf(bytes)
//                    → postMessage(project, transferablesOf(project))
//   main / CLI:      summarize3mf(parse3mf(bytes).value) → JSON (no geometry, no image bytes)
//   send layer:      checkSlicedPlate(plate.sliced, { modelName, nozzleDiameter })

import { formatBytes } from '../format'
import { fail, guard, threeMfFail } from './errors'
import { resolveLimits } from './limits'
import { readProject } from './project'
import type { Plate, ThreeMfLimits, ThreeMfProject, ThreeMfResult, Thumbnail } from './types'
import { openZip } from './zip'

export type * from './types'
export { THREEMF_ERROR_CODES, isThreeMfErrorCode, threeMfErrorMessage } from './errors'
export { DEFAULT_LIMITS } from './limits'
export { detectModelFormat, sniffModelFile, type DetectedFormat, type ModelFormat } from './detect'
export {
  checkSlicedPlate,
  slicedPlateModels,
  type PrinterFacts,
  type SlicedPlateVerdict
} from './compat'
export { UNIT_MM } from './model'

/**
 * Parses a 3MF project or a sliced gcode.3mf: plates with their placed objects (positions in mm,
 * colours, reports, bed fit), thumbnails and slicer figures. Never throws on bad input: every
 * problem is a coded error with a sentence. `bytes` is only read (its buffer can be reused).
 */
export function parse3mf(
  input: Uint8Array | ArrayBuffer,
  limits?: ThreeMfLimits
): ThreeMfResult<ThreeMfProject> {
  const bytes = input instanceof Uint8Array ? input : new Uint8Array(input)
  const resolved = resolveLimits(limits)
  return guard(() => {
    if (bytes.length === 0) fail('empty')
    if (bytes.length > resolved.maxBytes) {
      fail(
        'too-large',
        `The file is ${formatBytes(bytes.length)}; the limit is ${formatBytes(resolved.maxBytes)}.`
      )
    }
    return readProject(openZip(bytes, resolved), resolved)
  })
}

/** Every ArrayBuffer a project holds (positions, thumbnails), to transfer it without copying. */
export function transferablesOf(project: ThreeMfProject): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>()
  const add = (a: { buffer: ArrayBufferLike } | null | undefined): void => {
    if (a && a.buffer instanceof ArrayBuffer) out.add(a.buffer)
  }
  add(project.thumbnail?.bytes)
  for (const p of project.plates) {
    add(p.thumbnail?.bytes)
    for (const o of p.objects) for (const part of o.parts) add(part.positions)
  }
  return [...out]
}

/** A thumbnail without its bytes (for reports and logs). */
export interface ThumbnailInfo {
  path: string
  mime: Thumbnail['mime']
  bytes: number
}

/** A project as plain JSON for main and the CLI: geometry and image bytes left out. */
export type ThreeMfSummary = Omit<ThreeMfProject, 'plates' | 'thumbnail'> & {
  thumbnail: ThumbnailInfo | null
  plates: Array<
    Omit<Plate, 'objects' | 'thumbnail'> & {
      thumbnail: ThumbnailInfo | null
      objects: Array<
        Omit<Plate['objects'][number], 'parts'> & {
          parts: Array<{
            name: string
            filament: number | null
            color: string | null
            triangles: number
          }>
        }
      >
    }
  >
}

function thumbInfo(t: Thumbnail | null): ThumbnailInfo | null {
  return t ? { path: t.path, mime: t.mime, bytes: t.bytes.length } : null
}

/** Drops positions and image bytes: what main, the CLI and logs need. */
export function summarize3mf(project: ThreeMfProject): ThreeMfSummary {
  return {
    ...project,
    thumbnail: thumbInfo(project.thumbnail),
    plates: project.plates.map((p) => ({
      ...p,
      thumbnail: thumbInfo(p.thumbnail),
      objects: p.objects.map((o) => ({
        ...o,
        parts: o.parts.map(({ name, filament, color, triangles }) => ({
          name,
          filament,
          color,
          triangles
        }))
      }))
    }))
  }
}

/** Parse + summarize in one call (main, CLI). */
export function inspect3mf(
  input: Uint8Array | ArrayBuffer,
  limits?: ThreeMfLimits
): ThreeMfResult<ThreeMfSummary> {
  const r = parse3mf(input, limits)
  return r.ok ? { ok: true, value: summarize3mf(r.value) } : r
}

/** The part of the Blob/File interface used to read a dropped file. */
export interface ThreeMfFileLike {
  readonly size: number
  arrayBuffer(): Promise<ArrayBuffer>
}

/**
 * A dropped file's bytes, or the error known without reading them (`empty`, `too-large` from
 * the size), or `unreadable` when reading fails (moved, changed or deleted after the drop).
 */
export async function read3mfBytes(
  file: ThreeMfFileLike,
  limits?: ThreeMfLimits
): Promise<ThreeMfResult<ArrayBuffer>> {
  const { maxBytes } = resolveLimits(limits)
  try {
    if (file.size === 0) return threeMfFail('empty')
    if (file.size > maxBytes) {
      return threeMfFail(
        'too-large',
        `The file is ${formatBytes(file.size)}; the limit is ${formatBytes(maxBytes)}.`
      )
    }
    return { ok: true, value: await file.arrayBuffer() }
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err)
    return threeMfFail('unreadable', `Could not read this file: ${message || 'the read failed'}`)
  }
}
