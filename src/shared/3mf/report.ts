// Mesh reports for 3MF objects and plates, reusing the STL engine's analysis. Each placed object is
// analysed on its own (touching objects on a plate are separate bodies to a slicer, so welding
// them together would invent non-manifold edges); a plate's report sums its objects' and takes
// the size of the plate's bounding box. Bed fit uses the build-volume table.

import { formatCount, formatMm } from '../format'
import { BUILD_VOLUMES, fitsBed, type BedFit } from '../printers/build-volumes'
import { analyzeMesh } from '../stl'
import type { Bbox } from '../stl/types'
import type { AssembledItem } from './assemble'
import type { ThreeMfReport } from './types'

const INCH = 25.4

/** The STL engine's report for one placed object (all its printed parts together). */
export function objectReport(item: AssembledItem): ThreeMfReport {
  const r = analyzeMesh({
    format: 'binary',
    positions: item.positions,
    triangles: item.triangles,
    bbox: item.bbox,
    name: item.name,
    nonFiniteVertices: 0,
    notes: [],
    info: []
  })
  return { ...r, format: '3mf' }
}

function sizeOf(bbox: Bbox): [number, number, number] {
  const d = (k: 0 | 1 | 2): number => {
    const v = bbox.max[k] - bbox.min[k]
    return Number.isFinite(v) && v > 0 ? v : 0
  }
  return [d(0), d(1), d(2)]
}

/** Sums object reports into one plate report (null for a plate without objects). */
export function plateReport(
  objects: Array<{ name: string; report: ThreeMfReport }>
): ThreeMfReport | null {
  if (objects.length === 0) return null
  const bbox: Bbox = { min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] }
  let triangles = 0
  let surfaceArea = 0
  let volume: number | null = 0
  let openEdges = 0
  let nonManifoldEdges = 0
  let inconsistentEdges = 0
  let degenerate = 0
  let nonFiniteVertices = 0
  let shells = 0
  let errors = 0
  let warnings = 0
  const notes: string[] = []
  let unmeasured = 0
  for (const { name, report: r } of objects) {
    for (let k = 0; k < 3; k++) {
      bbox.min[k] = Math.min(bbox.min[k]!, r.bbox.min[k]!)
      bbox.max[k] = Math.max(bbox.max[k]!, r.bbox.max[k]!)
    }
    triangles += r.triangles
    surfaceArea += r.surfaceArea
    if (r.volume === null) unmeasured++
    else if (volume !== null) volume += r.volume
    openEdges += r.openEdges
    nonManifoldEdges += r.nonManifoldEdges
    inconsistentEdges += r.inconsistentEdges
    degenerate += r.degenerate
    nonFiniteVertices += r.nonFiniteVertices
    shells += r.shells
    if (r.verdict === 'error') errors++
    if (r.verdict === 'warning') warnings++
    // The per-object report keeps the detail; the plate names which object has a problem.
    for (const n of r.notes) if (r.verdict !== 'ok') notes.push(`${name}: ${n}`)
  }
  if (unmeasured > 0) volume = null
  const size = sizeOf(bbox)
  const maxDim = Math.max(...size)
  const inchSuspect = maxDim > 0 && maxDim < 10 && maxDim * INCH >= 10 && maxDim * INCH <= 400
  if (inchSuspect) {
    notes.push(
      `The plate's objects span only ${size.map(formatMm).join(' × ')} mm; check the file's unit.`
    )
  }
  return {
    format: '3mf',
    triangles,
    bbox,
    size,
    surfaceArea,
    volume,
    volumeNote:
      volume === null
        ? `n/a: ${formatCount(unmeasured)} of ${formatCount(objects.length)} object${objects.length === 1 ? '' : 's'} not closed`
        : null,
    closed: objects.every((o) => o.report.closed),
    openEdges,
    nonManifoldEdges,
    inconsistentEdges,
    degenerate,
    nonFiniteVertices,
    shells,
    inchSuspect,
    // A 3MF states its unit; the engine already scales it to millimetres.
    unitSuspect: null,
    verdict: errors > 0 ? 'error' : warnings > 0 || inchSuspect ? 'warning' : 'ok',
    notes
  }
}

/** Bed fit of a size for every printer in the build-volume table, by build-volume id. */
export function bedFitTable(
  size: readonly [number, number, number] | null
): Record<string, BedFit> {
  const out: Record<string, BedFit> = {}
  for (const v of BUILD_VOLUMES) out[v.id] = size ? fitsBed(size, v) : 'unknown'
  return out
}
