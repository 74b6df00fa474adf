// The engine's verdict on a file fed in chunks, without holding it: what `parseStl` would say on
// the whole file (same code, same message), for a reader that streams the bytes once for another
// reason (hashing before a send). It keeps the first 4 KiB, a 50-byte carry and counters.
//
// The decisions are parseStl's, in its order, made from the size and the first bytes: exact
// binary size first, then text (ASCII, scanned in full), then known other formats, then a binary
// whose size does not match its count (its trailing bytes decide padding or mismatch). What only
// the whole file can tell — non-finite coordinates, the ASCII grammar, blank trailing bytes — is
// counted on the way. check-stream.test.ts holds it to parseStl on fixtures and random mutations.

import { AsciiStlScanner } from './parse-ascii'
import { BINARY_HEADER_BYTES, BINARY_TRIANGLE_BYTES } from './parse-binary'
import {
  asciiResult,
  binaryCountError,
  longBinaryError,
  nonFiniteError,
  otherFormatError,
  readCount,
  resolveLimits,
  shortBinaryError,
  textNotStlError,
  tooSmallError
} from './parse-stl'
import { preflightStl } from './preflight'
import { looksLikeText, SNIFF_BYTES, sniffOtherFormat, sniffTextFormat } from './sniff'
import type { ParseLimits, StlError, StlResult } from './types'

/** What a successful check found. */
export interface StlCheck {
  format: 'binary' | 'ascii'
  triangles: number
}

// One more byte than the sniff window: the text sniff treats a file that ends inside its window
// differently (trailing NUL padding), so the head must show whether the file goes on.
const HEAD_BYTES = SNIFF_BYTES + 1
/** The exponent bits of a float32: all set means NaN or ±Infinity. */
const EXPONENT = 0x7f800000

type Mode =
  | { kind: 'head' }
  | { kind: 'failed'; error: StlError }
  | { kind: 'binary'; count: number; exact: boolean }
  | { kind: 'text'; scanner: AsciiStlScanner; solid: SolidStart }

/** Streams a file of a known size through the engine's rules: `push` each chunk, then `finish`. */
export class StlStreamCheck {
  private readonly size: number
  private readonly maxTriangles: number
  private readonly head: Uint8Array
  private headLength = 0
  private mode: Mode = { kind: 'head' }
  private offset = 0
  // Binary: the triangle record cut by a chunk boundary, the bad triangles, blank trailing bytes.
  private readonly record = new Uint8Array(BINARY_TRIANGLE_BYTES)
  private readonly recordView = new DataView(this.record.buffer)
  private recordLength = 0
  private badTriangles = 0
  private trailerBlank = true

  constructor(size: number, limits?: ParseLimits) {
    this.size = size
    this.maxTriangles = resolveLimits(limits).maxTriangles
    this.head = new Uint8Array(Math.min(size, HEAD_BYTES))
    // Empty, or over the byte limit: known from the size alone.
    const early = preflightStl(size, this.head.subarray(0, 0), limits)
    if (early) this.mode = { kind: 'failed', error: early }
  }

  /** The verdict when it is already an error (the rest of the file need not be read), else null. */
  get error(): StlError | null {
    return this.mode.kind === 'failed' ? this.mode.error : null
  }

  /** Feeds the next bytes of the file, in order. */
  push(chunk: Uint8Array): void {
    if (this.mode.kind === 'failed') return
    let rest = chunk
    if (this.mode.kind === 'head') {
      const take = Math.min(rest.length, this.head.length - this.headLength)
      this.head.set(rest.subarray(0, take), this.headLength)
      this.headLength += take
      rest = rest.subarray(take)
      if (this.headLength < this.head.length) return
      this.decide()
      // The decided mode reads the file from its first byte.
      this.consume(this.head)
    }
    if (rest.length > 0) this.consume(rest)
  }

  /** The verdict once every byte was pushed: the format and triangle count, or parseStl's error. */
  finish(): StlResult<StlCheck> {
    if (this.mode.kind === 'head') {
      // A file shorter than the head: everything was pushed (or the file shrank).
      this.decide()
      this.consume(this.head.subarray(0, this.headLength))
    }
    const mode = this.mode as Exclude<Mode, { kind: 'head' }>
    if (mode.kind === 'failed') return { ok: false, error: mode.error }
    if (this.offset !== this.size) {
      return {
        ok: false,
        error: { code: 'unreadable', message: 'The file changed size while it was being read.' }
      }
    }
    if (mode.kind === 'text') return this.finishText(mode.scanner, mode.solid.result())
    const { count, exact } = mode
    if (!exact) {
      const error =
        longBinaryError(this.size, count, this.trailerBlank) ??
        binaryCountError(count, this.maxTriangles)
      if (error) return { ok: false, error }
    }
    const garbage = nonFiniteError(this.badTriangles, count)
    if (garbage) return { ok: false, error: garbage }
    return { ok: true, value: { format: 'binary', triangles: count } }
  }

  /** parseStl's choice of reading, from the size and the head. */
  private decide(): void {
    const size = this.size
    const head = this.head.subarray(0, this.headLength)
    if (size >= BINARY_HEADER_BYTES && head.length >= BINARY_HEADER_BYTES) {
      const count = readCount(head)
      if (BINARY_HEADER_BYTES + BINARY_TRIANGLE_BYTES * count === size) {
        this.binary(count, true, binaryCountError(count, this.maxTriangles))
        return
      }
    }
    if (looksLikeText(head)) {
      const scanner = new AsciiStlScanner({
        maxTriangles: this.maxTriangles,
        keepPositions: false
      })
      this.mode = { kind: 'text', scanner, solid: new SolidStart() }
      return
    }
    const other = sniffOtherFormat(head)
    if (other !== null) return this.fail(otherFormatError(other))
    if (size < BINARY_HEADER_BYTES) return this.fail(tooSmallError(size))
    const count = readCount(head)
    this.binary(count, false, shortBinaryError(size, count))
  }

