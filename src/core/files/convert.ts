// A model read in another unit (inches, metres, micrometres) becomes a file in millimetres before
// it is sent: Printago slices STL numbers as millimetres, so the bytes it gets must be the scaled
// model. The copy is written to the store's data folder (`converted/<source sha>-<unit>/`), once:
// the same source and unit give the same bytes and the same path, so a repeated send or a resume
// hashes it to the same SHA-256 and reuses its part like any other file.
import { createHash } from 'node:crypto'
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'

import { UNIT_SCALE, UNIT_WORDS, type ModelUnit } from '../../shared/send'
import { parseStl } from '../../shared/stl'

export interface ConvertedFile {
  /** The copy in millimetres (what is sent). */
  path: string
  /** SHA-256 of the file the user chose. */
  sourceSha256: string
  unit: ModelUnit
}

/** The source could not be read as an STL (the send fails this file alone). */
export class ConvertError extends Error {
  constructor(
    readonly file: string,
    message: string
  ) {
    super(message)
    this.name = 'ConvertError'
  }
}

/** A name for the copy: "bracket (from inches).stl". */
export function convertedName(source: string, unit: ModelUnit): string {
  const base = basename(source.replace(/\\/g, '/'))
  const stem = base.replace(/\.stl$/i, '')
  // eslint-disable-next-line no-control-regex
  const safe = stem.replace(/[\\/:*?"<>|\x00-\x1f\x7f]/g, '_').slice(0, 150) || 'model'
  return `${safe} (from ${UNIT_WORDS[unit]}).stl`
}

/** A binary STL of `positions` scaled by `factor` (normals computed, so the file is complete). */
export function scaledBinaryStl(positions: Float32Array, factor: number, note: string): Buffer {
  const triangles = positions.length / 9
  const out = Buffer.alloc(84 + 50 * triangles)
  // The header says where the file came from; it is ASCII and never starts with "solid".
  out.write(`Printago Send: ${note}`.slice(0, 80), 0, 'latin1')
  out.writeUInt32LE(triangles, 80)
  const v = new Float64Array(9)
  for (let t = 0; t < triangles; t++) {
    for (let i = 0; i < 9; i++) v[i] = positions[t * 9 + i]! * factor
    const ux = v[3]! - v[0]!
    const uy = v[4]! - v[1]!
    const uz = v[5]! - v[2]!
    const wx = v[6]! - v[0]!
    const wy = v[7]! - v[1]!
    const wz = v[8]! - v[2]!
    let nx = uy * wz - uz * wy
    let ny = uz * wx - ux * wz
    let nz = ux * wy - uy * wx
    const len = Math.hypot(nx, ny, nz)
    if (len > 0 && Number.isFinite(len)) {
      nx /= len
      ny /= len
      nz /= len
    } else nx = ny = nz = 0
    const at = 84 + 50 * t
    out.writeFloatLE(nx, at)
    out.writeFloatLE(ny, at + 4)
    out.writeFloatLE(nz, at + 8)
    for (let i = 0; i < 9; i++) out.writeFloatLE(v[i]!, at + 12 + i * 4)
  }
  return out
}

async function writeDurable(path: string, bytes: Buffer): Promise<void> {
  const tmp = `${path}.${process.pid}.tmp`
  const handle = await open(tmp, 'w', 0o600)
  try {
    await handle.writeFile(bytes)
    await handle.sync()
  } finally {
    await handle.close()
  }
  await rename(tmp, path)
}

/**
 * The millimetre copy of `source` read in `unit`: written under `dir/converted/` the first time,
 * found there afterwards. Throws ConvertError when the source is not a readable STL, and the file
 * system's error (disk full…) when the copy cannot be written.
 */
export async function convertToMillimetres(
  source: string,
  unit: ModelUnit,
  dir: string
): Promise<ConvertedFile> {
  let bytes: Buffer
  try {
    bytes = await readFile(source)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ConvertError(source, `${source}: file not found`)
    throw error
  }
  const sourceSha256 = createHash('sha256').update(bytes).digest('hex')
  const folder = join(dir, 'converted', `${sourceSha256}-${unit}`)
  const path = join(folder, convertedName(source, unit))
  const parsed = parseStl(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))
  if (!parsed.ok) throw new ConvertError(source, `${source}: ${parsed.error.message}`)
  const size = 84 + 50 * parsed.value.triangles
  const existing = await stat(path).catch(() => null)
  if (existing?.isFile() && existing.size === size) return { path, sourceSha256, unit }
  const factor = UNIT_SCALE[unit]
  // Nothing of the source's name in the bytes: the same model under two names is one part.
  const out = scaledBinaryStl(
    parsed.value.positions,
    factor,
    `read in ${UNIT_WORDS[unit]}, x${factor}`
  )
  await mkdir(folder, { recursive: true, mode: 0o700 })
  try {
    await writeDurable(path, out)
  } catch (error) {
    await rm(`${path}.${process.pid}.tmp`, { force: true })
    throw error
  }
  return { path, sourceSha256, unit }
}
