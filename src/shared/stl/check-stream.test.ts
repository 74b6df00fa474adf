import { describe, expect, it } from 'vitest'
import { StlStreamCheck } from './check-stream'
import {
  asciiStl,
  binaryStl,
  box,
  prng,
  randomBinaryStl,
  sphere,
  tetrahedron,
  unitCube,
  utf8
} from '../../test-support/stl'
import { FIXTURES } from '../../test-support/stl-catalog'
import { parseStl } from './parse-stl'
import type { ParseLimits } from './types'

/** The streamed verdict, fed in chunks of `chunk` bytes. */
function streamed(bytes: Uint8Array, chunk: number, limits?: ParseLimits) {
  const check = new StlStreamCheck(bytes.length, limits)
  for (let o = 0; o < bytes.length && !check.error; o += chunk) {
    check.push(bytes.subarray(o, o + chunk))
  }
  return check.finish()
}

/** What parseStl says on the whole file, in the check's terms. */
function whole(bytes: Uint8Array, limits?: ParseLimits) {
  const r = parseStl(bytes, limits)
  return r.ok
    ? { ok: true, value: { format: r.value.format, triangles: r.value.triangles } }
    : { ok: false, error: r.error }
}

const CHUNKS = [1, 7, 50, 83, 84, 4096, 4097, 65_536, 1 << 30]

/** The streamed check must give exactly parseStl's answer, whatever the chunking. */
function agrees(bytes: Uint8Array, limits?: ParseLimits, chunks = CHUNKS): void {
  const expected = whole(bytes, limits)
  for (const chunk of chunks)
    expect(streamed(bytes, chunk, limits), `chunk ${chunk}`).toEqual(expected)
}

