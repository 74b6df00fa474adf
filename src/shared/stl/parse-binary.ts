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
  let badVertices = 0
  let badTriangles = 0
  // Skip the 12-byte normal: the first vertex of triangle t is at 84 + 50t + 12.
  let o = BINARY_HEADER_BYTES + 12
  let w = 0
  for (let t = 0; t < count; t++) {
    const before = badVertices
    for (let k = 0; k < 3; k++) {
      const x = view.getFloat32(o, true)
      const y = view.getFloat32(o + 4, true)
      const z = view.getFloat32(o + 8, true)
      out[w] = x
      out[w + 1] = y
      out[w + 2] = z
      // A sum of float32 values cannot overflow a double, so s - s is 0 exactly when all are finite.
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
      o += 12
      w += 3
    }
    if (badVertices !== before) badTriangles++
    o += 14 // attribute (2) + next normal (12)
  }
  return {
    positions: out,
    triangles: count,
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
