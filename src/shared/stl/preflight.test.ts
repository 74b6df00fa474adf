import { describe, expect, it } from 'vitest'
import {
  asciiStl,
  binaryStl,
  prng,
  randomBinaryStl,
  sphere,
  tetrahedron,
  unitCube,
  utf8
} from '../../test-support/stl'
import { FIXTURES } from '../../test-support/stl-catalog'
import { DEFAULT_MAX_BYTES, parseStl } from './parse-stl'
import { PREFLIGHT_HEAD_BYTES, preflightStl } from './preflight'
import type { ParseLimits } from './types'

const NONE = new Uint8Array(0)

/** A 84-byte binary head (80-byte header, then the count) for a file that is not in memory. */
function head(count: number, header = 'binary STL fixture'): Uint8Array {
  return binaryStl([], { header, count })
}

/** The preflight answer must be exactly what parsing the whole file says, whenever it answers. */
function agrees(bytes: Uint8Array, limits?: ParseLimits): void {
  const early = preflightStl(bytes.length, bytes.subarray(0, PREFLIGHT_HEAD_BYTES), limits)
  if (early === null) return
  const full = parseStl(bytes, limits)
  expect(full.ok ? 'ok' : full.error).toEqual(early)
}

describe('preflightStl: from the size alone', () => {
  it('says too-large for a 2.2 GB file without any of its bytes', () => {
    const e = preflightStl(2.2e9, NONE)
    expect(e?.code).toBe('too-large')
    expect(e?.message).toBe('The file is 2.2 GB; the limit is 2.1 GB.')
    expect(preflightStl(DEFAULT_MAX_BYTES + 1, NONE)?.code).toBe('too-large')
    expect(preflightStl(1000, NONE, { maxBytes: 999 })?.code).toBe('too-large')
  })

  it('says empty for 0 bytes, and nothing for a size within the limit', () => {
    expect(preflightStl(0, NONE)?.code).toBe('empty')
    expect(preflightStl(DEFAULT_MAX_BYTES, NONE)).toBeNull()
    expect(preflightStl(1_000_000, NONE)).toBeNull()
  })
})

describe('preflightStl: from the first 84 bytes', () => {
  it('rejects a 134-byte file claiming 20 million triangles', () => {
    const bytes = binaryStl(tetrahedron().slice(0, 1), { count: 20_000_000 })
    // 134 bytes is inside the text sniff window: the whole (tiny) file is read instead.
    expect(preflightStl(bytes.length, bytes.subarray(0, 84))).toBeNull()
    agrees(bytes)
  })

  it('rejects a 100 MB file whose count needs 1 GB, from the head alone', () => {
    const e = preflightStl(100_000_000, head(20_000_000))
    expect(e?.code).toBe('truncated')
    expect(e?.message).toBe('The file ends after 1,999,998 of 20,000,000 triangles (truncated).')
    // Whole triangles but fewer than the count: a count mismatch.
    expect(preflightStl(84 + 50 * 100_000, head(200_000))?.code).toBe('count-mismatch')
  })

  it('says too-large for an exact-size file over the triangle limit', () => {
    const e = preflightStl(84 + 50 * 30_000_000, head(30_000_000))
    expect(e?.code).toBe('too-large')
    expect(e?.message).toContain('30,000,000 triangles')
    expect(preflightStl(84 + 50 * 10_000, head(10_000), { maxTriangles: 9_999 })?.code).toBe(
      'too-large'
    )
  })

  it('says not-stl for a big PNG', () => {
    const png = new Uint8Array(84)
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    expect(preflightStl(5_000_000, png)).toEqual({
      code: 'not-stl',
      message: 'This is a PNG image, not an STL.'
    })
  })

  it('leaves to the full read what the head cannot settle', () => {
    // Exact size, within limits: must be parsed.
    expect(preflightStl(84 + 50 * 1000, head(1000))).toBeNull()
    // Longer than its count: padding or extra triangles, only the trailing bytes can tell.
    expect(preflightStl(84 + 50 * 1000 + 16, head(1000))).toBeNull()
    expect(preflightStl(84 + 50 * 1000, head(10))).toBeNull()
    // Text-like head: may be ASCII (its count bytes mean nothing).
    const text = utf8(asciiStl(unitCube())).subarray(0, 84)
    expect(preflightStl(10_000_000, text)).toBeNull()
    // A head that is shorter than 84 bytes (the caller could not read it).
    expect(preflightStl(10_000_000, head(20_000_000).subarray(0, 80))).toBeNull()
    // Small files sit inside the text sniff window (trailing NUL padding makes text): read them.
    expect(preflightStl(4096, head(20_000_000))).toBeNull()
  })
})

describe('preflightStl agrees with parseStl on the whole file', () => {
  it('on every committed fixture and on big inputs', () => {
    for (const f of FIXTURES) agrees(f.bytes(), f.limits)
    const big = randomBinaryStl(2000, 3)
    agrees(big)
    for (const count of [0, 1, 1999, 2001, 20_000_000, 0xffffffff]) {
      const b = big.slice()
      new DataView(b.buffer).setUint32(80, count, true)
      agrees(b)
      agrees(b.subarray(0, 84 + 50 * 1000 + 7))
      agrees(b, { maxTriangles: 500 })
    }
    agrees(binaryStl(sphere(10, 40, 30), { header: 'solid but binary' }))
    agrees(utf8('\ufeff' + asciiStl(sphere(10, 40, 30))))
  })

  it('on random mutations of a binary header', () => {
    const rnd = prng(11)
    const base = randomBinaryStl(200, 5)
    let answered = 0
    for (let n = 0; n < 2000; n++) {
      const b = base.slice(0, 4097 + Math.floor(rnd() * (base.length - 4097)))
      for (let k = 0; k < 1 + Math.floor(rnd() * 6); k++) {
        b[Math.floor(rnd() * 84)] = Math.floor(rnd() * 256)
      }
      if (rnd() < 0.3) b.fill(0x20, 0, 84)
      const early = preflightStl(b.length, b.subarray(0, 84))
      if (early) answered++
      agrees(b)
    }
    expect(answered).toBeGreaterThan(100)
  })
})
