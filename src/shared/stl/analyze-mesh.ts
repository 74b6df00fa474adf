// Mesh health and measurements from flat positions: size, area, volume (only when closed and
// consistently wound: every edge shared by exactly two faces, walked in opposite directions),
// edge topology, shells, inch guess.
//
// Everything runs on typed arrays: vertices are welded by exact float bits in an open-addressing
// hash table, edges are checked through a per-vertex sorted adjacency list (CSR), shells come from
// union-find. Memory on top of the positions: about 45 bytes per triangle for a typical mesh
// (≈ T/2 unique vertices), up to about 170 for unwelded triangle soup.
//
// Why one file (~450 lines): welding, edge classification and the report are one pass over shared
// typed arrays; split, they would pass half a dozen arrays around for no reader's benefit.

import { formatCount, formatMm } from '../format'
import type { MeshReport, ParsedStl } from './types'

const INCH = 25.4

/** Welded vertex ids per corner (-1 for a non-finite vertex) and the number of unique vertices. */
interface Welded {
  ids: Int32Array
  count: number
}

/** Welds corners with identical coordinates (exact float32 bits; -0 equals +0). */
function weld(positions: Float32Array, triangles: number): Welded {
  const corners = triangles * 3
  const bits = new Uint32Array(positions.buffer, positions.byteOffset, corners * 3)
  const ids = new Int32Array(corners)
  // Typical meshes have ~T/2 unique vertices; start there and double at 50 % load.
  let cap = 1024
  while (cap < triangles) cap *= 2
  let mask = cap - 1
  let table: Int32Array = new Int32Array(cap) // unique id + 1; 0 = empty
  // The table rehashes at 50 % load, so it never holds more than cap / 2 + 1 keys.
  let keys = new Uint32Array(Math.min(corners, (cap >> 1) + 1) * 3)
  let count = 0
  for (let c = 0; c < corners; c++) {
    const o = c * 3
    let x = bits[o]!
    let y = bits[o + 1]!
    let z = bits[o + 2]!
    // Exponent all ones: NaN or ±Inf.
    if (
      (x & 0x7f800000) === 0x7f800000 ||
      (y & 0x7f800000) === 0x7f800000 ||
      (z & 0x7f800000) === 0x7f800000
    ) {
      ids[c] = -1
      continue
    }
    if (x === 0x80000000) x = 0
    if (y === 0x80000000) y = 0
    if (z === 0x80000000) z = 0
    let h = hash3(x, y, z) & mask
    let id = -1
    for (;;) {
      const slot = table[h]!
      if (slot === 0) break
      const k = (slot - 1) * 3
      if (keys[k] === x && keys[k + 1] === y && keys[k + 2] === z) {
        id = slot - 1
        break
      }
      h = (h + 1) & mask
    }
    if (id < 0) {
      id = count++
      if (id * 3 + 3 > keys.length) {
        const bigger = new Uint32Array(Math.min(corners * 3, keys.length * 2))
        bigger.set(keys)
        keys = bigger
      }
      keys[id * 3] = x
      keys[id * 3 + 1] = y
      keys[id * 3 + 2] = z
      table[h] = id + 1
      if (count * 2 > cap) {
        cap *= 2
        mask = cap - 1
        table = rehash(keys, count, cap)
      }
    }
    ids[c] = id
  }
  return { ids, count }
}

function hash3(x: number, y: number, z: number): number {
  let h = Math.imul(x, 0x9e3779b1) ^ Math.imul(y, 0x85ebca77) ^ Math.imul(z, 0xc2b2ae3d)
  h ^= h >>> 15
  h = Math.imul(h, 0x2c1b3c6d)
  h ^= h >>> 12
  return h >>> 0
}

function rehash(keys: Uint32Array, count: number, cap: number): Int32Array {
  const table = new Int32Array(cap)
  const mask = cap - 1
  for (let id = 0; id < count; id++) {
    let h = hash3(keys[id * 3]!, keys[id * 3 + 1]!, keys[id * 3 + 2]!) & mask
    while (table[h] !== 0) h = (h + 1) & mask
    table[h] = id + 1
  }
  return table
}

/** Union-find root with path halving. */
function find(parent: Int32Array, v: number): number {
  let p = parent[v]!
  while (p !== v) {
    const g = parent[p]!
    parent[v] = g
    v = g
    p = parent[v]!
  }
  return v
}

