// Format detection and the public parse entry point. Decides by size first (a binary header may
// legally start with "solid"), validates every count against the byte length before allocating,
// and returns typed errors instead of throwing.

import { asciiNotes, AsciiStlScanner, type AsciiScan } from './parse-ascii'
import {
  BINARY_HEADER_BYTES,
  BINARY_TRIANGLE_BYTES,
  binaryHeaderName,
  readBinaryTriangles,
  type RawGeometry
} from './parse-binary'
import { stlFail, tooLargeBytesMessage, tooManyTrianglesMessage } from './errors'
import { formatBytes, formatCount } from '../format'
import { looksLikeText, sniffOtherFormat, sniffTextFormat, startsWithSolid } from './sniff'
import type { ParsedStl, ParseLimits, ParseOptions, StlError, StlResult } from './types'

/** Default byte limit: 2 GiB − 1, the largest file Node's fs.readFile accepts. */
export const DEFAULT_MAX_BYTES = 2 ** 31 - 1
/** Default triangle limit (≈ 900 MB of positions). */
export const DEFAULT_MAX_TRIANGLES = 25_000_000

/** Resolved limits with defaults applied. */
export function resolveLimits(limits?: ParseLimits): Required<ParseLimits> {
  return {
    maxBytes: limits?.maxBytes ?? DEFAULT_MAX_BYTES,
    maxTriangles: limits?.maxTriangles ?? DEFAULT_MAX_TRIANGLES
  }
}

/** Views any supported input as bytes without copying. */
export function toBytes(input: Uint8Array | ArrayBuffer): Uint8Array {
  return input instanceof Uint8Array ? input : new Uint8Array(input)
}

/** Parses a binary or ASCII STL into flat positions; never throws on bad input. */
export function parseStl(
  input: Uint8Array | ArrayBuffer,
  limits?: ParseLimits,
  options?: ParseOptions
): StlResult<ParsedStl> {
  const inPlace = options?.inPlace === true
  const bytes = toBytes(input)
  const { maxBytes, maxTriangles } = resolveLimits(limits)
  const size = bytes.byteLength
  if (size === 0) return stlFail('empty')
  if (size > maxBytes) return stlFail('too-large', tooLargeBytesMessage(size, maxBytes))

  // 1. Exact binary size wins, whatever the header says (≈1 binary in 7 starts with "solid").
  if (size >= BINARY_HEADER_BYTES) {
    const count = readCount(bytes)
    if (BINARY_HEADER_BYTES + BINARY_TRIANGLE_BYTES * count === size) {
      return parseBinary(bytes, count, maxTriangles, [], inPlace)
    }
  }

  // 2. Text that starts with `solid` (BOM and whitespace tolerated) is ASCII.
  const text = looksLikeText(bytes)
  if (text && startsWithSolid(bytes)) return parseAscii(bytes, maxTriangles, true)

  // 3. Other text: ASCII facets without a `solid` line are still read; anything else is not STL.
  if (text) {
    const other = sniffTextFormat(bytes)
    if (other === null) {
      const result = parseAscii(bytes, maxTriangles, false)
      if (result.ok || result.error.code !== 'no-triangles') return result
    }
    return { ok: false, error: textNotStlError(other) }
  }
  const other = sniffOtherFormat(bytes)
  if (other !== null) return { ok: false, error: otherFormatError(other) }

  // 4. Binary whose size does not match its count exactly.
  if (size < BINARY_HEADER_BYTES) return { ok: false, error: tooSmallError(size) }
  return parseMismatchedBinary(bytes, maxTriangles, inPlace)
}

// The verdicts below are shared with the streamed check (check-stream.ts), which must say exactly
// what parseStl says without holding the file.

/** Text that is not an STL (`other` names its format when known). */
export function textNotStlError(other: string | null): StlError {
  return {
    code: 'not-stl',
    message: `This is ${other ?? 'a text file'}, not an STL (no 'solid' or 'facet' keywords).`
  }
}

/** A binary file of a known other format (PNG, ZIP…). */
export function otherFormatError(other: string): StlError {
  return { code: 'not-stl', message: `This is ${other}, not an STL.` }
}

