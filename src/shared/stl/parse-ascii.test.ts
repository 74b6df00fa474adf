import { describe, expect, it } from 'vitest'
import { STLLoader } from 'three/examples/jsm/loaders/STLLoader.js'
import {
  asciiStl,
  prng,
  sphere,
  tetrahedron,
  unitCube,
  utf8,
  type Tri
} from '../../test-support/stl'
import { AsciiStlScanner } from './parse-ascii'
import { parseStl } from './parse-stl'
import type { ParsedStl } from './types'

function parse(text: string): ParsedStl {
  const r = parseStl(utf8(text))
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value
}

const TRI = 'vertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\n'

describe('ASCII STL tolerance', () => {
  it('ignores comments and garbage lines', () => {
    const text = [
      'solid commented',
      '# exported by a tool that writes comments',
      '// another comment style',
      'COLOR=0.5 0.5 0.5',
      'facet normal 0 0 1',
      'outer loop',
      'vertex 0 0 0',
      'vertex 1 0 0',
      'vertex 0 1 0',
      'endloop',
      'endfacet',
      'endsolid commented'
    ].join('\n')
    const p = parse(text)
    expect(p.triangles).toBe(1)
    expect(p.notes).toEqual([])
    expect(p.info?.join(' ')).toContain('Ignored 3 unrecognised lines')
  })

  it('reads facets that lack endloop and endfacet', () => {
    const text = asciiStl(tetrahedron(), { loops: false, endfacet: false })
    expect(parse(text).triangles).toBe(4)
  })

  it('reads facets that lack facet normal, outer loop, endloop (vertices + endfacet only)', () => {
    const text = asciiStl(unitCube(), { normals: false, loops: false })
    expect(parse(text).triangles).toBe(12)
  })

  it('handles CRLF, CR-only, tabs and mixed line endings', () => {
    for (const eol of ['\r\n', '\r', '\n']) {
      expect(parse(asciiStl(unitCube(), { eol, indent: '\t' })).triangles).toBe(12)
    }
    const mixed =
      'solid m\r\nfacet normal 0 0 1\router loop\n\tvertex\t0\t0\t0\r\n  vertex 1 0 0\rvertex 0 1 0\nendloop\r\nendfacet\nendsolid m'
    expect(parse(mixed).triangles).toBe(1)
  })

  it('parses exponents, signs and decimal forms exactly like parseFloat', () => {
    const values = [
      '1.5e+02',
      '1E-3',
      '-2.5E+1',
      '+3',
      '.5',
      '7.',
      '-0',
      '1e0',
      '0.000123',
      '123456789012345678',
      '3.4028234663852886e+38',
      '1e-50'
    ]
    const text = `solid e\nfacet\nouter loop\nvertex ${values.slice(0, 3).join(' ')}\nvertex ${values.slice(3, 6).join(' ')}\nvertex ${values.slice(6, 9).join(' ')}\nendloop\nendfacet\nfacet\nouter loop\nvertex ${values.slice(9, 12).join(' ')}\nvertex 0 0 0\nvertex 1 1 1\nendloop\nendfacet\nendsolid`
    const p = parse(text)
    expect(p.triangles).toBe(2)
    expect(Array.from(p.positions.subarray(0, 12))).toEqual(
      values.map((v) => Math.fround(parseFloat(v)))
    )
  })

  it('agrees with parseFloat on many random numbers in several formats', () => {
    const rnd = prng(42)
    const formats = [
      (n: number) => n.toExponential(6),
      (n: number) => n.toFixed(4),
      (n: number) => String(n),
      (n: number) => n.toPrecision(9).toUpperCase(),
      (n: number) => n.toExponential(15)
    ]
    const tris: Tri[] = []
    for (let i = 0; i < 400; i++) {
      const v = (): [number, number, number] => [
        (rnd() - 0.5) * 10 ** Math.floor(rnd() * 12 - 6),
        (rnd() - 0.5) * 1000,
        rnd() * 1e-3
      ]
      tris.push([v(), v(), v()])
    }
    for (const number of formats) {
      const text = asciiStl(tris, { number })
      const p = parse(text)
      const expected = tris.flat(2).map((n) => Math.fround(parseFloat(number(n))))
      expect(Array.from(p.positions)).toEqual(expected)
    }
  })

  it('merges several solids in one file', () => {
    const text = asciiStl(tetrahedron(), { name: 'a' }) + asciiStl(unitCube(), { name: 'b' })
    const p = parse(text)
    expect(p.triangles).toBe(16)
    expect(p.name).toBe('a')
    expect(p.info?.join(' ')).toContain('Merged 2 solids')
  })

  it('accepts a missing endsolid with a note', () => {
    const p = parse(asciiStl(unitCube(), { endsolid: false }))
    expect(p.triangles).toBe(12)
    expect(p.notes?.join(' ')).toContain("without 'endsolid'")
  })

  it('skips facets with 2 or 4 vertices and counts them', () => {
    const text = `solid s\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nendloop\nendfacet\nfacet normal 0 0 1\nouter loop\n${TRI}vertex 5 5 5\nendloop\nendfacet\nfacet normal 0 0 1\nouter loop\n${TRI}endloop\nendfacet\nendsolid s\n`
    const p = parse(text)
    expect(p.triangles).toBe(1)
    expect(p.notes?.[0]).toBe('Skipped 2 malformed facets (not exactly 3 readable vertices).')
  })

  it('skips a facet with a malformed vertex line', () => {
    const text = `solid s\nfacet\nouter loop\nvertex 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nfacet\nouter loop\nvertex 0 0 1,5\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nfacet\nouter loop\n${TRI}endloop\nendfacet\nendsolid\n`
    const p = parse(text)
    expect(p.triangles).toBe(1)
    expect(p.notes?.[0]).toContain('Skipped 2 malformed facets')
  })

  it('reads a one-line (minified) file', () => {
    const text = asciiStl(tetrahedron()).replace(/\s+/g, ' ')
    expect(parse(text).triangles).toBe(4)
  })

  it('reads nan/inf spellings as non-finite vertices', () => {
    const tris = [
      ...unitCube().map(
        (t) =>
          `facet normal 0 0 0\nouter loop\n${t.map((v) => `vertex ${v.join(' ')}`).join('\n')}\nendloop\nendfacet`
      ),
      'facet normal 0 0 0\nouter loop\nvertex NaN 0 0\nvertex -inf 0 0\nvertex 1.#QNAN 0 0\nendloop\nendfacet'
    ]
    const p = parse(`solid x\n${tris.join('\n')}\nendsolid x\n`)
    expect(p.triangles).toBe(13)
    expect(p.nonFiniteVertices).toBe(3)
    expect(p.bbox).toEqual({ min: [0, 0, 0], max: [1, 1, 1] })
  })

  it('tolerates NUL padding and a DOS Ctrl-Z after a short ASCII file', () => {
    expect(parse(asciiStl(tetrahedron()) + '\u001a').triangles).toBe(4)
    expect(parse(asciiStl(tetrahedron()) + '\u0000\u0000\u0000').triangles).toBe(4)
  })

  it('decodes a non-ASCII solid name', () => {
    expect(parse(asciiStl(tetrahedron(), { name: 'Würfel ✓' })).name).toBe('Würfel ✓')
  })

  it('gives the same result when streamed in chunks of any size', () => {
    const bytes = utf8(asciiStl(sphere(10, 12, 8), { eol: '\r\n' }))
    const whole = parse(new TextDecoder().decode(bytes))
    for (const size of [1, 2, 3, 7, 64, 1000]) {
      const scanner = new AsciiStlScanner({ maxTriangles: 1e6 })
      for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size))
      const scan = scanner.finish()
      expect(scan.triangles).toBe(whole.triangles)
      expect(Array.from(scan.positions)).toEqual(Array.from(whole.positions))
      expect(scan.name).toBe('fixture')
    }
  })

  it('without keepPositions finds the same counts, bbox and problems, and keeps no geometry', () => {
    const text =
      asciiStl(sphere(10, 12, 8)).replace(/vertex \S+/, 'vertex nan') + 'facet\nvertex 1 2\n'
    const bytes = utf8(text)
    const kept = new AsciiStlScanner({ maxTriangles: 1e6 })
    kept.push(bytes)
    const lean = new AsciiStlScanner({ maxTriangles: 1e6, keepPositions: false })
    for (let i = 0; i < bytes.length; i += 13) lean.push(bytes.subarray(i, i + 13))
    const { positions: all, ...full } = kept.finish()
    const { positions: none, ...checked } = lean.finish()
    expect(all.length).toBeGreaterThan(0)
    expect(none).toHaveLength(0)
    expect(checked).toEqual(full)
    expect(full.nonFiniteVertices).toBeGreaterThan(0)
    expect(full.endedMidFacet).toBe(true)
  })

  it('strips a leading BOM even when the chunks split it', () => {
    const bytes = utf8('\ufeff' + asciiStl(tetrahedron(), { name: 'bom' }))
    for (const size of [1, 2, 3, 4, 1000]) {
      const scanner = new AsciiStlScanner({ maxTriangles: 1e6 })
      for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size))
      const scan = scanner.finish()
      expect([scan.triangles, scan.sawSolid, scan.ignoredLines, scan.name]).toEqual([
        4,
        true,
        0,
        'bom'
      ])
    }
  })

  it('keeps bytes that only look like the start of a BOM', () => {
    // EF BB then 'x': not a BOM, so they start an unknown word (an ignored line).
    const bytes = new Uint8Array([0xef, 0xbb, ...utf8('x\n' + asciiStl(tetrahedron()))])
    for (const size of [1, 2, 1000]) {
      const scanner = new AsciiStlScanner({ maxTriangles: 1e6 })
      for (let i = 0; i < bytes.length; i += size) scanner.push(bytes.subarray(i, i + size))
      const scan = scanner.finish()
      expect([scan.triangles, scan.ignoredLines]).toEqual([4, 1])
    }
    const lone = new AsciiStlScanner({ maxTriangles: 10 })
    lone.push(new Uint8Array([0xef]))
    expect(lone.finish().ignoredLines).toBe(1)
  })

  it('marks a scan that ends inside a facet', () => {
    const scanner = new AsciiStlScanner({ maxTriangles: 10 })
    scanner.push(utf8('solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\n'))
    const scan = scanner.finish()
    expect([scan.triangles, scan.endedMidFacet, scan.endedMidFacetVertices]).toEqual([0, true, 2])
    const done = new AsciiStlScanner({ maxTriangles: 10 })
    done.push(utf8(asciiStl(tetrahedron())))
    expect(done.finish().endedMidFacet).toBe(false)
  })

  it('matches three.js STLLoader on a well-formed file', () => {
    const text = asciiStl(sphere(25, 16, 9))
    const p = parse(text)
    const geo = new STLLoader().parse(text)
    expect(Array.from(p.positions)).toEqual(Array.from(geo.getAttribute('position').array))
  })
})
