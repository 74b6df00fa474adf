// What a dropped file is: STL, a 3MF project, a sliced gcode.3mf, or something else. Decides from
// the first bytes and, for a ZIP archive, from its central directory (the file names), without
// inflating anything. `sniffModelFile` reads only those slices of a File (head, tail, directory).

import { looksLikeText, sniffOtherFormat, sniffTextFormat, isZipMagic } from '../stl/sniff'
import { ThreeMfFailure } from './errors'
import { DEFAULT_LIMITS } from './limits'
import { findEocd, readCentralDirectoryLocation, readCentralEntries, type ZipEntry } from './zip'

export type ModelFormat = 'stl' | '3mf' | 'gcode3mf' | 'other'

export interface DetectedFormat {
  format: ModelFormat
  /** For people: "a 3MF project", "a sliced 3MF (G-code for the printer)", "a PDF document"… */
  what: string
}

/** The part of the Blob/File interface used here (a browser File and Node's Blob both fit). */
export interface FileSlices {
  readonly size: number
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> }
}

const HEAD_BYTES = 4096
const TAIL_BYTES = 22 + 0xffff + 20 + 56
/** Largest central directory read to classify a ZIP (20,000 entries of typical name length). */
const MAX_DIRECTORY_BYTES = 16 * 1024 * 1024

const THREEMF: DetectedFormat = { format: '3mf', what: 'a 3MF project' }
const GCODE3MF: DetectedFormat = {
  format: 'gcode3mf',
  what: 'a sliced 3MF (G-code for one printer)'
}
const ZIP_OTHER: DetectedFormat = { format: 'other', what: 'a ZIP archive without a 3D model' }
/** A ZIP whose directory cannot be read: the 3MF engine says exactly what is wrong with it. */
const ZIP_DAMAGED: DetectedFormat = {
  format: '3mf',
  what: 'a damaged ZIP archive (a truncated 3MF?)'
}

/** Classifies ZIP entries by name: a 3D model part makes a 3MF, plate G-code a gcode.3mf. */
export function classifyEntries(entries: readonly ZipEntry[]): DetectedFormat {
  let model = false
  let gcode = false
  for (const e of entries) {
    const n = e.name.replace(/^\/+/, '')
    if (/^3D\/.+\.model$/i.test(n)) model = true
    else if (/^Metadata\/.+\.gcode$/i.test(n)) gcode = true
  }
  if (gcode) return GCODE3MF
  return model ? THREEMF : ZIP_OTHER
}

/** A binary STL's size is exactly 84 + 50 × the count at offset 80 (its header is free text). */
function exactBinaryStl(head: Uint8Array, size: number): boolean {
  if (head.length < 84) return false
  const count = (head[80]! | (head[81]! << 8) | (head[82]! << 16) | (head[83]! << 24)) >>> 0
  return 84 + 50 * count === size
}

function fromHead(head: Uint8Array, size: number): DetectedFormat | null {
  if (size === 0) return { format: 'other', what: 'an empty file' }
  // The STL engine's rule: an exact binary size wins, whatever the header says (even "PK…").
  if (exactBinaryStl(head, size)) return { format: 'stl', what: 'an STL model' }
  if (isZipMagic(head)) return null
  const other = sniffOtherFormat(head)
  if (other !== null) return { format: 'other', what: other }
  if (looksLikeText(head)) {
    const text = sniffTextFormat(head)
    if (text !== null) return { format: 'other', what: text }
  }
  return { format: 'stl', what: 'an STL model' }
}

/** Detects the format of a whole file in memory. */
export function detectModelFormat(bytes: Uint8Array): DetectedFormat {
  const early = fromHead(bytes.subarray(0, HEAD_BYTES), bytes.length)
  if (early) return early
  try {
    const eocd = findEocd(bytes)
    if (eocd < 0) return ZIP_DAMAGED
    const cd = readCentralDirectoryLocation(bytes, eocd)
    if (cd.count > DEFAULT_LIMITS.maxEntries || cd.offset + cd.size > bytes.length)
      return ZIP_DAMAGED
    return classifyEntries(readCentralEntries(bytes, cd))
  } catch (e) {
    if (e instanceof ThreeMfFailure) return ZIP_DAMAGED
    throw e
  }
}

/**
 * Detects the format of a File by reading at most its first 4 KiB, its last ~64 KiB and its ZIP
 * directory. A damaged ZIP counts as 3MF here, so that opening it says exactly what is wrong.
 */
export async function sniffModelFile(file: FileSlices): Promise<DetectedFormat> {
  const size = file.size
  const head = new Uint8Array(await file.slice(0, Math.min(size, HEAD_BYTES)).arrayBuffer())
  const early = fromHead(head, size)
  if (early) return early
  const tailStart = Math.max(0, size - TAIL_BYTES)
  const tail = new Uint8Array(await file.slice(tailStart, size).arrayBuffer())
  try {
    const eocd = findEocd(tail)
    if (eocd < 0) return ZIP_DAMAGED
    const cd = readCentralDirectoryLocation(tail, eocd, tailStart)
    if (cd.count > DEFAULT_LIMITS.maxEntries || cd.size > MAX_DIRECTORY_BYTES) return ZIP_DAMAGED
    if (cd.offset + cd.size > size) return ZIP_DAMAGED
    const dir = new Uint8Array(await file.slice(cd.offset, cd.offset + cd.size).arrayBuffer())
    return classifyEntries(readCentralEntries(dir, cd, cd.offset))
  } catch (e) {
    if (e instanceof ThreeMfFailure) return ZIP_DAMAGED
    throw e
  }
}