/** A binary-looking file too short for the header and count. */
export function tooSmallError(size: number): StlError {
  return {
    code: 'too-small',
    message: `The file has only ${formatBytes(size)}; a binary STL needs at least 84 (header and count).`
  }
}

/** The count of a binary STL that holds its triangles: 0, or more than the limit, is an error. */
export function binaryCountError(count: number, maxTriangles: number): StlError | null {
  if (count === 0) return { code: 'no-triangles', message: ZERO_TRIANGLES }
  if (count > maxTriangles) {
    return { code: 'too-large', message: tooManyTrianglesMessage(count, maxTriangles) }
  }
  return null
}

const ZERO_TRIANGLES = 'The header says the file has 0 triangles.'

/**
 * A binary STL longer than 84 + 50 × count (the caller checked `shortBinaryError` first): an
 * error when the trailing bytes are not padding, or null to read `count` triangles and note
 * `paddingNote`. `trailerBlank` says whether every byte after the last triangle is NUL/space.
 */
export function longBinaryError(
  size: number,
  count: number,
  trailerBlank: boolean
): StlError | null {
  const extra = size - (BINARY_HEADER_BYTES + BINARY_TRIANGLE_BYTES * count)
  const whole = Math.floor((size - BINARY_HEADER_BYTES) / BINARY_TRIANGLE_BYTES)
  const mismatch: StlError = { code: 'count-mismatch', message: countMismatchMessage(count, whole) }
  if (count === 0)
    return trailerBlank ? { code: 'no-triangles', message: ZERO_TRIANGLES } : mismatch
  // Whole extra triangles: the header count is wrong, not padded.
  if (extra >= BINARY_TRIANGLE_BYTES && extra % BINARY_TRIANGLE_BYTES === 0 && !trailerBlank) {
    return mismatch
  }
  return null
}

/** The note of a binary STL read with trailing padding. */
export function paddingNote(size: number, count: number): string {
  const extra = size - (BINARY_HEADER_BYTES + BINARY_TRIANGLE_BYTES * count)
  return `Ignored ${formatBytes(extra)} after the last of ${formatCount(count)} triangles (padding).`
}

/** The uint32 triangle count at offset 80 of a binary STL (the caller checks length ≥ 84). */
export function readCount(bytes: Uint8Array): number {
  return (bytes[80]! | (bytes[81]! << 8) | (bytes[82]! << 16) | (bytes[83]! << 24)) >>> 0
}

function parseMismatchedBinary(
  bytes: Uint8Array,
  maxTriangles: number,
  inPlace: boolean
): StlResult<ParsedStl> {
  const size = bytes.byteLength
  const count = readCount(bytes)
  const error =
    shortBinaryError(size, count) ??
    longBinaryError(
      size,
      count,
      isBlank(bytes, BINARY_HEADER_BYTES + BINARY_TRIANGLE_BYTES * count)
    )
  if (error) return { ok: false, error }
  return parseBinary(bytes, count, maxTriangles, [paddingNote(size, count)], inPlace)
}

/**
 * The error for a binary STL smaller than its header count says (nothing is allocated: the count
 * is only compared with the size), or null when the file is at least that big. Needs only the
 * size and the count, so it can run before the file is read (see preflight.ts).
 */
export function shortBinaryError(size: number, count: number): StlError | null {
  const expected = BINARY_HEADER_BYTES + BINARY_TRIANGLE_BYTES * count
  if (size >= expected) return null
  const dataBytes = size - BINARY_HEADER_BYTES
  const whole = Math.floor(dataBytes / BINARY_TRIANGLE_BYTES)
  if (dataBytes % BINARY_TRIANGLE_BYTES !== 0) {
    return {
      code: 'truncated',
      message: `The file ends after ${formatCount(whole)} of ${formatCount(count)} triangles (truncated).`
    }
  }
  return { code: 'count-mismatch', message: countMismatchMessage(count, whole) }
}

/** "The header says 5 triangles but the file holds 4 (count mismatch)." */
export function countMismatchMessage(count: number, whole: number): string {
  return (
    `The header says ${formatCount(count)} triangle${count === 1 ? '' : 's'} but the file ` +
    `holds ${formatCount(whole)} (count mismatch).`
  )
}

