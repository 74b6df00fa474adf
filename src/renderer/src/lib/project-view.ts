// A 3MF project as the preview needs it, made in the parse worker from the engine's project:
// per plate one position buffer (its objects' parts one after another, transferable) with colour
// groups (triangle ranges drawn in one colour), the plate's report and bed fit, its thumbnail as
// a data URL, and a sliced plate's printer, nozzle, time and filament. Pure.
import type { ThreeMfProject, ThreeMfReport, SlicedPlate } from '../../../shared/3mf'
import type { BedFit } from '../../../shared/printers/build-volumes'
import type { Bbox } from '../../../shared/stl/types'

/** Triangles `start … start + count − 1` of a plate's buffer, drawn in `color` (#rrggbb). */
export interface ColorGroup {
  start: number
  count: number
  color: string
}

export interface PlateView {
  id: number
  name: string
  objects: Array<{ name: string; colors: string[] }>
  /** 9 floats per triangle, plate coordinates (mm, Z up); null when the plate has no geometry. */
  positions: Float32Array | null
  bbox: Bbox | null
  groups: ColorGroup[]
  report: ThreeMfReport | null
  bedFit: Record<string, BedFit>
  /** The slicer's picture of the plate (data URL), or null. */
  thumbnail: string | null
  sliced: SlicedPlate | null
}

export interface ProjectView {
  kind: '3mf' | 'gcode3mf'
  title: string | null
  application: string | null
  plates: PlateView[]
  notes: string[]
}

/** Colour of a part without one of its own (the viewer's usual model colour). */
export const DEFAULT_PART_COLOR = '#f08a28'

const MIME_PREFIX = {
  'image/png': 'data:image/png;base64,',
  'image/jpeg': 'data:image/jpeg;base64,'
}

/** Base64 of bytes (chunked: String.fromCharCode takes a bounded number of arguments). */
export function base64(bytes: Uint8Array): string {
  let s = ''
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(s)
}

/** The preview's view of a parsed project (positions copied once into one buffer per plate). */
export function projectView(project: ThreeMfProject): ProjectView {
  const plates = project.plates.map((plate): PlateView => {
    const parts = plate.objects.flatMap((o) => o.parts)
    const triangles = parts.reduce((n, p) => n + p.triangles, 0)
    let positions: Float32Array | null = null
    let bbox: Bbox | null = null
    const groups: ColorGroup[] = []
    if (triangles > 0) {
      positions = new Float32Array(triangles * 9)
      let at = 0
      for (const part of parts) {
        positions.set(part.positions.subarray(0, part.triangles * 9), at * 9)
        const color = part.color ?? DEFAULT_PART_COLOR
        const last = groups.at(-1)
        if (last && last.color === color && last.start + last.count === at)
          last.count += part.triangles
        else groups.push({ start: at, count: part.triangles, color })
        at += part.triangles
      }
      bbox = plate.report?.bbox ?? boundsOf(positions)
    }
    return {
      id: plate.id,
      name: plate.name,
      objects: plate.objects.map((o) => ({
        name: o.name,
        colors: [...new Set(o.parts.map((p) => p.color ?? DEFAULT_PART_COLOR))]
      })),
      positions,
      bbox,
      groups,
      report: plate.report,
      bedFit: plate.bedFit,
      thumbnail: plate.thumbnail
        ? MIME_PREFIX[plate.thumbnail.mime] + base64(plate.thumbnail.bytes)
        : null,
      sliced: plate.sliced
    }
  })
  return {
    kind: project.kind,
    title: project.title,
    application: project.application,
    plates,
    notes: project.notes
  }
}

function boundsOf(p: Float32Array): Bbox {
  const min: [number, number, number] = [Infinity, Infinity, Infinity]
  const max: [number, number, number] = [-Infinity, -Infinity, -Infinity]
  for (let i = 0; i < p.length; i += 3)
    for (let k = 0; k < 3; k++) {
      const v = p[i + k]!
      if (v < min[k]!) min[k] = v
      if (v > max[k]!) max[k] = v
    }
  return { min, max }
}

/** Buffers of a view to transfer (positions only: thumbnails are strings). */
export function viewTransferables(view: ProjectView): ArrayBuffer[] {
  return view.plates.flatMap((p) => (p.positions ? [p.positions.buffer as ArrayBuffer] : []))
}

/**
 * The size the whole file must fit: every plate goes to the printers of one routing, so per axis
 * the largest plate's (footprint sorted, so a turned plate counts the same). Null without geometry.
 */
export function projectFitSize(view: ProjectView): [number, number, number] | null {
  const sizes = view.plates.flatMap((p) => (p.report ? [p.report.size] : []))
  if (sizes.length === 0) return null
  let small = 0
  let large = 0
  let z = 0
  for (const [x, y, h] of sizes) {
    small = Math.max(small, Math.min(x, y))
    large = Math.max(large, Math.max(x, y))
    z = Math.max(z, h)
  }
  return [large, small, z]
}
