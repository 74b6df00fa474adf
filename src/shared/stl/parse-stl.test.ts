import { describe, expect, it } from 'vitest'
import { STLLoader } from 'three/examples/jsm/loaders/STLLoader.js'
import {
  asciiStl,
  binaryStl,
  box,
  randomBinaryStl,
  tetrahedron,
  unitCube,
  utf8,
  type Tri
} from '../../test-support/stl'
import { parseStl } from './parse-stl'
import { STL_ERROR_CODES, stlErrorMessage } from './errors'
import type { ParsedStl, StlErrorCode } from './types'

function ok(bytes: Uint8Array | ArrayBuffer): ParsedStl {
  const r = parseStl(bytes)
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`)
  return r.value
}

function err(bytes: Uint8Array | ArrayBuffer, limits?: Parameters<typeof parseStl>[1]) {
  const r = parseStl(bytes, limits)
  if (r.ok) throw new Error('expected an error')
  return r.error
}

function flat(tris: Tri[]): number[] {
  return tris.flat(2)
}

/** Records the length of every Float32Array constructed while `fn` runs. */
function recordFloat32Allocations(fn: () => void): number[] {
  const lengths: number[] = []
  const Original = globalThis.Float32Array
  globalThis.Float32Array = new Proxy(Original, {
    construct(target, args: unknown[]) {
      if (typeof args[0] === 'number') lengths.push(args[0])
      return Reflect.construct(target, args) as object
    }
  })
  try {
    fn()
  } finally {
    globalThis.Float32Array = Original
  }
  return lengths
}

describe('parseStl: binary', () => {
  it('reads a binary cube: positions, bbox, name', () => {
    const p = ok(binaryStl(unitCube(), { header: 'cube from fixture' }))
    expect(p.format).toBe('binary')
    expect(p.triangles).toBe(12)
    expect(p.positions).toBeInstanceOf(Float32Array)
    expect(p.positions.length).toBe(12 * 9)
    expect(Array.from(p.positions)).toEqual(flat(unitCube()))
    expect(p.bbox).toEqual({ min: [0, 0, 0], max: [1, 1, 1] })
    expect(p.name).toBe('cube from fixture')
    expect(p.notes).toEqual([])
  })

  it('accepts an ArrayBuffer and a Uint8Array view with an offset', () => {
    const bytes = binaryStl(tetrahedron())
    expect(ok(bytes.slice().buffer).triangles).toBe(4)
    const shifted = new Uint8Array(bytes.length + 3)
    shifted.set(bytes, 3)
    expect(ok(shifted.subarray(3)).triangles).toBe(4)
  })

  it('treats an exact-size binary as binary even when the header starts with "solid"', () => {
    const p = ok(binaryStl(unitCube(), { header: 'solid cube exported by SolidWorks' }))
    expect(p.format).toBe('binary')
    expect(p.triangles).toBe(12)
  })

  it('accepts trailing padding after the last triangle with a note', () => {
    const p = ok(binaryStl(unitCube(), { padding: 7 }))
    expect(p.triangles).toBe(12)
    expect(p.notes?.[0]).toMatch(/Ignored 7 bytes .*padding/)
  })

  it('accepts a "solid" header with NUL padding (three.js reads this as empty ASCII)', () => {
    const p = ok(binaryStl(unitCube(), { header: 'solid blender', padding: 100 }))
    expect(p.format).toBe('binary')
    expect(p.triangles).toBe(12)
  })

  it('matches three.js STLLoader positions on random triangles', () => {
    const bytes = randomBinaryStl(500, 7)
    const ours = ok(bytes)
    const geo = new STLLoader().parse(bytes.buffer as ArrayBuffer)
    expect(Array.from(ours.positions)).toEqual(Array.from(geo.getAttribute('position').array))
  })

  it('returns truncated with both numbers when the file is cut mid-triangle', () => {
    const full = binaryStl(box([0, 0, 0], [2, 2, 2]))
    const e = err(full.subarray(0, 84 + 50 * 5 + 17))
    expect(e.code).toBe('truncated')
    expect(e.message).toBe('The file ends after 5 of 12 triangles (truncated).')
  })

  it('returns count-mismatch when whole triangles disagree with the header', () => {
    const e = err(binaryStl(unitCube(), { count: 10 }))
    expect(e.code).toBe('count-mismatch')
    expect(e.message).toContain('10 triangles')
    expect(e.message).toContain('holds 12')
    expect(err(binaryStl(unitCube(), { count: 0 })).code).toBe('count-mismatch')
  })

  it('rejects a 134-byte file claiming 20 million triangles without allocating for them', () => {
    const bytes = binaryStl(tetrahedron().slice(0, 1), { count: 20_000_000 })
    expect(bytes.length).toBe(134)
    let code: StlErrorCode | undefined
    const allocations = recordFloat32Allocations(() => {
      const r = parseStl(bytes)
      code = r.ok ? undefined : r.error.code
    })
    expect(['count-mismatch', 'truncated']).toContain(code)
    expect(Math.max(0, ...allocations)).toBeLessThan(1000)
    expect(err(binaryStl([], { count: 0xffffffff, padding: 20 })).code).toBe('truncated')
  })

  it('rejects too many triangles before allocating', () => {
    const allocations = recordFloat32Allocations(() => {
      expect(err(binaryStl(unitCube()), { maxTriangles: 11 }).code).toBe('too-large')
    })
    expect(allocations).toEqual([])
  })

  it('rejects files above the byte limit', () => {
    const e = err(binaryStl(unitCube()), { maxBytes: 500 })
    expect(e.code).toBe('too-large')
    expect(e.message).toContain('limit')
  })

  it('returns no-triangles for an 84-byte header with count 0', () => {
    expect(err(binaryStl([])).code).toBe('no-triangles')
  })
})

describe('parseStl: detection and errors', () => {
  it('returns empty for 0 bytes', () => {
    expect(err(new Uint8Array(0)).code).toBe('empty')
  })

  it('returns too-small for short binary junk', () => {
    const bytes = new Uint8Array(83)
    bytes[0] = 1
    expect(err(bytes).code).toBe('too-small')
  })

  it('returns not-stl for a PNG, a 3MF/ZIP and plain text', () => {
    const png = new Uint8Array(300)
    png.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
    const e = err(png)
    expect(e.code).toBe('not-stl')
    expect(e.message).toContain('PNG')
    const zip = new Uint8Array(300)
    zip.set([0x50, 0x4b, 0x03, 0x04])
    expect(err(zip).message).toContain('ZIP')
    expect(err(utf8('hello world, this is a readme\n'.repeat(10))).code).toBe('not-stl')
    expect(err(utf8('v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n')).message).toContain('OBJ')
  })

  it('returns nan-coordinates when most vertices are NaN', () => {
    const bytes = binaryStl(unitCube())
    const view = new DataView(bytes.buffer)
    for (let t = 0; t < 12; t++) view.setFloat32(84 + 50 * t + 12, NaN, true)
    expect(err(bytes).code).toBe('nan-coordinates')
  })

  it('keeps a mesh with a few NaN vertices, counted and left out of the bbox', () => {
    const bytes = binaryStl(box([0, 0, 0], [2, 3, 4]))
    new DataView(bytes.buffer).setFloat32(84 + 12, Infinity, true)
    const p = ok(bytes)
    expect(p.nonFiniteVertices).toBe(1)
    expect(p.bbox).toEqual({ min: [0, 0, 0], max: [2, 3, 4] })
    expect(p.notes?.join(' ')).toMatch(/NaN or infinite/)
  })

  it('has a generic message for every code', () => {
    for (const code of STL_ERROR_CODES) expect(stlErrorMessage(code).length).toBeGreaterThan(10)
  })
})

describe('parseStl: ASCII', () => {
  it('reads an ASCII cube with identical floats to the binary one', () => {
    const p = ok(utf8(asciiStl(unitCube(), { name: 'cube' })))
    expect(p.format).toBe('ascii')
    expect(p.name).toBe('cube')
    expect(p.triangles).toBe(12)
    expect(Array.from(p.positions)).toEqual(flat(unitCube()))
    expect(p.notes).toEqual([])
  })

  it('tolerates a UTF-8 BOM, leading whitespace and upper-case keywords', () => {
    const text = '\ufeff  \n' + asciiStl(tetrahedron(), { upper: true, name: 'tet' })
    const p = ok(utf8(text))
    expect(p.format).toBe('ascii')
    expect(p.triangles).toBe(4)
    expect(p.name).toBe('TET')
  })

  it('reads a BOM right before `solid` with no notes and no ignored line', () => {
    for (const text of [
      '\ufeff' + asciiStl(tetrahedron(), { name: 'tet' }),
      '\ufeff  \n' + asciiStl(tetrahedron(), { name: 'tet' })
    ]) {
      const p = ok(utf8(text))
      expect(p.format).toBe('ascii')
      expect(p.triangles).toBe(4)
      expect(p.name).toBe('tet')
      expect(p.notes).toEqual([])
      expect(p.info).toEqual([])
    }
  })

  it('returns truncated when the text ends mid-facet before any complete triangle', () => {
    const full = asciiStl(tetrahedron(), { name: 'cut' })
    const cut = (marker: string, extra = 0) => full.slice(0, full.indexOf(marker) + extra)
    for (const text of [
      cut('outer loop'), // after `facet normal …`
      cut('vertex'), // after `outer loop`
      cut('vertex', 'vertex'.length + 9) // inside the first vertex line
    ]) {
      const e = err(utf8(text))
      expect(e.code).toBe('truncated')
      expect(e.message).toContain('ends mid-facet')
    }
    const twoVertices = full.slice(0, full.indexOf('vertex', full.indexOf('vertex') + 1) + 30)
    expect(err(utf8(twoVertices)).message).toMatch(/ends mid-facet after 1 of its 3 vertices/)
    // Facets without a `solid` line, cut after a vertex: still recognisably a cut-short STL.
    const noSolid = 'facet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0'
    expect(err(utf8(noSolid)).code).toBe('truncated')
  })

  it('keeps no-triangles for a well-formed solid without facets', () => {
    const e = err(utf8('solid empty\nendsolid empty\n'))
    expect(e.code).toBe('no-triangles')
    expect(err(utf8('solid x\nfacet normal 0 0 1\nendfacet\nendsolid x\n')).code).toBe(
      'no-triangles'
    )
    // Plain text that merely contains the word facet is not an STL.
    expect(err(utf8('the facet of it all\nfacet\n')).code).toBe('not-stl')
  })

  it('reads ASCII without facet normal lines', () => {
    const p = ok(utf8(asciiStl(unitCube(), { normals: false })))
    expect(p.triangles).toBe(12)
    expect(Array.from(p.positions)).toEqual(flat(unitCube()))
  })

  it('returns no-triangles for a solid stub (an 80-byte URDF-style placeholder)', () => {
    expect(err(utf8('solid empty\nendsolid empty\n')).code).toBe('no-triangles')
    expect(err(utf8('solid x')).code).toBe('no-triangles')
  })

  it('reads facets without a solid line, with a note', () => {
    const text = asciiStl(tetrahedron()).replace(/^solid.*\n/, '')
    const p = ok(utf8(text))
    expect(p.triangles).toBe(4)
    expect(p.notes?.join(' ')).toContain("no 'solid' line")
  })

  it('rejects ASCII above the triangle limit', () => {
    expect(err(utf8(asciiStl(unitCube())), { maxTriangles: 5 }).code).toBe('too-large')
  })

  it('returns nan-coordinates for an ASCII mesh of nan vertices', () => {
    const text =
      'solid n\nfacet normal 0 0 0\nouter loop\nvertex nan nan nan\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid\n'
    expect(err(utf8(text)).code).toBe('nan-coordinates')
  })
})

describe('parseStl: inPlace', () => {
  it('writes positions over the input buffer with identical results', () => {
    const source = randomBinaryStl(2000, 9)
    const copy = ok(source.slice())
    const input = source.slice()
    const r = parseStl(input, undefined, { inPlace: true })
    if (!r.ok) throw new Error(r.error.message)
    expect(r.value.positions.buffer).toBe(input.buffer)
    expect(r.value.positions.byteOffset).toBe(0)
    expect(Array.from(r.value.positions)).toEqual(Array.from(copy.positions))
    expect(r.value.bbox).toEqual(copy.bbox)
    expect(r.value.name).toBe(copy.name)
  })

  it('falls back to a copy when the input is not 4-byte aligned, and ignores ASCII', () => {
    const bytes = binaryStl(unitCube())
    const shifted = new Uint8Array(bytes.length + 2)
    shifted.set(bytes, 2)
    const r = parseStl(shifted.subarray(2), undefined, { inPlace: true })
    expect(r.ok && r.value.positions.buffer !== shifted.buffer).toBe(true)
    const text = utf8(asciiStl(unitCube()))
    const a = parseStl(text, undefined, { inPlace: true })
    expect(a.ok && a.value.positions.buffer !== text.buffer).toBe(true)
  })
})