/** True when every byte from `from` on is padding (NUL or whitespace). */
export function isBlank(bytes: Uint8Array, from: number): boolean {
  for (let i = from; i < bytes.length; i++) {
    const c = bytes[i]!
    if (c !== 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return false
  }
  return true
}

function parseBinary(
  bytes: Uint8Array,
  count: number,
  maxTriangles: number,
  notes: string[],
  inPlace: boolean
): StlResult<ParsedStl> {
  const error = binaryCountError(count, maxTriangles)
  if (error) return { ok: false, error }
  // Read the header first: an in-place parse overwrites it.
  const name = binaryHeaderName(bytes)
  return finish(readBinaryTriangles(bytes, count, inPlace), 'binary', name, notes)
}

function parseAscii(
  bytes: Uint8Array,
  maxTriangles: number,
  hasSolid: boolean
): StlResult<ParsedStl> {
  const scanner = new AsciiStlScanner({ maxTriangles, expectedBytes: bytes.byteLength })
  scanner.push(bytes)
  return asciiResult(scanner.finish(), hasSolid, maxTriangles)
}

/** Turns a finished ASCII scan into a result (shared with streaming callers). */
export function asciiResult(
  scan: AsciiScan,
  hasSolid: boolean,
  maxTriangles: number
): StlResult<ParsedStl> {
  if (scan.overflow) {
    return stlFail('too-large', tooManyTrianglesMessage(scan.triangles, maxTriangles, true))
  }
  if (scan.triangles === 0) {
    // Cut short before the first facet was complete: say so, not "no triangles". Without a
    // `solid` line, only an unfinished facet that already has a vertex counts as STL evidence.
    const solid = hasSolid || scan.sawSolid
    if (scan.endedMidFacet && (solid || scan.endedMidFacetVertices > 0)) {
      return stlFail('truncated', endedMidFacetMessage(scan))
    }
    if (!solid) return stlFail('no-triangles')
    const skipped = scan.skippedFacets
    return stlFail(
      'no-triangles',
      skipped > 0
        ? `The file has no readable triangles (${formatCount(skipped)} malformed facet${skipped === 1 ? '' : 's'} skipped).`
        : 'The file has a solid but no triangles.'
    )
  }
  const { notes, info } = asciiNotes(scan)
  return finish(scan, 'ascii', scan.name, notes, info)
}

function endedMidFacetMessage(scan: AsciiScan): string {
  const v = scan.endedMidFacetVertices
  const got = v > 0 ? ` after ${v} of its 3 vertices` : ''
  return `The file ends mid-facet${got}, before any complete triangle (truncated).`
}

/** The NaN/Inf policy's verdict (see `finish`): an error when at least half the triangles are bad. */
export function nonFiniteError(badTriangles: number, triangles: number): StlError | null {
  if (badTriangles * 2 < triangles) return null
  return {
    code: 'nan-coordinates',
    message:
      `${formatCount(badTriangles)} of ${formatCount(triangles)} triangles have coordinates that ` +
      `are not numbers (NaN or infinite).`
  }
}

/**
 * Applies the NaN/Inf policy and builds the value. Policy: keep a mesh whose non-finite
 * triangles are a minority (they are counted, left out of the bbox and ignored by the
 * analysis); reject it when at least half of the triangles have a NaN/Inf vertex, because
 * then the model is garbage rather than a few bad facets.
 */
function finish(
  geo: RawGeometry,
  format: 'binary' | 'ascii',
  name: string,
  notes: string[],
  info: string[] = []
): StlResult<ParsedStl> {
  const bad = geo.nonFiniteTriangles
  const garbage = nonFiniteError(bad, geo.triangles)
  if (garbage) return { ok: false, error: garbage }
  if (bad > 0) {
    notes.push(
      `${formatCount(geo.nonFiniteVertices)} vertices in ${formatCount(bad)} triangle${bad === 1 ? '' : 's'} ` +
        `have NaN or infinite coordinates; those triangles are ignored.`
    )
  }
  return {
    ok: true,
    value: {
      format,
      positions: geo.positions,
      triangles: geo.triangles,
      bbox: geo.bbox,
      name,
      nonFiniteVertices: geo.nonFiniteVertices,
      notes,
      info
    }
  }
}
