// ASCII STL, parsed from bytes without ever building the text as a JS string (V8 strings stop at
// ~512 MiB, and decoding doubles the memory). Tolerant like admesh/numpy-stl are not: comments and
// unknown lines are skipped, `facet normal`/`endloop`/`endfacet`/`endsolid` may be missing,
// keywords may be upper-case, any mix of CR/LF/tabs, several solids per file.
//
// The scanner is a token state machine fed in chunks, so a caller can stream a file through it
// (`push` per chunk, then `finish`). `parseStl` feeds the whole buffer in one push.
//
// Why one file (~480 lines): the state machine, its tokenizer and the number scanner share hot
// local state; split into modules they would cost a call per byte and lose V8's inlining.

import { parseDecimal } from '../decimal'
import { formatCount } from '../format'
import type { Bbox } from './types'

/** What the ASCII scanner found; the caller turns it into a result or an error. */
export interface AsciiScan {
  positions: Float32Array
  triangles: number
  bbox: Bbox
  name: string
  nonFiniteVertices: number
  nonFiniteTriangles: number
  /** Facets with other than 3 vertices, or with a malformed vertex line. */
  skippedFacets: number
  solids: number
  /** Lines starting with an unknown word (comments, exporter notes, garbage). */
  ignoredLines: number
  sawEndsolid: boolean
  sawSolid: boolean
  /** The triangle limit was reached; scanning stopped. */
  overflow: boolean
  /**
   * The text ended inside a facet (`facet`, `outer loop` or `vertex` seen, then neither its
   * `endfacet` nor any later keyword that closes it): the file was most likely cut short.
   */
  endedMidFacet: boolean
  /** Vertices read in that unfinished last facet (0 when `endedMidFacet` is false). */
  endedMidFacetVertices: number
}

/** Options for the streaming scanner. */
export interface AsciiScanOptions {
  /** Stop (and report `overflow`) once more triangles than this are found. */
  maxTriangles: number
  /** Total input size when known, to pre-size the output. */
  expectedBytes?: number
  /**
   * False to check a file without keeping its geometry: only the current triangle is held, so a
   * streamed check of a multi-GB file stays in constant memory. `positions` is then empty; every
   * count, the bbox and the verdict are the same. Default true.
   */
  keepPositions?: boolean
}

// Separators are every byte <= 0x20: space, tab, CR, LF, VT, FF, NUL and stray control bytes.
// One compare per byte is the cheapest test in the hot loop.
const MAX_SEP = 0x20

// Keyword ids.
const K_OTHER = 0
const K_NUMBER = 1
const K_SOLID = 2
const K_FACET = 3
const K_NORMAL = 4
const K_OUTER = 5
const K_LOOP = 6
const K_VERTEX = 7
const K_ENDLOOP = 8
const K_ENDFACET = 9
const K_ENDSOLID = 10

// Scanner modes.
const M_KEYWORD = 0
const M_VERTEX = 1
const M_SKIP_LINE = 2
/** After `solid`/`endsolid`: the rest of the line is a name. */
const M_NAME = 3

/** Longest token kept across a chunk boundary; longer tokens are garbage and get truncated. */
const MAX_TOKEN = 256
const MAX_NAME = 256

/** The UTF-8 byte-order mark some Windows tools write before `solid`. */
const BOM = new Uint8Array([0xef, 0xbb, 0xbf])

/** Lower-cases an ASCII letter byte (other bytes pass through harmlessly for comparisons). */
function lc(c: number): number {
  return c >= 0x41 && c <= 0x5a ? c | 0x20 : c
}

function isWord(b: Uint8Array, s: number, e: number, word: string): boolean {
  if (e - s !== word.length) return false
  for (let i = 0; i < word.length; i++) if (lc(b[s + i]!) !== word.charCodeAt(i)) return false
  return true
}

