// Draws the app icon (resources/icon.png, 1024×1024 RGBA) with no image library: shapes are signed
// distance functions, so edges are anti-aliased for free, and the PNG is written with node:zlib.
// electron-builder derives every platform format (.icns, .ico, Linux sizes) from this one file.
// Run: node scripts/make-icon.mjs [out.png] [size]
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { crc32, deflateSync } from 'node:zlib'

const here = dirname(fileURLToPath(import.meta.url))
const out = resolve(process.argv[2] ?? resolve(here, '../resources/icon.png'))
const size = Number(process.argv[3] ?? 1024)

// Design on a 1024 grid, scaled to `size`.
const S = size / 1024
const ORANGE = [242, 107, 29]
const WHITE = [255, 255, 255]
const PEACH = [255, 226, 206]
const APRICOT = [255, 196, 158]
const PLATE_EDGE = [255, 232, 214]

/** Signed distance to a rounded square centred in the canvas (negative inside). */
function roundedSquare(x, y, half, radius) {
  const qx = Math.abs(x - 512 * S) - (half - radius)
  const qy = Math.abs(y - 512 * S) - (half - radius)
  const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0))
  return outside + Math.min(Math.max(qx, qy), 0) - radius
}

/** Signed distance (exact inside, close enough outside for a 1px edge) to a convex polygon. */
function convex(points) {
  // Normalised edge normals, with the winding fixed so that "inside" is negative.
  let area = 0
  for (let i = 0; i < points.length; i++) {
    const [x1, y1] = points[i]
    const [x2, y2] = points[(i + 1) % points.length]
    area += x1 * y2 - x2 * y1
  }
  const sign = area > 0 ? 1 : -1
  const edges = points.map(([x1, y1], i) => {
    const [x2, y2] = points[(i + 1) % points.length]
    const len = Math.hypot(x2 - x1, y2 - y1)
    return { x1, y1, nx: (sign * (y2 - y1)) / len, ny: (sign * (x1 - x2)) / len }
  })
  return (x, y) => {
    let d = -Infinity
    for (const e of edges) d = Math.max(d, (x - e.x1) * e.nx + (y - e.y1) * e.ny)
    return d
  }
}

// Isometric axes: x runs down-right, y down-left, z up.
const COS = Math.cos(Math.PI / 6)
function iso(cx, cy) {
  return (x, y, z) => [(cx + (x - y) * COS) * S, (cy + (x + y) * 0.5 - z) * S]
}

function box(project, x0, y0, z0, dx, dy, dz) {
  const p = (x, y, z) => project(x0 + x, y0 + y, z0 + z)
  return {
    top: convex([p(0, 0, dz), p(dx, 0, dz), p(dx, dy, dz), p(0, dy, dz)]),
    left: convex([p(0, dy, 0), p(dx, dy, 0), p(dx, dy, dz), p(0, dy, dz)]),
    right: convex([p(dx, 0, 0), p(dx, dy, 0), p(dx, dy, dz), p(dx, 0, dz)])
  }
}

// A wide, thin build plate with a cube standing on it: "a part on the printer".
const project = iso(512, 524)
const plate = box(project, -215, -215, -64, 430, 430, 30)
const cube = box(project, -112, -112, -34, 224, 224, 224)

// Painter's order, back to front; everything is clipped to the rounded square.
const tile = (x, y) => roundedSquare(x, y, 430 * S, 190 * S)
const layers = [
  { sdf: tile, color: ORANGE },
  { sdf: plate.left, color: PLATE_EDGE, alpha: 0.55 },
  { sdf: plate.right, color: PLATE_EDGE, alpha: 0.4 },
  { sdf: plate.top, color: WHITE, alpha: 0.92 },
  { sdf: cube.left, color: PEACH },
  { sdf: cube.right, color: APRICOT },
  { sdf: cube.top, color: WHITE }
]

const rgba = Buffer.alloc(size * size * 4)
for (let py = 0; py < size; py++) {
  for (let px = 0; px < size; px++) {
    const x = px + 0.5
    const y = py + 0.5
    let r = 0
    let g = 0
    let b = 0
    let a = 0
    for (const layer of layers) {
      // Coverage from distance: a one-pixel ramp across the edge.
      const d = Math.max(layer.sdf(x, y), tile(x, y))
      const cover = Math.min(Math.max(0.5 - d, 0), 1) * (layer.alpha ?? 1)
      if (cover === 0) continue
      // "Over" compositing in premultiplied space.
      r = layer.color[0] * cover + r * (1 - cover)
      g = layer.color[1] * cover + g * (1 - cover)
      b = layer.color[2] * cover + b * (1 - cover)
      a = cover + a * (1 - cover)
    }
    const i = (py * size + px) * 4
    rgba[i] = a ? Math.round(r / a) : 0
    rgba[i + 1] = a ? Math.round(g / a) : 0
    rgba[i + 2] = a ? Math.round(b / a) : 0
    rgba[i + 3] = Math.round(a * 255)
  }
}

function chunk(type, data) {
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

const ihdr = Buffer.alloc(13)
ihdr.writeUInt32BE(size, 0)
ihdr.writeUInt32BE(size, 4)
ihdr[8] = 8 // bit depth
ihdr[9] = 6 // colour type RGBA
// Each scanline starts with filter type 0 (none).
const raw = Buffer.alloc(size * (size * 4 + 1))
for (let y = 0; y < size; y++)
  rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4)

const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0))
])
mkdirSync(dirname(out), { recursive: true })
writeFileSync(out, png)
console.log(`wrote ${out} (${size}×${size}, ${png.length} bytes)`)
