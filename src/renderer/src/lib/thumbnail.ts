// A tiny software rasterizer for file-list thumbnails. It runs in the parse worker (no WebGL
// context per file, nothing on the UI thread): orthographic view from the front-right-top,
// flat Lambert shading, z-buffer. Cost is one pass over the triangles.

const LIGHT = normalize([0.4, -0.6, 0.7])

function normalize(v: [number, number, number]): [number, number, number] {
  const l = Math.hypot(v[0], v[1], v[2]) || 1
  return [v[0] / l, v[1] / l, v[2] / l]
}

/** Renders positions (Z up) into RGBA pixels of a `size`×`size` image. */
export function rasterizeThumbnail(positions: Float32Array, size: number): Uint8ClampedArray {
  const px = new Uint8ClampedArray(size * size * 4)
  const depth = new Float32Array(size * size).fill(-Infinity)
  const n = Math.floor(positions.length / 9)
  // View rotation: yaw -35° about Z, then pitch 30° so we look slightly down on the model.
  const cy = Math.cos(-0.61),
    sy = Math.sin(-0.61)
  const cp = Math.cos(0.52),
    sp = Math.sin(0.52)
  const proj = (x: number, y: number, z: number): [number, number, number] => {
    const x1 = x * cy - y * sy
    const y1 = x * sy + y * cy
    // screen u = x1, v = z*cp - y1*sp (up), depth = y1*cp + z*sp (towards viewer = -)
    return [x1, z * cp + y1 * sp, -y1 * cp + z * sp]
  }
  let minU = Infinity,
    maxU = -Infinity,
    minV = Infinity,
    maxV = -Infinity
  const step = Math.max(1, Math.floor(n / 400_000)) // decimate huge meshes: a thumbnail needs no more
  for (let t = 0; t < n; t += step) {
    for (let k = 0; k < 3; k++) {
      const o = t * 9 + k * 3
      const [u, v] = proj(positions[o]!, positions[o + 1]!, positions[o + 2]!)
      if (!Number.isFinite(u) || !Number.isFinite(v)) continue
      if (u < minU) minU = u
      if (u > maxU) maxU = u
      if (v < minV) minV = v
      if (v > maxV) maxV = v
    }
  }
  if (!Number.isFinite(minU)) return px
  const span = Math.max(maxU - minU, maxV - minV) || 1
  const scale = (size * 0.86) / span
  const offU = size / 2 - ((minU + maxU) / 2) * scale
  const offV = size / 2 + ((minV + maxV) / 2) * scale
  for (let t = 0; t < n; t += step) {
    const o = t * 9
    const a = proj(positions[o]!, positions[o + 1]!, positions[o + 2]!)
    const b = proj(positions[o + 3]!, positions[o + 4]!, positions[o + 5]!)
    const c = proj(positions[o + 6]!, positions[o + 7]!, positions[o + 8]!)
    // Face normal in world space for shading (two-sided).
    const ux = positions[o + 3]! - positions[o]!,
      uy = positions[o + 4]! - positions[o + 1]!,
      uz = positions[o + 5]! - positions[o + 2]!
    const vx = positions[o + 6]! - positions[o]!,
      vy = positions[o + 7]! - positions[o + 1]!,
      vz = positions[o + 8]! - positions[o + 2]!
    const nx = uy * vz - uz * vy,
      ny = uz * vx - ux * vz,
      nz = ux * vy - uy * vx
    const nl = Math.hypot(nx, ny, nz)
    if (!(nl > 0)) continue
    const shade = 0.35 + 0.65 * Math.abs((nx * LIGHT[0] + ny * LIGHT[1] + nz * LIGHT[2]) / nl)
    const x0 = a[0] * scale + offU,
      y0 = offV - a[1] * scale
    const x1 = b[0] * scale + offU,
      y1 = offV - b[1] * scale
    const x2 = c[0] * scale + offU,
      y2 = offV - c[1] * scale
    const area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    if (area === 0 || !Number.isFinite(area)) continue
    const bx0 = Math.max(0, Math.floor(Math.min(x0, x1, x2)))
    const bx1 = Math.min(size - 1, Math.ceil(Math.max(x0, x1, x2)))
    const by0 = Math.max(0, Math.floor(Math.min(y0, y1, y2)))
    const by1 = Math.min(size - 1, Math.ceil(Math.max(y0, y1, y2)))
    for (let y = by0; y <= by1; y++) {
      for (let x = bx0; x <= bx1; x++) {
        const sx = x + 0.5,
          sy2 = y + 0.5
        const w0 = ((x1 - sx) * (y2 - sy2) - (x2 - sx) * (y1 - sy2)) / area
        const w1 = ((x2 - sx) * (y0 - sy2) - (x0 - sx) * (y2 - sy2)) / area
        const w2 = 1 - w0 - w1
        if (w0 < 0 || w1 < 0 || w2 < 0) continue
        const z = w0 * a[2] + w1 * b[2] + w2 * c[2]
        const i = y * size + x
        if (z <= depth[i]!) continue
        depth[i] = z
        px[i * 4] = 240 * shade
        px[i * 4 + 1] = 128 * shade
        px[i * 4 + 2] = 40 * shade
        px[i * 4 + 3] = 255
      }
    }
  }
  return px
}

/** PNG data URL of RGBA pixels, encoded with an OffscreenCanvas; worker-only (FileReaderSync). */
export async function thumbnailDataUrl(pixels: Uint8ClampedArray, size: number): Promise<string> {
  const canvas = new OffscreenCanvas(size, size)
  const ctx = canvas.getContext('2d')
  if (!ctx) throw new Error('no 2D context')
  ctx.putImageData(new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, size, size), 0, 0)
  const png = await canvas.convertToBlob({ type: 'image/png' })
  // A data URL, not a blob: URL, so nothing has to be revoked when the file leaves the list.
  return new FileReaderSync().readAsDataURL(png)
}