function union(parent: Int32Array, a: number, b: number): void {
  const ra = find(parent, a)
  const rb = find(parent, b)
  if (ra !== rb) {
    if (ra < rb) parent[rb] = ra
    else parent[ra] = rb
  }
}

/** Counts `value` in the sorted range [lo, hi) of `arr`. */
function countSorted(arr: Int32Array, lo: number, hi: number, value: number): number {
  let a = lo
  let b = hi
  while (a < b) {
    const m = (a + b) >>> 1
    if (arr[m]! < value) a = m + 1
    else b = m
  }
  let n = 0
  while (a < hi && arr[a] === value) {
    n++
    a++
  }
  return n
}

interface EdgeStats {
  open: number
  nonManifold: number
  inconsistent: number
}

/**
 * Classifies every undirected edge of the kept triangles. Each triangle a,b,c contributes the
 * half-edges a→b, b→c, c→a; an edge used by exactly two triangles in opposite directions is
 * manifold and consistently wound.
 */
function classifyEdges(ids: Int32Array, keep: Uint8Array, vertexCount: number): EdgeStats {
  const triangles = keep.length
  const start = new Int32Array(vertexCount + 1)
  let halfEdges = 0
  for (let t = 0; t < triangles; t++) {
    if (keep[t] === 0) continue
    const o = t * 3
    start[ids[o]! + 1]!++
    start[ids[o + 1]! + 1]!++
    start[ids[o + 2]! + 1]!++
    halfEdges += 3
  }
  for (let v = 0; v < vertexCount; v++) start[v + 1]! += start[v]!
  const fill = start.slice(0, vertexCount)
  const target = new Int32Array(halfEdges)
  for (let t = 0; t < triangles; t++) {
    if (keep[t] === 0) continue
    const o = t * 3
    const a = ids[o]!
    const b = ids[o + 1]!
    const c = ids[o + 2]!
    target[fill[a]!++] = b
    target[fill[b]!++] = c
    target[fill[c]!++] = a
  }
  // Sort each vertex's targets: insertion sort for the usual handful, native sort for fans.
  for (let v = 0; v < vertexCount; v++) {
    const lo = start[v]!
    const hi = start[v + 1]!
    if (hi - lo <= 1) continue
    if (hi - lo > 24) {
      target.subarray(lo, hi).sort()
      continue
    }
    for (let i = lo + 1; i < hi; i++) {
      const x = target[i]!
      let j = i - 1
      while (j >= lo && target[j]! > x) {
        target[j + 1] = target[j]!
        j--
      }
      target[j + 1] = x
    }
  }
  const stats: EdgeStats = { open: 0, nonManifold: 0, inconsistent: 0 }
  for (let a = 0; a < vertexCount; a++) {
    const hi = start[a + 1]!
    let j = start[a]!
    while (j < hi) {
      const b = target[j]!
      let k = j + 1
      while (k < hi && target[k] === b) k++
      const same = k - j
      j = k
      const opposite = countSorted(target, start[b]!, start[b + 1]!, a)
      // Count each undirected edge once: from the smaller end when both directions exist.
      if (opposite > 0 && a > b) continue
      const uses = same + opposite
      if (uses === 1) stats.open++
      else if (uses > 2) stats.nonManifold++
      else if (same !== 1) stats.inconsistent++
    }
  }
  return stats
}

