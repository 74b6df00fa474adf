// The ZIP container of a 3MF file: the central directory is read here (a few fixed-size records,
// checked field by field), the data is inflated by fflate's streaming `Inflate`, in small input
// slices so that inflating stops as soon as an entry produces more than it declared.
//
// Why not fflate's `unzipSync`: it allocates each entry's *declared* size up front and inflates
// into it without checking that the output matches the declaration or the CRC, so a lying size is
// either a huge allocation or a silent truncation (and the loop runs on for the real length).
// Here every declared size is checked against the limits before inflating, the output is counted
// while inflating, and the CRC-32 is verified at the end.
//
// Why this file is long (~400 lines): directory records, bounded inflating and the CRC-32 are the
// container's whole trust boundary; keeping them in one file keeps that boundary reviewable.

import { Inflate } from 'fflate'
import { isZipMagic as hasZipMagic } from '../stl/sniff'
import { formatBytes, formatCount } from '../format'
import { entryTooLargeMessage, fail, ThreeMfFailure } from './errors'
import { RATIO_FREE_BYTES } from './limits'
import type { ThreeMfLimits } from './types'

const SIG_LOCAL = 0x04034b50
const SIG_CENTRAL = 0x02014b50
const SIG_EOCD = 0x06054b50
const SIG_EOCD64 = 0x06064b50
const SIG_EOCD64_LOCATOR = 0x07064b50
const EOCD_BYTES = 22
const MAX_COMMENT = 0xffff

/** Compressed bytes handed to the inflater at a time: bounds one step's output to ~1032× this. */
const INFLATE_SLICE = 16 * 1024

export interface ZipEntry {
  /** The name as stored (no leading slash). */
  name: string
  method: number
  flags: number
  crc: number
  compressedSize: number
  size: number
  localOffset: number
}

export interface ZipArchive {
  bytes: Uint8Array
  entries: ZipEntry[]
  /** Entries by normalized name (see normalizePath), for constant-time lookups. */
  byName: Map<string, ZipEntry>
  limits: Required<ThreeMfLimits>
  /** Uncompressed bytes inflated so far (declared sizes, reserved before inflating). */
  inflated: number
}

function u16(b: Uint8Array, o: number): number {
  return b[o]! | (b[o + 1]! << 8)
}

function u32(b: Uint8Array, o: number): number {
  return (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
}

function u64(b: Uint8Array, o: number): number {
  // Above 2^53 the value is not exact, but such a size is far beyond every limit anyway.
  return u32(b, o) + u32(b, o + 4) * 0x1_0000_0000
}

/** Finds the end-of-central-directory record in the last 64 KiB + 22 bytes, or -1. */
export function findEocd(bytes: Uint8Array): number {
  const stop = Math.max(0, bytes.length - EOCD_BYTES - MAX_COMMENT)
  for (let e = bytes.length - EOCD_BYTES; e >= stop; e--) {
    if (u32(bytes, e) === SIG_EOCD && e + EOCD_BYTES + u16(bytes, e + 20) <= bytes.length) return e
  }
  return -1
}

/** Where the central directory is and how many entries it lists (ZIP64 aware). */
export interface CentralDirectory {
  offset: number
  size: number
  count: number
}

/** Reads the end records; `bytes` may be the file's tail when `tailOffset` says where it starts. */
export function readCentralDirectoryLocation(
  bytes: Uint8Array,
  eocd: number,
  tailOffset = 0
): CentralDirectory {
  if (u16(bytes, eocd + 4) !== 0 || u16(bytes, eocd + 6) !== 0) {
    fail('corrupt', 'The 3MF archive is split over several disks, which 3MF does not allow.')
  }
  let count = u16(bytes, eocd + 10)
  let size = u32(bytes, eocd + 12)
  let offset = u32(bytes, eocd + 16)
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const loc = eocd - 20
    if (loc >= 0 && u32(bytes, loc) === SIG_EOCD64_LOCATOR) {
      const at = u64(bytes, loc + 8) - tailOffset
      if (at < 0 || at + 56 > bytes.length || u32(bytes, at) !== SIG_EOCD64) {
        fail('corrupt', 'The 3MF archive’s ZIP64 directory record is missing or damaged.')
      }
      count = u64(bytes, at + 32)
      size = u64(bytes, at + 40)
      offset = u64(bytes, at + 48)
    }
  }
  return { offset, size, count }
}