describe('StlStreamCheck agrees with parseStl', () => {
  it('on every committed fixture', () => {
    for (const f of FIXTURES) agrees(f.bytes(), f.limits)
  })

  it('on binary edge cases: counts, padding, trailing data, NaN, limits', () => {
    const base = randomBinaryStl(300, 4)
    agrees(base)
    agrees(base, { maxTriangles: 299 })
    agrees(base, { maxBytes: base.length - 1 })
    for (const count of [0, 1, 299, 301, 20_000_000, 0xffffffff]) {
      const b = base.slice()
      new DataView(b.buffer).setUint32(80, count, true)
      agrees(b)
      agrees(b.subarray(0, 84 + 50 * 100 + 13))
    }
    // Padding (blank) vs whole extra triangles (data) after the counted ones.
    const cube = box([0, 0, 0], [5, 5, 5])
    agrees(binaryStl(cube, { padding: 50 }))
    agrees(binaryStl(cube, { padding: 100, padByte: 0x20 }))
    agrees(binaryStl(cube, { padding: 100, padByte: 7 }))
    agrees(binaryStl(cube, { padding: 17, padByte: 7 }))
    agrees(binaryStl([], { padding: 40 }))
    agrees(binaryStl([], { padding: 40, padByte: 9 }))
    // NaN/Inf: a minority is tolerated, half or more is refused.
    for (const bad of [1, 149, 150, 300]) {
      const b = base.slice()
      const view = new DataView(b.buffer)
      for (let t = 0; t < bad; t++)
        view.setFloat32(84 + 50 * t + 12 + 4 * (t % 9), t % 2 ? NaN : -Infinity, true)
      agrees(b)
    }
    agrees(binaryStl(sphere(10, 40, 30), { header: 'solid but binary' }))
  })

  it('on ASCII edge cases: BOM, whitespace, no solid, other text formats, truncation', () => {
    const text = asciiStl(tetrahedron())
    agrees(utf8(text))
    agrees(utf8('\ufeff' + text))
    agrees(utf8(' '.repeat(5000) + text))
    agrees(utf8('\ufeff' + '\n'.repeat(9000) + text))
    agrees(utf8(text.replace(/^solid fixture/, 'solidworks export')))
    agrees(utf8(text.replace(/^solid fixture\n/, '')))
    agrees(utf8(text.slice(0, text.length / 2)))
    agrees(utf8('solid'))
    agrees(utf8('solid\n'))
    agrees(utf8('\ufeffsol'))
    agrees(utf8('\xef\xbbsolid x\n'))
    agrees(utf8('solid x\nendsolid x\n'))
    agrees(utf8('{"a": 1}\n'))
    agrees(utf8('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n'))
    agrees(utf8('solid x\nG1 X0 Y0\n' + text))
    agrees(utf8('G1 X0 Y0\n' + text.replace(/^solid fixture\n/, '')))
    agrees(utf8('hello world\n'))
    agrees(utf8(text + '\0\0\0'))
    agrees(utf8(text.replace(/0\.000000e\+0/g, 'nan')))
    agrees(utf8(asciiStl(sphere(5, 30, 20))), { maxTriangles: 100 })
    agrees(utf8(asciiStl(unitCube(), { upper: true, eol: '\r\n' })))
  })

  it('on random mutations of binary and ASCII files', () => {
    const rnd = prng(23)
    const seeds = [
      randomBinaryStl(120, 9),
      binaryStl(box([0, 0, 0], [3, 4, 5]), { header: 'solid looks like text' }),
      utf8(asciiStl(box([1, 1, 1], [2, 3, 4]))),
      utf8('\ufeff' + asciiStl(tetrahedron(), { normals: false }))
    ]
    for (let n = 0; n < 600; n++) {
      const seed = seeds[n % seeds.length]!
      let b = seed.slice(0, Math.max(1, Math.floor(seed.length * (0.5 + rnd()))))
      if (b.length < seed.length * 0.5) b = seed.slice()
      for (let k = 0; k < 1 + Math.floor(rnd() * 8); k++) {
        const at = Math.floor(rnd() * b.length)
        b[at] = rnd() < 0.5 ? Math.floor(rnd() * 256) : [0, 0x20, 0x0a, 0x7f, 0xff][k % 5]!
      }
      if (rnd() < 0.2) b = b.subarray(0, Math.floor(rnd() * b.length) + 1)
      agrees(b, undefined, [1 + Math.floor(rnd() * 97), 4097, b.length])
    }
  })
})

describe('StlStreamCheck', () => {
  it('knows an error from the first bytes, before the rest is read', () => {
    const big = new StlStreamCheck(100_000_000)
    const head = binaryStl([], { count: 20_000_000 })
    const png = new Uint8Array(5000)
    png.set([0x89, 0x50, 0x4e, 0x47])
    big.push(head)
    // 84 bytes are not enough to rule text out: the engine sniffs 4 KiB.
    expect(big.error).toBeNull()
    big.push(new Uint8Array(5000))
    expect(big.error?.code).toBe('truncated')
    const image = new StlStreamCheck(10_000_000)
    image.push(png)
    expect(image.error?.code).toBe('not-stl')
    expect(new StlStreamCheck(0).error?.code).toBe('empty')
    expect(new StlStreamCheck(3e9).error?.code).toBe('too-large')
  })

  it('says when fewer bytes came than the size it was given', () => {
    const bytes = randomBinaryStl(10)
    const check = new StlStreamCheck(bytes.length + 50)
    check.push(bytes)
    expect(check.finish()).toMatchObject({ ok: false, error: { code: 'unreadable' } })
  })

  it('reads one long ASCII stream of many solids as one merged file', () => {
    const text = utf8(asciiStl(sphere(10, 60, 40)))
    const check = new StlStreamCheck(text.length * 20)
    for (let i = 0; i < 20; i++) check.push(text)
    // Twenty solids in a row are one valid (merged) ASCII file.
    expect(check.finish()).toEqual({
      ok: true,
      value: { format: 'ascii', triangles: 20 * 2 * 60 * 39 }
    })
  })
})
