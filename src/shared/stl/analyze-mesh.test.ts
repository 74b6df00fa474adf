import { describe, expect, it } from 'vitest'
import {
  asciiStl,
  binaryStl,
  box,
  flip,
  scale,
  sphere,
  tetrahedron,
  translate,
  unitCube,
  utf8,
  type Tri
} from '../../test-support/stl'
import { analyzeMesh } from './analyze-mesh'
import { inspectStl } from './index'
import type { MeshReport, ParsedStl } from './types'

function report(tris: Tri[] | Uint8Array): MeshReport {
  const r = inspectStl(Array.isArray(tris) ? binaryStl(tris) : tris)
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`)
  return r.value
}

describe('analyzeMesh', () => {
  it('unit cube: 12 triangles, volume 1, area 6, closed, 1 shell, ok', () => {
    const r = report(unitCube())
    expect(r.triangles).toBe(12)
    expect(r.size).toEqual([1, 1, 1])
    expect(r.volume).toBeCloseTo(1, 12)
    expect(r.volumeNote).toBeNull()
    expect(r.surfaceArea).toBeCloseTo(6, 12)
    expect(r.closed).toBe(true)
    expect(r.openEdges).toBe(0)
    expect(r.nonManifoldEdges).toBe(0)
    expect(r.inconsistentEdges).toBe(0)
    expect(r.degenerate).toBe(0)
    expect(r.nonFiniteVertices).toBe(0)
    expect(r.shells).toBe(1)
    // 1 mm is small but ×25.4 is only 25 mm: plausible, so it is flagged.
    expect(r.inchSuspect).toBe(true)
  })

  it('a 20 mm cube far from the origin: volume 8000, area 2400, verdict ok', () => {
    const r = report(translate(box([0, 0, 0], [20, 20, 20]), [1000, -500, 250]))
    expect(r.volume).toBeCloseTo(8000, 6)
    expect(r.surfaceArea).toBeCloseTo(2400, 6)
    expect(r.size).toEqual([20, 20, 20])
    expect(r.inchSuspect).toBe(false)
    expect(r.verdict).toBe('ok')
    expect(r.notes).toEqual([])
  })

  it('tetrahedron: volume 1/6, area 1.5 + √3/2', () => {
    const r = report(tetrahedron())
    expect(r.volume).toBeCloseTo(1 / 6, 12)
    expect(r.surfaceArea).toBeCloseTo(1.5 + Math.sqrt(3) / 2, 6)
    expect(r.closed).toBe(true)
    expect(r.shells).toBe(1)
  })

  it('two separate cubes: 2 shells, volume is the sum', () => {
    const tris = [...box([0, 0, 0], [10, 10, 10]), ...box([20, 0, 0], [25, 5, 5])]
    const r = report(tris)
    expect(r.shells).toBe(2)
    expect(r.volume).toBeCloseTo(1125, 9)
    expect(r.size).toEqual([25, 10, 10])
    expect(r.closed).toBe(true)
  })

  it('open mesh (cube without its top): volume null with the open edge count', () => {
    const tris = box([0, 0, 0], [10, 10, 10]).filter((_, i) => i !== 2 && i !== 3)
    const r = report(tris)
    expect(r.closed).toBe(false)
    expect(r.openEdges).toBe(4)
    expect(r.volume).toBeNull()
    expect(r.volumeNote).toBe('n/a: 4 open edges')
    expect(r.verdict).toBe('warning')
    expect(r.notes.join(' ')).toContain('4 open edges')
  })

  it('one inverted triangle: closed but inconsistent, volume null', () => {
    const tris = box([0, 0, 0], [10, 10, 10])
    tris[5] = flip(tris[5]!)
    const r = report(tris)
    expect(r.closed).toBe(true)
    expect(r.inconsistentEdges).toBe(3)
    expect(r.volume).toBeNull()
    expect(r.volumeNote).toBe('n/a: 3 flipped edges')
    expect(r.verdict).toBe('warning')
  })

  it('inside-out cube: absolute volume with "faces point inward"', () => {
    const r = report(box([0, 0, 0], [10, 10, 10]).map(flip))
    expect(r.volume).toBeCloseTo(1000, 9)
    expect(r.volumeNote).toBe('faces point inward')
    expect(r.verdict).toBe('warning')
  })

  it('a cavity (inner shell facing inward) subtracts and is noted but not a warning', () => {
    const outer = box([0, 0, 0], [10, 10, 10])
    const inner = box([4, 4, 4], [6, 6, 6]).map(flip)
    const r = report([...outer, ...inner])
    expect(r.shells).toBe(2)
    expect(r.volume).toBeCloseTo(992, 9)
    expect(r.verdict).toBe('ok')
    expect(r.notes.join(' ')).toContain('1 of 2 shells face inward')
  })

  it('non-manifold edge: three faces on one edge', () => {
    const a = box([0, 0, 0], [10, 10, 10])
    // A fin sharing the cube's edge (10,0,0)-(10,10,0).
    const fin: Tri = [
      [10, 0, 0],
      [10, 10, 0],
      [20, 5, 0]
    ]
    const r = report([...a, fin])
    expect(r.nonManifoldEdges).toBe(1)
    expect(r.openEdges).toBe(2)
    expect(r.closed).toBe(false)
    expect(r.volume).toBeNull()
  })

  it('counts degenerate triangles and keeps the volume of the rest', () => {
    const tris = box([0, 0, 0], [10, 10, 10])
    tris.push([
      [0, 0, 0],
      [0, 0, 0],
      [10, 0, 0]
    ])
    tris.push([
      [0, 0, 0],
      [5, 0, 0],
      [10, 0, 0]
    ])
    const r = report(tris)
    expect(r.degenerate).toBe(2)
    expect(r.verdict).toBe('warning')
    // The collapsed one is left out; the collinear sliver (distinct vertices) still has edges:
    // 0-5 and 5-10 are open, and 0-10 becomes a third face on a cube edge.
    expect(r.openEdges).toBe(2)
    expect(r.nonManifoldEdges).toBe(1)
  })

  it('ignores triangles with NaN vertices (counted)', () => {
    const bytes = binaryStl(box([0, 0, 0], [10, 10, 10]))
    new DataView(bytes.buffer).setFloat32(84 + 12, NaN, true)
    const r = report(bytes)
    expect(r.nonFiniteVertices).toBe(1)
    expect(r.openEdges).toBe(3)
    expect(r.volume).toBeNull()
    expect(r.size).toEqual([10, 10, 10])
  })

  it('flags a flat model as an error', () => {
    const r = report([
      [
        [0, 0, 0],
        [10, 0, 0],
        [0, 10, 0]
      ]
    ])
    expect(r.verdict).toBe('error')
    expect(r.notes[0]).toContain('flat')
  })

  it('inchSuspect: a 2-inch part drawn in inches', () => {
    const r = report(box([0, 0, 0], [2, 1, 0.5]))
    expect(r.inchSuspect).toBe(true)
    expect(r.notes.join(' ')).toContain('50.8 × 25.4 × 12.7 mm')
    expect(report(box([0, 0, 0], [0.1, 0.1, 0.1])).inchSuspect).toBe(false)
    expect(report(box([0, 0, 0], [10, 5, 5])).inchSuspect).toBe(false)
  })

  it('unitSuspect: a part drawn in metres or micrometres is a warning, with its size fixed', () => {
    const metres = report(box([0, 0, 0], [0.07, 0.03, 0.03]))
    expect(metres.unitSuspect).toBe('m')
    expect(metres.verdict).toBe('warning')
    expect(metres.notes.join(' ')).toContain('if it was drawn in metres it is 70 × 30 × 30 mm')
    const microns = report(box([0, 0, 0], [50_000, 20_000, 10_000]))
    expect(microns.unitSuspect).toBe('um')
    expect(microns.notes.join(' ')).toContain('micrometres it is 50 × 20 × 10 mm')
    // Printable as it is, or no factor makes it printable: left alone.
    expect(report(box([0, 0, 0], [2, 1, 0.5])).unitSuspect).toBeNull()
    expect(report(box([0, 0, 0], [0.0001, 0.0001, 0.0001])).unitSuspect).toBeNull()
    expect(report(box([0, 0, 0], [9000, 10, 10])).unitSuspect).toBeNull()
  })

  it('sphere mesh: closed, consistent, volume close to 4/3πr³', () => {
    const r = report(scale(sphere(1, 64, 32), 20))
    expect(r.closed).toBe(true)
    expect(r.inconsistentEdges).toBe(0)
    expect(r.shells).toBe(1)
    expect(r.volume!).toBeGreaterThan(0.98 * (4 / 3) * Math.PI * 8000)
    expect(r.volume!).toBeLessThan((4 / 3) * Math.PI * 8000)
  })

  it('ASCII and binary of the same mesh give the same report', () => {
    const tris = sphere(12, 20, 10)
    const a = report(utf8(asciiStl(tris, { number: (n) => String(Math.fround(n)) })))
    const b = report(binaryStl(tris))
    expect({ ...a, format: 'binary' }).toEqual(b)
  })

  it('weld treats -0 and +0 as the same vertex', () => {
    const tris = box([0, 0, 0], [1, 1, 1]).map(
      (t) => t.map((v) => v.map((c) => (c === 0 ? -0 : c))) as Tri
    )
    tris[0] = box()[0]!
    expect(report(tris).closed).toBe(true)
  })

  it('works on a ParsedStl built by hand (no parser notes)', () => {
    const parsed: ParsedStl = {
      format: 'binary',
      positions: new Float32Array(unitCube().flat(2)),
      triangles: 12,
      bbox: { min: [0, 0, 0], max: [1, 1, 1] },
      name: ''
    }
    expect(analyzeMesh(parsed).volume).toBeCloseTo(1, 12)
  })

  it('handles 200k triangles quickly', () => {
    const tris = sphere(50, 400, 251)
    const bytes = binaryStl(tris)
    const t0 = performance.now()
    const r = report(bytes)
    const ms = performance.now() - t0
    expect(r.triangles).toBe(200_000)
    expect(r.closed).toBe(true)
    expect(ms).toBeLessThan(2000)
  })
})