/**
 * Opens the archive: reads and checks every central directory record. Nothing is inflated here.
 * Fails with `not-zip`, `truncated`, `corrupt`, `too-large` (too many entries).
 */
export function openZip(bytes: Uint8Array, limits: Required<ThreeMfLimits>): ZipArchive {
  const eocd = bytes.length >= EOCD_BYTES ? findEocd(bytes) : -1
  if (eocd < 0) {
    if (hasZipMagic(bytes)) {
      fail(
        'truncated',
        'The 3MF file ends early: its ZIP directory (at the end of the file) is missing (truncated download or copy).'
      )
    }
    fail('not-zip')
  }
  const cd = readCentralDirectoryLocation(bytes, eocd)
  if (cd.count > limits.maxEntries) {
    fail(
      'too-large',
      `The 3MF archive lists ${formatCount(cd.count)} files; the limit is ${formatCount(limits.maxEntries)}.`
    )
  }
  if (cd.offset + cd.size > eocd || cd.size < cd.count * 46) {
    fail(
      hasZipMagic(bytes) && cd.offset + cd.size > eocd ? 'truncated' : 'corrupt',
      'The 3MF archive’s directory points past the end of the file (truncated or damaged).'
    )
  }
  const entries = readCentralEntries(bytes, cd)
  const byName = new Map(entries.map((e) => [normalizePath(e.name), e]))
  return { bytes, entries, byName, limits, inflated: 0 }
}

/** Parses `count` central directory records starting at `cd.offset` of `bytes`. */
export function readCentralEntries(bytes: Uint8Array, cd: CentralDirectory, base = 0): ZipEntry[] {
  const entries: ZipEntry[] = []
  const seen = new Set<string>()
  let o = cd.offset - base
  const end = o + cd.size
  for (let i = 0; i < cd.count; i++) {
    if (o + 46 > end || u32(bytes, o) !== SIG_CENTRAL) {
      fail('corrupt', `The 3MF archive’s directory is damaged at entry ${i + 1}.`)
    }
    const flags = u16(bytes, o + 8)
    const method = u16(bytes, o + 10)
    const crc = u32(bytes, o + 16)
    let compressedSize = u32(bytes, o + 20)
    let size = u32(bytes, o + 24)
    const nameLen = u16(bytes, o + 28)
    const extraLen = u16(bytes, o + 30)
    const commentLen = u16(bytes, o + 32)
    let localOffset = u32(bytes, o + 42)
    const next = o + 46 + nameLen + extraLen + commentLen
    if (next > end) fail('corrupt', `The 3MF archive’s directory is damaged at entry ${i + 1}.`)
    const name = decodeName(bytes.subarray(o + 46, o + 46 + nameLen), (flags & 0x800) !== 0)
    // ZIP64: the real values are in the 0x0001 extra field, in this order, when the 32-bit ones say so.
    if (size === 0xffffffff || compressedSize === 0xffffffff || localOffset === 0xffffffff) {
      let x = o + 46 + nameLen
      const xEnd = x + extraLen
      while (x + 4 <= xEnd) {
        const id = u16(bytes, x)
        const len = u16(bytes, x + 2)
        if (id === 0x0001) {
          let p = x + 4
          const stop = Math.min(xEnd, p + len)
          if (size === 0xffffffff && p + 8 <= stop) {
            size = u64(bytes, p)
            p += 8
          }
          if (compressedSize === 0xffffffff && p + 8 <= stop) {
            compressedSize = u64(bytes, p)
            p += 8
          }
          if (localOffset === 0xffffffff && p + 8 <= stop) localOffset = u64(bytes, p)
          break
        }
        x += 4 + len
      }
    }
    const key = normalizePath(name)
    if (key !== '' && !name.endsWith('/')) {
      if (seen.has(key)) fail('corrupt', `The 3MF archive contains '${name}' twice.`)
      seen.add(key)
      entries.push({ name, method, flags, crc, compressedSize, size, localOffset })
    }
    o = next
  }
  return entries
}

function decodeName(raw: Uint8Array, utf8: boolean): string {
  if (utf8) return new TextDecoder().decode(raw)
  let s = ''
  for (let i = 0; i < raw.length; i++) s += String.fromCharCode(raw[i]!)
  return s
}