  private binary(count: number, exact: boolean, error: StlError | null): void {
    this.mode = error ? { kind: 'failed', error } : { kind: 'binary', count, exact }
  }

  private fail(error: StlError): void {
    this.mode = { kind: 'failed', error }
  }

  private consume(bytes: Uint8Array): void {
    const mode = this.mode
    if (mode.kind === 'text') {
      mode.solid.push(bytes)
      mode.scanner.push(bytes)
    } else if (mode.kind === 'binary') {
      this.binaryBytes(bytes, mode.count)
    }
    this.offset += bytes.length
  }

  /** Counts triangles with a NaN/±Inf coordinate and checks the bytes after the last one. */
  private binaryBytes(bytes: Uint8Array, count: number): void {
    const start = this.offset
    const recordsEnd = BINARY_HEADER_BYTES + BINARY_TRIANGLE_BYTES * count
    let i = Math.max(0, BINARY_HEADER_BYTES - start)
    const end = Math.min(bytes.length, recordsEnd - start)
    if (i < end && this.recordLength > 0) {
      const take = Math.min(end - i, BINARY_TRIANGLE_BYTES - this.recordLength)
      this.record.set(bytes.subarray(i, i + take), this.recordLength)
      this.recordLength += take
      i += take
      if (this.recordLength === BINARY_TRIANGLE_BYTES) {
        this.recordLength = 0
        if (hasNonFinite(this.recordView, 0)) this.badTriangles++
      }
    }
    if (i < end) {
      const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      const whole = i + Math.floor((end - i) / BINARY_TRIANGLE_BYTES) * BINARY_TRIANGLE_BYTES
      let bad = 0
      for (let o = i; o < whole; o += BINARY_TRIANGLE_BYTES) if (hasNonFinite(view, o)) bad++
      this.badTriangles += bad
      if (whole < end) {
        this.record.set(bytes.subarray(whole, end), 0)
        this.recordLength = end - whole
      }
    }
    if (this.trailerBlank) {
      for (let k = Math.max(0, recordsEnd - start); k < bytes.length; k++) {
        const c = bytes[k]!
        if (c !== 0 && c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) {
          this.trailerBlank = false
          break
        }
      }
    }
  }

  private finishText(scanner: AsciiStlScanner, hasSolid: boolean): StlResult<StlCheck> {
    const head = this.head.subarray(0, this.headLength)
    // Text without `solid` that names another format (OBJ, G-code…) is refused unread.
    const other = hasSolid ? null : sniffTextFormat(head)
    if (other !== null) return { ok: false, error: textNotStlError(other) }
    const scan = scanner.finish()
    const result = asciiResult(scan, hasSolid, this.maxTriangles)
    if (!result.ok) {
      if (!hasSolid && result.error.code === 'no-triangles') {
        return { ok: false, error: textNotStlError(null) }
      }
      return result
    }
    return { ok: true, value: { format: 'ascii', triangles: scan.triangles } }
  }
}

/** True when one of the 9 vertex coordinates of the record at `o` is NaN or infinite. */
function hasNonFinite(view: DataView, o: number): boolean {
  // The 12-byte normal is skipped, like the parser does.
  for (let k = o + 12; k < o + 48; k += 4) {
    if ((view.getUint32(k, true) & EXPONENT) === EXPONENT) return true
  }
  return false
}

/**
 * `startsWithSolid` (sniff.ts) fed in chunks: an optional UTF-8 BOM, whitespace, then `solid` as a
 * whole word (any case). Decided by the first bytes after the whitespace, however long that is.
 */
class SolidStart {
  private state: 'start' | 'space' | 'word' | 'yes' | 'no' = 'start'
  private matched = 0
  private readonly bom: number[] = []

  push(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length && this.state !== 'yes' && this.state !== 'no'; i++) {
      this.step(bytes[i]!)
    }
  }

  result(): boolean {
    if (this.state === 'start') this.flushBom()
    // `solid` at the very end of the file is a whole word.
    return this.state === 'yes' || (this.state === 'word' && this.matched === SOLID.length)
  }

  private step(c: number): void {
    if (this.state === 'start') {
      // A BOM counts only as the first three bytes, all of them.
      if (c === BOM[this.bom.length]) {
        this.bom.push(c)
        if (this.bom.length === BOM.length) this.state = 'space'
        return
      }
      this.flushBom()
    }
    if (this.state === 'yes' || this.state === 'no') return
    if (this.state === 'space') {
      if (isSpace(c)) return
      this.state = 'word'
    }
    if (this.matched === SOLID.length) {
      this.state = isSpace(c) || c === 0 ? 'yes' : 'no'
      return
    }
    this.state = (c | 0x20) === SOLID.charCodeAt(this.matched) ? 'word' : 'no'
    this.matched++
  }

  /** Bytes that began like a BOM but were not one are ordinary bytes. */
  private flushBom(): void {
    this.state = 'space'
    for (const c of this.bom.splice(0)) this.step(c)
  }
}

const BOM = [0xef, 0xbb, 0xbf]
const SOLID = 'solid'

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d || c === 0x0b || c === 0x0c
}
