// Small PNG thumbnails for parts and jobs: a top-down silhouette of the mesh, shaded by height
// (what a slicer's plate preview roughly shows), encoded with node:zlib. No image library needed.
import { crc32, deflateSync } from 'node:zlib'

const SIGNATURE = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, 'ascii')
  out.set(data, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)) >>> 0, 8 + data.length)
  return out
}

/** Encodes 8-bit RGBA pixels (row-major) as a PNG. */
export function encodePng(width: number, height: number, rgba: Uint8Array): Uint8Array {
  const header = Buffer.alloc(13)
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header.set([8, 6, 0, 0, 0], 8) // 8 bits, RGBA, deflate, no filter method, no interlace
  const raw = Buffer.alloc((width * 4 + 1) * height)
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0 // filter: none
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1)
  }
  return Buffer.concat([
    SIGNATURE,
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0))
  ])
}

/** Most triangles rasterised per thumbnail; bigger meshes are sampled evenly. */
const MAX_TRIANGLES = 400_000

/**
 * A `size`×`size` top view of triangle soups (9 floats per triangle, Z up): each pixel takes the
 * highest Z covering it, lighter = higher, on a transparent background, aspect ratio kept.
 */
export function renderTopView(meshes: Float32Array[], size = 128): Uint8Array {
  let minX = Infinity
  let minY = Infinity
  let minZ = Infinity
  let maxX = -Infinity
  let maxY = -Infinity
  let maxZ = -Infinity
  for (const m of meshes) {
    for (let i = 0; i + 2 < m.length; i += 3) {
      const x = m[i]!
      const y = m[i + 1]!
      const z = m[i + 2]!
      if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) continue
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
      if (z < minZ) minZ = z
      if (z > maxZ) maxZ = z
    }
  }
  const heights = new Float32Array(size * size).fill(-Infinity)
  if (Number.isFinite(minX)) {
    const span = Math.max(maxX - minX, maxY - minY, 1e-6)
    const margin = 4
    const scale = (size - 2 * margin) / span
    const offX = margin + (size - 2 * margin - (maxX - minX) * scale) / 2
    const offY = margin + (size - 2 * margin - (maxY - minY) * scale) / 2
    const total = meshes.reduce((n, m) => n + Math.floor(m.length / 9), 0)
    const stride = Math.max(1, Math.ceil(total / MAX_TRIANGLES))
    for (const m of meshes) {
      for (let t = 0; t * 9 + 8 < m.length; t += stride) {
        const o = t * 9
        const px = (k: number): number => offX + (m[o + k * 3]! - minX) * scale
        // Image rows run top to bottom; +Y (the back of the bed) is up.
        const py = (k: number): number => size - (offY + (m[o + k * 3 + 1]! - minY) * scale)
        fillTriangle(
          heights,
          size,
          [px(0), py(0)],
          [px(1), py(1)],
          [px(2), py(2)],
          Math.max(m[o + 2]!, m[o + 5]!, m[o + 8]!)
        )
      }
    }
  }
  const rgba = new Uint8Array(size * size * 4)
  const range = Math.max(maxZ - minZ, 1e-6)
  for (let i = 0; i < heights.length; i++) {
    const h = heights[i]!
    if (h === -Infinity) continue
    const shade = 0.45 + 0.55 * ((h - minZ) / range)
    rgba[i * 4] = Math.round(40 + 120 * shade)
    rgba[i * 4 + 1] = Math.round(80 + 140 * shade)
    rgba[i * 4 + 2] = Math.round(140 + 115 * shade)
    rgba[i * 4 + 3] = 255
  }
  return encodePng(size, size, rgba)
}

type Pt = [number, number]

function fillTriangle(heights: Float32Array, size: number, a: Pt, b: Pt, c: Pt, z: number): void {
  const x0 = Math.max(0, Math.floor(Math.min(a[0], b[0], c[0])))
  const x1 = Math.min(size - 1, Math.ceil(Math.max(a[0], b[0], c[0])))
  const y0 = Math.max(0, Math.floor(Math.min(a[1], b[1], c[1])))
  const y1 = Math.min(size - 1, Math.ceil(Math.max(a[1], b[1], c[1])))
  const edge = (p: Pt, q: Pt, x: number, y: number): number =>
    (q[0] - p[0]) * (y - p[1]) - (q[1] - p[1]) * (x - p[0])
  const area = edge(a, b, c[0], c[1])
  // A wall seen edge-on from above covers nothing; the faces around it do.
  if (Math.abs(area) < 1e-12) return
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      const cx = x + 0.5
      const cy = y + 0.5
      const w0 = edge(b, c, cx, cy)
      const w1 = edge(c, a, cx, cy)
      const w2 = edge(a, b, cx, cy)
      const inside = area > 0 ? w0 >= 0 && w1 >= 0 && w2 >= 0 : w0 <= 0 && w1 <= 0 && w2 <= 0
      if (inside && z > heights[y * size + x]!) heights[y * size + x] = z
    }
  }
}