/** Canonical form of a part name for lookups: no leading slash, `\` as `/`, ASCII lower case. */
export function normalizePath(path: string): string {
  let p = path.replace(/\\/g, '/')
  while (p.startsWith('/')) p = p.slice(1)
  // OPC part names are compared case-insensitively (ASCII), and may be percent-encoded.
  if (p.includes('%')) {
    try {
      p = decodeURIComponent(p)
    } catch {
      /* keep the raw name */
    }
  }
  return p.toLowerCase()
}

/** Finds an entry by part name (leading slash, case and percent-encoding ignored). */
export function findEntry(zip: ZipArchive, path: string): ZipEntry | null {
  return zip.byName.get(normalizePath(path)) ?? null
}

/** Where an entry's data starts, from its local header (checked). */
function dataOffset(zip: ZipArchive, entry: ZipEntry): number {
  const b = zip.bytes
  const o = entry.localOffset
  if (o + 30 > b.length) {
    fail('truncated', `The 3MF file ends before '${entry.name}' (truncated download or copy).`)
  }
  if (u32(b, o) !== SIG_LOCAL) fail('corrupt', `The 3MF archive is damaged at '${entry.name}'.`)
  const start = o + 30 + u16(b, o + 26) + u16(b, o + 28)
  if (start + entry.compressedSize > b.length) {
    fail('truncated', `The 3MF file ends inside '${entry.name}' (truncated download or copy).`)
  }
  return start
}

/** Fails unless the entry can be inflated within the limits; reserves its size in the total. */
function admit(zip: ZipArchive, entry: ZipEntry, maxBytes: number): void {
  if (entry.flags & 0x41 || entry.method === 99) {
    fail('encrypted', `'${entry.name}' in the 3MF archive is encrypted; this app cannot open it.`)
  }
  if (entry.method !== 0 && entry.method !== 8) {
    fail(
      'unsupported-compression',
      `'${entry.name}' uses ZIP compression method ${entry.method}; only stored (0) and deflate (8) are supported.`
    )
  }
  if (entry.size > maxBytes) {
    fail('entry-too-large', entryTooLargeMessage(entry.name, entry.size, maxBytes))
  }
  const { maxRatio, maxTotalBytes } = zip.limits
  if (entry.size > RATIO_FREE_BYTES && entry.size > entry.compressedSize * maxRatio) {
    const ratio =
      entry.compressedSize > 0 ? Math.round(entry.size / entry.compressedSize) : Infinity
    fail(
      'zip-bomb',
      `'${entry.name}' claims to expand ${formatBytes(entry.compressedSize)} into ${formatBytes(entry.size)} ` +
        `(${Number.isFinite(ratio) ? `${formatCount(ratio)}:1` : 'from nothing'}); the limit is ${formatCount(maxRatio)}:1.`
    )
  }
  if (zip.inflated + entry.size > maxTotalBytes) {
    fail(
      'zip-bomb',
      `The 3MF archive expands to more than ${formatBytes(maxTotalBytes)}, the limit for one file.`
    )
  }
  if (entry.method === 0 && entry.size !== entry.compressedSize) {
    fail('corrupt', `'${entry.name}' is stored uncompressed but lists two different sizes.`)
  }
  zip.inflated += entry.size
}

/**
 * Streams an entry's uncompressed bytes to `sink` in chunks (views valid only during the call).
 * `sink` may return false to stop early (the rest is neither inflated nor checked). Fails with
 * the limit codes before inflating, and with `corrupt` when the data is not what was declared.
 */