function classify(b: Uint8Array, s: number, e: number): number {
  const c = b[s]!
  // Digits, sign and '.' start numbers (normals after `facet normal`, stray coordinates).
  if ((c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e) return K_NUMBER
  switch (e - s) {
    case 4:
      return isWord(b, s, e, 'loop') ? K_LOOP : K_OTHER
    case 5:
      if (isWord(b, s, e, 'facet')) return K_FACET
      if (isWord(b, s, e, 'solid')) return K_SOLID
      if (isWord(b, s, e, 'outer')) return K_OUTER
      return K_OTHER
    case 6:
      if (isWord(b, s, e, 'vertex')) return K_VERTEX
      if (isWord(b, s, e, 'normal')) return K_NORMAL
      return K_OTHER
    case 7:
      return isWord(b, s, e, 'endloop') ? K_ENDLOOP : K_OTHER
    case 8:
      if (isWord(b, s, e, 'endfacet')) return K_ENDFACET
      if (isWord(b, s, e, 'endsolid')) return K_ENDSOLID
      return K_OTHER
    default:
      return K_OTHER
  }
}

/** Streaming ASCII STL scanner: `push` chunks of bytes, then `finish`. */
export class AsciiStlScanner {
  private out: Float32Array
  private tri = 0
  private readonly maxTriangles: number
  private readonly keep: boolean

  private mode = M_KEYWORD
  private coord = 0
  private vx = 0
  private vy = 0
  private facetOpen = false
  private facetVertices = 0
  private facetBad = false

  private readonly carry = new Uint8Array(MAX_TOKEN)
  private carryLen = 0
  private carrying = false

  private readonly nameBytes = new Uint8Array(MAX_NAME)
  private nameLen = 0
  private collectName = false
  private inEndsolid = false

  private minX = Infinity
  private minY = Infinity
  private minZ = Infinity
  private maxX = -Infinity
  private maxY = -Infinity
  private maxZ = -Infinity
  private badVertices = 0
  private badTriangles = 0
  private skipped = 0
  private solids = 0
  private ignored = 0
  private sawEndsolid = false
  private overflow = false
  private finished = false
  private endedMidFacet = false
  private endedMidFacetVertices = 0
  /** Bytes of a leading BOM matched so far, across chunks; -1 once past the start. */
  private bomMatched = 0

  /** Set by `parseNumber`: false when the token was not a number. */
  private numberOk = true

  constructor(options: AsciiScanOptions) {
    this.maxTriangles = options.maxTriangles
    this.keep = options.keepPositions ?? true
    // ~250 bytes per triangle is typical (`%e` coordinates, indentation); grow if needed.
    const guess = options.expectedBytes ? Math.ceil(options.expectedBytes / 250) : 1024
    this.out = this.keep
      ? new Float32Array(Math.max(64, Math.min(guess, options.maxTriangles + 1)) * 9)
      : new Float32Array(9)
  }

  /** Scans one chunk. Chunks may split lines and tokens anywhere. */
  push(chunk: Uint8Array): void {
    if (this.finished || this.overflow) return
    const n = chunk.length
    let i = 0
    if (this.bomMatched >= 0) {
      // A leading UTF-8 BOM is not part of the first word (else `solid` is not recognised).
      const before = this.bomMatched
      let k = before
      while (k < BOM.length && i < n && chunk[i] === BOM[k]) {
        k++
        i++
      }
      if (k === BOM.length) this.bomMatched = -1
      else if (i === n) {
        this.bomMatched = k
        return
      } else {
        // Not a BOM after all: the bytes taken start the first token.
        this.bomMatched = -1
        i = 0
        if (before > 0) this.startCarry(BOM, 0, before)
      }
    }
    if (this.carrying) {
      // Finish the token that the previous chunk cut off.
      while (i < n && chunk[i]! > MAX_SEP) {
        if (this.carryLen < MAX_TOKEN) this.carry[this.carryLen++] = chunk[i]!
        i++
      }
      if (i === n) return
      this.carrying = false
      this.token(this.carry, 0, this.carryLen)
      this.carryLen = 0
    }
    while (i < n) {
      if (this.overflow) return
      const mode = this.mode
      if (mode === M_SKIP_LINE) {
        while (i < n && chunk[i] !== 0x0a && chunk[i] !== 0x0d) i++
        if (i === n) return
        this.mode = M_KEYWORD
        i++
        continue
      }
      if (mode === M_NAME) {
        // Names end at the line end; one-line (minified) files end them at the next keyword.
        while (i < n && chunk[i]! <= MAX_SEP) {
          if (chunk[i] === 0x0a || chunk[i] === 0x0d) this.mode = M_KEYWORD
          i++
        }
      } else {
        while (i < n && chunk[i]! <= MAX_SEP) i++
      }
      if (i === n) return
      const start = i
      while (i < n && chunk[i]! > MAX_SEP) i++
      if (i === n) {
        // The token may continue in the next chunk.
        this.startCarry(chunk, start, n)
        return
      }
      this.token(chunk, start, i)
    }
  }

  /** Keeps the start of a token that may continue in the next chunk. */
  private startCarry(b: Uint8Array, start: number, end: number): void {
    const len = Math.min(end - start, MAX_TOKEN)
    this.carry.set(b.subarray(start, start + len), 0)
    this.carryLen = len
    this.carrying = true
  }

  /** Ends the stream and returns what was found. */
  finish(): AsciiScan {
    if (!this.finished) {
      if (this.bomMatched > 0) {
        // The whole input was the start of a BOM: those bytes are the only token.
        this.startCarry(BOM, 0, this.bomMatched)
      }
      this.bomMatched = -1
      if (this.carrying && !this.overflow) {
        this.carrying = false
        this.token(this.carry, 0, this.carryLen)
      }
      if (this.mode === M_VERTEX) this.facetBad = true
      if (this.facetOpen && !this.overflow) {
        this.endedMidFacet = true
        this.endedMidFacetVertices = Math.min(this.facetVertices, 3)
      }
      this.closeFacet()
      this.finished = true
    }
    const count = this.tri
    // Trim to the exact size so the kept geometry is 36 bytes per triangle.
    if (!this.keep) this.out = new Float32Array(0)
    else if (this.out.length !== count * 9) this.out = this.out.slice(0, count * 9)
    return {
      positions: this.out,
      triangles: count,
      bbox: { min: [this.minX, this.minY, this.minZ], max: [this.maxX, this.maxY, this.maxZ] },
      name: decodeName(this.nameBytes.subarray(0, this.nameLen)),
      nonFiniteVertices: this.badVertices,
      nonFiniteTriangles: this.badTriangles,
      skippedFacets: this.skipped,
      solids: this.solids,
      ignoredLines: this.ignored,
      sawEndsolid: this.sawEndsolid,
      sawSolid: this.solids > 0,
      overflow: this.overflow,
      endedMidFacet: this.endedMidFacet,
      endedMidFacetVertices: this.endedMidFacetVertices
    }
  }

  private token(b: Uint8Array, s: number, e: number): void {
    if (this.mode === M_VERTEX) {
      const v = this.parseNumber(b, s, e)
      if (this.numberOk) {
        if (this.coord === 0) this.vx = v
        else if (this.coord === 1) this.vy = v
        else {
          this.addVertex(this.vx, this.vy, v)
          this.mode = M_KEYWORD
          return
        }
        this.coord++
        return
      }
      // A short vertex line: this token is the next keyword.
      this.facetBad = true
      this.mode = M_KEYWORD
    }
    const kind = classify(b, s, e)
    if (this.mode === M_NAME) {
      const ends = this.inEndsolid
        ? kind === K_SOLID || kind === K_FACET
        : kind === K_FACET || kind === K_ENDSOLID
      if (!ends) {
        if (this.collectName) this.appendName(b, s, e)
        return
      }
      this.mode = M_KEYWORD
    }
    switch (kind) {
      case K_NUMBER:
      case K_NORMAL:
      case K_LOOP:
      case K_ENDLOOP:
        return
      case K_VERTEX:
        if (!this.facetOpen) this.openFacet()
        this.mode = M_VERTEX
        this.coord = 0
        return
      case K_FACET:
        this.closeFacet()
        this.openFacet()
        return
      case K_OUTER:
        // `outer loop` without a `facet` line before it, or after a facet missing `endfacet`.
        if (!this.facetOpen || this.facetVertices > 0) {
          this.closeFacet()
          this.openFacet()
        }
        return
      case K_ENDFACET:
        this.closeFacet()
        return
      case K_SOLID:
        this.closeFacet()
        this.solids++
        this.mode = M_NAME
        this.inEndsolid = false
        this.collectName = this.solids === 1
        return
      case K_ENDSOLID:
        this.closeFacet()
        this.sawEndsolid = true
        this.mode = M_NAME
        this.inEndsolid = true
        this.collectName = false
        return
      default:
        // Comments (`#`, `//`), exporter notes, garbage: skip the rest of the line.
        this.ignored++
        this.mode = M_SKIP_LINE
    }
  }

  private appendName(b: Uint8Array, s: number, e: number): void {
    if (this.nameLen > 0 && this.nameLen < MAX_NAME) this.nameBytes[this.nameLen++] = 0x20
    for (let i = s; i < e && this.nameLen < MAX_NAME; i++) this.nameBytes[this.nameLen++] = b[i]!
  }

  private openFacet(): void {
    this.facetOpen = true
    this.facetVertices = 0
    this.facetBad = false
  }

  private addVertex(x: number, y: number, z: number): void {
    const k = this.facetVertices++
    if (k >= 3) return
    const base = this.keep ? this.tri * 9 : 0
    if (base + 9 > this.out.length) this.grow()
    const o = base + k * 3
    this.out[o] = x
    this.out[o + 1] = y
    this.out[o + 2] = z
  }

  private grow(): void {
    const cap = Math.min((this.maxTriangles + 1) * 9, Math.max(this.out.length * 2, 576))
    const next = new Float32Array(cap)
    next.set(this.out)
    this.out = next
  }

  private closeFacet(): void {
    if (!this.facetOpen) return
    this.facetOpen = false
    if (this.facetVertices !== 3 || this.facetBad) {
      this.skipped++
      return
    }
    if (this.tri >= this.maxTriangles) {
      this.overflow = true
      return
    }
    // Read back the stored float32 values so the bbox matches the geometry exactly.
    const out = this.out
    const base = this.keep ? this.tri * 9 : 0
    const before = this.badVertices
    for (let o = base; o < base + 9; o += 3) {
      const x = out[o]!
      const y = out[o + 1]!
      const z = out[o + 2]!
      const sum = x + y + z
      if (sum - sum === 0) {
        if (x < this.minX) this.minX = x
        if (x > this.maxX) this.maxX = x
        if (y < this.minY) this.minY = y
        if (y > this.maxY) this.maxY = y
        if (z < this.minZ) this.minZ = z
        if (z > this.maxZ) this.maxZ = z
      } else {
        this.badVertices++
      }
    }
    if (this.badVertices !== before) this.badTriangles++
    this.tri++
  }

  /** A decimal (shared/decimal.ts), else a nan/inf spelling, incl. MSVC `1.#INF`. */
  private parseNumber(b: Uint8Array, s: number, e: number): number {
    this.numberOk = true
    const v = parseDecimal(b, s, e)
    // NaN only when the bytes are not a plain decimal: try the special spellings.
    return v === v ? v : this.parseSpecial(b, s, e, b[s] === 0x2d)
  }

  /** nan, NaN, -nan, inf, -Infinity, 1.#INF, -1.#IND, 1.#QNAN; anything else is not a number. */
  private parseSpecial(b: Uint8Array, s: number, e: number, neg: boolean): number {
    let text = ''
    for (let i = s; i < e && i < s + 16; i++) text += String.fromCharCode(lc(b[i]!))
    text = text.replace(/^[+-]/, '')
    if (/^(nan|inf|infinity)$/.test(text) || /^nan\(/.test(text)) {
      return text.startsWith('inf') ? (neg ? -Infinity : Infinity) : NaN
    }
    const msvc = /^\d\.#(inf|ind|qnan|snan)/.exec(text)
    if (msvc) return msvc[1] === 'inf' ? (neg ? -Infinity : Infinity) : NaN
    this.numberOk = false
    return NaN
  }
}

/** Decodes a solid name: UTF-8, control characters dropped, trimmed. */
function decodeName(bytes: Uint8Array): string {
  if (bytes.length === 0) return ''
  const text = new TextDecoder('utf-8').decode(bytes)
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\ufffd]/g, '').trim()
}

/** Sentences for what the ASCII scanner tolerated: problems (`notes`) and harmless facts (`info`). */
export function asciiNotes(scan: AsciiScan): { notes: string[]; info: string[] } {
  const notes: string[] = []
  const info: string[] = []
  if (scan.skippedFacets > 0) {
    const n = scan.skippedFacets
    notes.push(
      `Skipped ${formatCount(n)} malformed facet${n === 1 ? '' : 's'} (not exactly 3 readable vertices).`
    )
  }
  if (!scan.sawSolid) notes.push("The file has no 'solid' line; it was read as ASCII STL anyway.")
  else if (!scan.sawEndsolid) notes.push("The file ends without 'endsolid'; it may be cut short.")
  if (scan.solids > 1) info.push(`Merged ${formatCount(scan.solids)} solids from one file.`)
  if (scan.ignoredLines > 0) {
    const n = scan.ignoredLines
    info.push(
      `Ignored ${formatCount(n)} unrecognised line${n === 1 ? '' : 's'} (comments or notes).`
    )
  }
  return { notes, info }
}
