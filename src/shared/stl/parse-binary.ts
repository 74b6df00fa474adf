// Binary STL: 80-byte header, uint32 LE count, then 50 bytes per triangle (normal, 3 vertices,
// uint16 attribute). One pre-sized pass; normals are not read (they are recomputed for display).

import type { Bbox } from './types'

/** Geometry pulled out of a byte range, before the caller decides whether it is usable. */
export interface RawGeometry {
  positions: Float32Array
  triangles: number
  bbox: Bbox
  /** Vertices with a NaN/±Inf coordinate. */
  nonFiniteVertices: number
  /** Triangles with at least one such vertex. */
  nonFiniteTriangles: number
}

/** Header + count size of a binary STL. */
export const BINARY_HEADER_BYTES = 84
/** Bytes per binary triangle record. */
export const BINARY_TRIANGLE_BYTES = 50

/**
 * Reads `count` triangle records. The caller has already checked that the bytes hold them all,
 * so this only allocates `count × 36` bytes, never more. With `inPlace` the positions are
 * written over the input itself (see ParseOptions.inPlace): the write offset 36t + 12k always
 * trails the read offset 96 + 50t + 12k, so no unread byte is overwritten.
 */
export function readBinaryTriangles(
  bytes: Uint8Array,
  count: number,
  inPlace = false
): RawGeometry {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out =
    inPlace && bytes.byteOffset % 4 === 0
      ? new Float32Array(bytes.buffer, bytes.byteOffset, count * 9)
      : new Float32Array(count * 9)
  let minX = Infinity
  let minY = Infinity
  let minZ = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  let maxZ = -Infinity
  // NaN never wins a comparison, so the bbox skips it for free. The running sum turns NaN or
  // infinite as soon as any coordinate is (a sum of float32s cannot overflow a double); only
  // then does a second, exact pass count the bad vertices. Keeps the hot loop branch-light.
  let sum = 0
  // Skip the 12-byte normal: the first vertex of triangle t is at 84 + 50t + 12.
  let o = BINARY_HEADER_BYTES + 12
  let w = 0
  for (let t = 0; t < count; t++) {
    const x0 = view.getFloat32(o, true)
    const y0 = view.getFloat32(o + 4, true)
    const z0 = view.getFloat32(o + 8, true)
    const x1 = view.getFloat32(o + 12, true)
    const y1 = view.getFloat32(o + 16, true)
    const z1 = view.getFloat32(o + 20, true)
    const x2 = view.getFloat32(o + 24, true)
    const y2 = view.getFloat32(o + 28, true)
    const z2 = view.getFloat32(o + 32, true)
    out[w] = x0
    out[w + 1] = y0
    out[w + 2] = z0
    out[w + 3] = x1
    out[w + 4] = y1
    out[w + 5] = z1
    out[w + 6] = x2
    out[w + 7] = y2
    out[w + 8] = z2
    sum += x0 + y0 + z0 + (x1 + y1 + z1) + (x2 + y2 + z2)
    if (x0 < minX) minX = x0
    if (x0 > maxX) maxX = x0
    if (x1 < minX) minX = x1
    if (x1 > maxX) maxX = x1
    if (x2 < minX) minX = x2
    if (x2 > maxX) maxX = x2
    if (y0 < minY) minY = y0
    if (y0 > maxY) maxY = y0
    if (y1 < minY) minY = y1
    if (y1 > maxY) maxY = y1
    if (y2 < minY) minY = y2
    if (y2 > maxY) maxY = y2
    if (z0 < minZ) minZ = z0
    if (z0 > maxZ) maxZ = z0
    if (z1 < minZ) minZ = z1
    if (z1 > maxZ) maxZ = z1
    if (z2 < minZ) minZ = z2
    if (z2 > maxZ) maxZ = z2
    o += BINARY_TRIANGLE_BYTES
    w += 9
  }
  if (sum - sum !== 0) return withNonFinite(out, count)
  return {
    positions: out,
    triangles: count,
    bbox: { min: [minX, minY, minZ], max: [maxX, maxY, maxZ] },
    nonFiniteVertices: 0,
    nonFiniteTriangles: 0
  }
}

/** The exact pass for meshes with NaN/±Inf: counts them and takes the bbox of the rest. */
export function withNonFinite(positions: Float32Array, triangles: number): RawGeometry {
  let minX = Infinity
  let minY = Infinity
  let minZ = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  let maxZ = -Infinity
  let badVertices = 0
  let badTriangles = 0
  for (let t = 0; t < triangles; t++) {
    const before = badVertices
    for (let o = t * 9; o < t * 9 + 9; o += 3) {
      const x = positions[o]!
      const y = positions[o + 1]!
      const z = positions[o + 2]!
      const s = x + y + z
      if (s - s === 0) {
        if (x < minX) minX = x
        if (x > maxX) maxX = x
        if (y < minY) minY = y
        if (y > maxY) maxY = y
        if (z < minZ) minZ = z
        if (z > maxZ) maxZ = z
      } else {
        badVertices++
      }
    }
    if (badVertices !== before) badTriangles++
  }
  return {
    positions,
    triangles,
    bbox: { min: [minX, minY, minZ], max: [maxX, maxY, maxZ] },
    nonFiniteVertices: badVertices,
    nonFiniteTriangles: badTriangles
  }
}

/** The 80-byte header as text: printable ASCII up to the first NUL, trimmed. */
export function binaryHeaderName(bytes: Uint8Array): string {
  let s = ''
  const end = Math.min(80, bytes.length)
  for (let i = 0; i < end; i++) {
    const c = bytes[i]!
    if (c === 0) break
    if (c >= 0x20 && c < 0x7f) s += String.fromCharCode(c)
  }
  return s.trim()
}