/** Measures and checks a parsed mesh. Pure; about 1 s per 3M triangles. */
export function analyzeMesh(parsed: ParsedStl): MeshReport {
  const { positions, triangles, bbox } = parsed
  // Parser problems come first and count as warnings; parser info is appended at the end.
  const notes: string[] = [...(parsed.notes ?? [])]
  const { ids, count: vertexCount } = weld(positions, triangles)

  // Centre for the volume sum: keeps the signed tetrahedra small when the model sits far from
  // the origin (the total is translation-invariant only for closed meshes, the only case used).
  const cx = finiteMid(bbox.min[0], bbox.max[0])
  const cy = finiteMid(bbox.min[1], bbox.max[1])
  const cz = finiteMid(bbox.min[2], bbox.max[2])

  const keep = new Uint8Array(triangles)
  let area = 0
  let degenerate = 0
  let nonFiniteVertices = 0
  let nonFiniteTriangles = 0
  let kept = 0
  for (let t = 0; t < triangles; t++) {
    const o = t * 3
    const a = ids[o]!
    const b = ids[o + 1]!
    const c = ids[o + 2]!
    if (a < 0 || b < 0 || c < 0) {
      nonFiniteVertices += (a < 0 ? 1 : 0) + (b < 0 ? 1 : 0) + (c < 0 ? 1 : 0)
      nonFiniteTriangles++
      continue
    }
    const p = t * 9
    const ux = positions[p + 3]! - positions[p]!
    const uy = positions[p + 4]! - positions[p + 1]!
    const uz = positions[p + 5]! - positions[p + 2]!
    const vx = positions[p + 6]! - positions[p]!
    const vy = positions[p + 7]! - positions[p + 1]!
    const vz = positions[p + 8]! - positions[p + 2]!
    const nx = uy * vz - uz * vy
    const ny = uz * vx - ux * vz
    const nz = ux * vy - uy * vx
    const cross2 = nx * nx + ny * ny + nz * nz
    area += Math.sqrt(cross2) / 2
    if (a === b || b === c || a === c) {
      // Collapsed onto a welded vertex: no area and no edges worth counting.
      degenerate++
      continue
    }
    // A sliver whose height is < 1e-7 of its longest edge counts as zero-area (float32 noise).
    const wx = vx - ux
    const wy = vy - uy
    const wz = vz - uz
    const longest = Math.max(
      ux * ux + uy * uy + uz * uz,
      vx * vx + vy * vy + vz * vz,
      wx * wx + wy * wy + wz * wz
    )
    if (cross2 <= 1e-14 * longest * longest) degenerate++
    keep[t] = 1
    kept++
  }

  const edges =
    kept > 0 ? classifyEdges(ids, keep, vertexCount) : { open: 0, nonManifold: 0, inconsistent: 0 }

  // Shells (connected through shared vertices) and the signed volume of each.
  const parent = new Int32Array(vertexCount)
  for (let v = 0; v < vertexCount; v++) parent[v] = v
  for (let t = 0; t < triangles; t++) {
    if (keep[t] === 0) continue
    const o = t * 3
    union(parent, ids[o]!, ids[o + 1]!)
    union(parent, ids[o]!, ids[o + 2]!)
  }
  const shellVolume = new Float64Array(vertexCount)
  const isRoot = new Uint8Array(vertexCount)
  let volume6 = 0
  for (let t = 0; t < triangles; t++) {
    if (keep[t] === 0) continue
    const p = t * 9
    const ax = positions[p]! - cx
    const ay = positions[p + 1]! - cy
    const az = positions[p + 2]! - cz
    const bx = positions[p + 3]! - cx
    const by = positions[p + 4]! - cy
    const bz = positions[p + 5]! - cz
    const qx = positions[p + 6]! - cx
    const qy = positions[p + 7]! - cy
    const qz = positions[p + 8]! - cz
    const v6 = ax * (by * qz - bz * qy) + ay * (bz * qx - bx * qz) + az * (bx * qy - by * qx)
    volume6 += v6
    const root = find(parent, ids[t * 3]!)
    shellVolume[root]! += v6
    isRoot[root] = 1
  }
  let shells = 0
  let inwardShells = 0
  for (let v = 0; v < vertexCount; v++) {
    if (isRoot[v] === 0) continue
    shells++
    if (shellVolume[v]! < 0) inwardShells++
  }

  const size: [number, number, number] = [
    extent(bbox.min[0], bbox.max[0]),
    extent(bbox.min[1], bbox.max[1]),
    extent(bbox.min[2], bbox.max[2])
  ]
  const closed = kept > 0 && edges.open === 0 && edges.nonManifold === 0
  let volume: number | null = null
  let volumeNote: string | null = null
  let errors = 0
  let warnings = 0
  const warn = (s: string): void => {
    warnings++
    notes.push(s)
  }

  if (kept === 0) {
    volumeNote = 'n/a: no usable triangles'
  } else if (!closed || edges.inconsistent > 0) {
    const why: string[] = []
    if (edges.open > 0) why.push(`${formatCount(edges.open)} open edge${plural(edges.open)}`)
    if (edges.nonManifold > 0) {
      why.push(`${formatCount(edges.nonManifold)} non-manifold edge${plural(edges.nonManifold)}`)
    }
    if (edges.inconsistent > 0) {
      why.push(`${formatCount(edges.inconsistent)} flipped edge${plural(edges.inconsistent)}`)
    }
    volumeNote = `n/a: ${why.join(', ')}`
  } else {
    volume = Math.abs(volume6) / 6
    if (volume6 < 0) {
      volumeNote = 'faces point inward'
      warn('All faces point inward (inside-out mesh); the volume is shown as positive.')
    } else if (inwardShells > 0 && shells > 1) {
      notes.push(
        `${formatCount(inwardShells)} of ${formatCount(shells)} shells face inward ` +
          `(a cavity inside another shell, or a flipped shell).`
      )
    }
  }

  if (kept === 0) {
    errors++
    notes.unshift('Every triangle is degenerate or invalid; there is nothing to print.')
  } else if (size[0] === 0 || size[1] === 0 || size[2] === 0) {
    errors++
    const axis = size[0] === 0 ? 'X' : size[1] === 0 ? 'Y' : 'Z'
    notes.unshift(`The model is flat (0 mm in ${axis}); it has no volume to print.`)
  }
  if (edges.open > 0) {
    warn(`${formatCount(edges.open)} open edge${plural(edges.open)}: the mesh has holes.`)
  }
  if (edges.nonManifold > 0) {
    warn(
      `${formatCount(edges.nonManifold)} non-manifold edge${plural(edges.nonManifold)} ` +
        `(shared by more than two faces).`
    )
  }
  if (edges.inconsistent > 0) {
    warn(
      `${formatCount(edges.inconsistent)} edge${plural(edges.inconsistent)} between faces ` +
        `that point opposite ways (flipped faces).`
    )
  }
  if (degenerate > 0) {
    warn(
      `${formatCount(degenerate)} zero-area triangle${plural(degenerate)} (most slicers ignore them).`
    )
  }
  // Our parser already said it; a ParsedStl built elsewhere may not have.
  if (nonFiniteVertices > 0 && parsed.nonFiniteVertices === undefined) {
    warn(
      `${formatCount(nonFiniteVertices)} vertices in ${formatCount(nonFiniteTriangles)} triangle` +
        `${plural(nonFiniteTriangles)} have NaN or infinite coordinates; those triangles are ignored.`
    )
  }
  const maxDim = Math.max(size[0], size[1], size[2])
  const inchSuspect = maxDim > 0 && maxDim < 10 && maxDim * INCH >= 10 && maxDim * INCH <= 400
  if (inchSuspect) {
    const mm = size.map((s) => formatMm(s)).join(' × ')
    const inch = size.map((s) => formatMm(s * INCH)).join(' × ')
    warn(`The model is only ${mm} mm; if it was drawn in inches it is ${inch} mm.`)
  }
  // Under 1 mm across: drawn in metres (a 70 mm part is 0.07). Over 10 m: drawn in micrometres.
  // Either way the printer would get a speck or a building; the factor brings it to a size that
  // prints (1–2,000 mm), or the file is left alone.
  let unitSuspect: MeshReport['unitSuspect'] = null
  if (maxDim > 0 && maxDim < 1 && maxDim * 1000 >= 1 && maxDim * 1000 <= 2000) unitSuspect = 'm'
  else if (maxDim > 10_000 && maxDim / 1000 >= 1 && maxDim / 1000 <= 2000) unitSuspect = 'um'
  if (unitSuspect) {
    const mm = size.map((s) => formatMm(s)).join(' × ')
    const factor = unitSuspect === 'm' ? 1000 : 0.001
    const fixed = size.map((s) => formatMm(s * factor)).join(' × ')
    warn(
      `The model is ${mm} mm, ${unitSuspect === 'm' ? 'too small' : 'too big'} to print; if it was drawn in ${unitSuspect === 'm' ? 'metres' : 'micrometres'} it is ${fixed} mm.`
    )
  }
  // Parser notes (padding, skipped facets) are warnings too.
  warnings += parsed.notes?.length ?? 0
  notes.push(...(parsed.info ?? []))

  return {
    format: parsed.format,
    triangles,
    bbox,
    size,
    surfaceArea: area,
    volume,
    volumeNote,
    closed,
    openEdges: edges.open,
    nonManifoldEdges: edges.nonManifold,
    inconsistentEdges: edges.inconsistent,
    degenerate,
    nonFiniteVertices,
    shells,
    inchSuspect,
    unitSuspect,
    verdict: errors > 0 ? 'error' : warnings > 0 ? 'warning' : 'ok',
    notes
  }
}

function plural(n: number): string {
  return n === 1 ? '' : 's'
}

function extent(min: number, max: number): number {
  const d = max - min
  return Number.isFinite(d) && d > 0 ? d : 0
}

function finiteMid(min: number, max: number): number {
  const m = (min + max) / 2
  return Number.isFinite(m) ? m : 0
}