export function streamEntry(
  zip: ZipArchive,
  entry: ZipEntry,
  maxBytes: number,
  sink: (chunk: Uint8Array) => boolean | void
): void {
  admit(zip, entry, maxBytes)
  const start = dataOffset(zip, entry)
  const data = zip.bytes.subarray(start, start + entry.compressedSize)
  let crc = CRC_INIT
  if (entry.method === 0) {
    for (let o = 0; o < data.length; o += 1 << 20) {
      const chunk = data.subarray(o, Math.min(data.length, o + (1 << 20)))
      crc = crc32Update(crc, chunk)
      if (sink(chunk) === false) return
    }
    if (crc32Final(crc) !== entry.crc) badCrc(entry)
    return
  }
  let produced = 0
  let stopped = false
  let done = false
  const inflater = new Inflate((chunk: Uint8Array, final: boolean) => {
    if (final) done = true
    if (stopped || chunk.length === 0) return
    produced += chunk.length
    if (produced > entry.size) {
      fail(
        'corrupt',
        `'${entry.name}' expands to more than the ${formatBytes(entry.size)} its header declares (damaged or a ZIP bomb).`
      )
    }
    crc = crc32Update(crc, chunk)
    if (sink(chunk) === false) stopped = true
  })
  try {
    for (let o = 0; o < data.length && !stopped && !done; o += INFLATE_SLICE) {
      const end = Math.min(data.length, o + INFLATE_SLICE)
      inflater.push(data.subarray(o, end), end === data.length)
    }
  } catch (e) {
    if (e instanceof ThreeMfFailure) throw e
    fail(
      'corrupt',
      `'${entry.name}' in the 3MF archive is damaged (its compressed data is invalid).`
    )
  }
  if (stopped) return
  if (!done || produced !== entry.size) {
    fail(
      'corrupt',
      `'${entry.name}' expands to ${formatBytes(produced)}, not the ${formatBytes(entry.size)} its header declares (damaged).`
    )
  }
  if (crc32Final(crc) !== entry.crc) badCrc(entry)
}

function badCrc(entry: ZipEntry): never {
  fail('corrupt', `'${entry.name}' in the 3MF archive is damaged (checksum mismatch).`)
}

/** An entry's whole uncompressed content (for metadata and thumbnails, bounded by `maxBytes`). */
export function readEntry(zip: ZipArchive, entry: ZipEntry, maxBytes: number): Uint8Array {
  // The declared size is checked in streamEntry before this buffer is used beyond it.
  if (entry.size > maxBytes) {
    fail('entry-too-large', entryTooLargeMessage(entry.name, entry.size, maxBytes))
  }
  const out = new Uint8Array(entry.size)
  let at = 0
  streamEntry(zip, entry, maxBytes, (chunk) => {
    out.set(chunk, at)
    at += chunk.length
  })
  return out
}

/** The first bytes of an entry (at most `max`), inflating no more than needed. */
export function readEntryHead(zip: ZipArchive, entry: ZipEntry, max: number): Uint8Array {
  const want = Math.min(max, entry.size)
  const out = new Uint8Array(want)
  let at = 0
  streamEntry(zip, entry, Math.max(entry.size, 0), (chunk) => {
    const n = Math.min(chunk.length, want - at)
    out.set(chunk.subarray(0, n), at)
    at += n
    return at < want
  })
  return out.subarray(0, at)
}

// CRC-32 (IEEE 802.3, as ZIP uses), slicing-by-8 tables: ~1 GB/s in V8.
const CRC_INIT = 0xffffffff
const CRC_TABLES: Uint32Array = (() => {
  const t = new Uint32Array(256 * 8)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n]!
    for (let k = 1; k < 8; k++) {
      c = t[c & 0xff]! ^ (c >>> 8)
      t[k * 256 + n] = c >>> 0
    }
  }
  return t
})()

function crc32Update(crc: number, b: Uint8Array): number {
  const t = CRC_TABLES
  let c = crc | 0
  let i = 0
  const n8 = b.length - (b.length % 8)
  for (; i < n8; i += 8) {
    const lo = c ^ (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24))
    c =
      t[1792 + (lo & 0xff)]! ^
      t[1536 + ((lo >>> 8) & 0xff)]! ^
      t[1280 + ((lo >>> 16) & 0xff)]! ^
      t[1024 + (lo >>> 24)]! ^
      t[768 + b[i + 4]!]! ^
      t[512 + b[i + 5]!]! ^
      t[256 + b[i + 6]!]! ^
      t[b[i + 7]!]!
  }
  for (; i < b.length; i++) c = t[(c ^ b[i]!) & 0xff]! ^ (c >>> 8)
  return c
}

function crc32Final(crc: number): number {
  return (crc ^ 0xffffffff) >>> 0
}

/** CRC-32 of a whole buffer (fixture writers use it too). */
export function crc32(bytes: Uint8Array): number {
  return crc32Final(crc32Update(CRC_INIT, bytes))
}
