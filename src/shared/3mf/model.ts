// Reads one 3D model part (3MF Core chapters 3–5, plus the production extension's `p:path` and
// the materials extension's colour groups) from streamed XML bytes into typed arrays: vertices
// (Float32, already in mm) and triangle indices (Uint32) per mesh object, components and build
// items with their transforms (translations in mm). Vertices and triangles are parsed from the
// bytes in place (no strings, no DOM): this is the hot path of a 3MF load.
//
// Why this file is long (~550 lines): the vertex/triangle fast paths are written out inline,
// because a generic attribute callback per vertex costs about a third of the load time, and the
// element state machine for the rest of the schema has to live next to them.

import { formatCount } from '../format'
import { fail, overBudgetMessage } from './errors'
import { determinant, parseIndex, parseIndexText, parseMatrix, parseNumber } from './numbers'
import type { ThreeMfUnit } from './types'
import { decodeText, latin1, readAttributes, XmlScanner, type XmlHandler } from './xml'

export const NS_CORE = 'http://schemas.microsoft.com/3dmanufacturing/core/2015/02'
export const NS_PRODUCTION = 'http://schemas.microsoft.com/3dmanufacturing/production/2015/06'
export const NS_MATERIAL = 'http://schemas.microsoft.com/3dmanufacturing/material/2015/02'

/** Millimetres per unit (3MF Core §3.4). */
export const UNIT_MM: Record<ThreeMfUnit, number> = {
  micron: 0.001,
  millimeter: 1,
  centimeter: 10,
  inch: 25.4,
  foot: 304.8,
  meter: 1000
}

export interface MeshData {
  /** x, y, z per vertex, in mm. */
  vertices: Float32Array
  vertexCount: number
  /** v1, v2, v3 per triangle. */
  indices: Uint32Array
  triangleCount: number
}

export interface ComponentRef {
  objectId: number
  /** Normalized part path from `p:path`, or null for the same part. */
  path: string | null
  /** Row-vector 3×4 matrix, translation in mm; null for identity. */
  transform: Float64Array | null
}

export interface ObjectResource {
  id: number
  name: string
  type: string
  /** Property group and index of the object (basematerials or colorgroup). */
  pid: number
  pindex: number
  mesh: MeshData | null
  components: ComponentRef[]
}

export interface BuildItem {
  objectId: number
  path: string | null
  transform: Float64Array | null
  /** Bambu/Orca `printable="0"` marks an item the user excluded from printing. */
  printable: boolean
}

export interface ModelPart {
  path: string
  unit: ThreeMfUnit
  metadata: Map<string, string>
  objects: Map<number, ObjectResource>
  build: BuildItem[]
  /** Colours (#RRGGBB) of basematerials and colorgroups, by resource id. */
  colors: Map<number, string[]>
  /** Extensions the part requires that this reader does not implement (geometry may be missing). */
  unsupportedExtensions: string[]
  /** Triangles with their own property (colour) or Bambu/Prusa paint data. */
  paintedTriangles: number
}

/** Shared budget across all parts of one file. */
export interface MeshBudget {
  maxElements: number
  maxInstances: number
  elements: number
  resources: number
}

// Element kinds on the stack (what closes when depth drops).
const K_OTHER = 0
const K_MODEL = 1
const K_RESOURCES = 2
const K_OBJECT = 3
const K_MESH = 4
const K_VERTICES = 5
const K_TRIANGLES = 6
const K_COMPONENTS = 7
const K_BUILD = 8
const K_METADATA = 9
const K_BASEMATERIALS = 10
const K_COLORGROUP = 11
const K_METADATAGROUP = 12

const SUPPORTED_EXTENSIONS = new Set([NS_PRODUCTION, NS_MATERIAL])

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

/** True when b[s, e) equals the ASCII string. */
function is(b: Uint8Array, s: number, e: number, word: string): boolean {
  if (e - s !== word.length) return false
  for (let k = 0; k < word.length; k++) if (b[s + k] !== word.charCodeAt(k)) return false
  return true
}

/** Where `nextAttribute` found a `name="value"` in the bytes (value still encoded). */
interface AttributeSpan {
  ns: number
  ne: number
  vs: number
  ve: number
}

const NO_MORE = -1
const MALFORMED = -2

/**
 * The fast attribute walk of the mesh elements (vertex, triangle; millions per file): reads the
 * attribute at or after b[i] into `at` and returns where the next may start; NO_MORE at the end
 * of [i, e), MALFORMED for anything but `name = "value"` / `name = 'value'`.
 */
function nextAttribute(b: Uint8Array, i: number, e: number, at: AttributeSpan): number {
  while (i < e && isWs(b[i]!)) i++
  if (i >= e) return NO_MORE
  at.ns = i
  while (i < e && b[i] !== 0x3d && !isWs(b[i]!)) i++
  at.ne = i
  while (i < e && isWs(b[i]!)) i++
  if (b[i] !== 0x3d) return MALFORMED
  i++
  while (i < e && isWs(b[i]!)) i++
  const q = b[i]
  if (q !== 0x22 && q !== 0x27) return MALFORMED
  at.vs = ++i
  while (i < e && b[i] !== q) i++
  if (i >= e) return MALFORMED
  at.ve = i
  return i + 1
}

/** `a` with room for twice as many values (the mesh arrays grow by doubling). */
function doubled<A extends Float32Array | Uint32Array>(a: A): A {
  const next = new (a.constructor as new (length: number) => A)(a.length * 2)
  next.set(a)
  return next
}

export class ModelReader implements XmlHandler {
  readonly part: ModelPart
  private readonly scanner: XmlScanner
  private readonly kinds = new Uint8Array(65)
  private scale = 1
  private prefixes = new Map<string, string>()
  private obj: ObjectResource | null = null
  private vx = new Float32Array(0)
  private vCount = 0
  private ix = new Uint32Array(0)
  private tCount = 0
  private readonly at: AttributeSpan = { ns: 0, ne: 0, vs: 0, ve: 0 }
  private metaName: string | null = null
  private metaText = ''
  private colorGroup: string[] | null = null

  constructor(
    path: string,
    private readonly budget: MeshBudget
  ) {
    this.part = {
      path,
      unit: 'millimeter',
      metadata: new Map(),
      objects: new Map(),
      build: [],
      colors: new Map(),
      unsupportedExtensions: [],
      paintedTriangles: 0
    }
    this.scanner = new XmlScanner(this, { what: `'${path}'` })
  }

  push(chunk: Uint8Array): void {
    this.scanner.push(chunk)
  }

  finish(): ModelPart {
    this.scanner.finish()
    if (this.kinds[0] !== K_MODEL) this.invalid('has no <model> root element')
    return this.part
  }

  private invalid(why: string): never {
    fail('invalid-model', `'${this.part.path}' ${why}.`)
  }

  /** Local name of an element in the core namespace, '' for other namespaces; `m:` names for materials. */
  private localName(b: Uint8Array, ns: number, ne: number): string {
    let colon = -1
    for (let k = ns; k < ne; k++) if (b[k] === 0x3a) colon = k
    if (colon < 0) return latin1(b, ns, ne)
    const uri = this.prefixes.get(latin1(b, ns, colon))
    const local = latin1(b, colon + 1, ne)
    if (uri === NS_CORE) return local
    if (uri === NS_MATERIAL) return `m:${local}`
    return ''
  }

  open(b: Uint8Array, ns: number, ne: number, as: number, ae: number): void {
    const depth = this.depthOf()
    const parent = depth > 0 ? this.kinds[depth - 1]! : -1
    // Hot paths first: vertex and triangle inside their containers, in the default namespace.
    if (parent === K_VERTICES && is(b, ns, ne, 'vertex')) {
      this.vertex(b, as, ae)
      this.kinds[depth] = K_OTHER
      return
    }
    if (parent === K_TRIANGLES && is(b, ns, ne, 'triangle')) {
      this.triangle(b, as, ae)
      this.kinds[depth] = K_OTHER
      return
    }
    let kind = K_OTHER
    if (depth === 0) {
      kind = this.model(b, ns, ne, as, ae)
    } else {
      const name = this.localName(b, ns, ne)
      switch (parent) {
        case K_MODEL:
          if (name === 'resources') kind = K_RESOURCES
          else if (name === 'build') kind = K_BUILD
          else if (name === 'metadata') kind = this.metadata(b, as, ae)
          break
        case K_RESOURCES:
          if (name === 'object') kind = this.object(b, as, ae)
          else if (name === 'basematerials' || name === 'm:colorgroup') {
            kind = name === 'basematerials' ? K_BASEMATERIALS : K_COLORGROUP
            const id = parseIndexText(readAttributes(b, as, ae)['id'])
            if (id < 0) this.invalid(`has a <${name}> without a valid id`)
            this.colorGroup = []
            this.part.colors.set(id, this.colorGroup)
            this.countResource()
          }
          break
        case K_BASEMATERIALS:
        case K_COLORGROUP:
          if (name === 'base' || name === 'm:color') {
            const a = readAttributes(b, as, ae)
            this.colorGroup?.push(normalizeColor(a[name === 'base' ? 'displaycolor' : 'color']))
          }
          break
        case K_OBJECT:
          if (name === 'mesh') kind = this.mesh()
          else if (name === 'components') kind = K_COMPONENTS
          else if (name === 'metadatagroup') kind = K_METADATAGROUP
          break
        case K_MESH:
          if (name === 'vertices') kind = K_VERTICES
          else if (name === 'triangles') kind = K_TRIANGLES
          break
        case K_VERTICES:
          if (name === 'vertex') this.vertex(b, as, ae)
          break
        case K_TRIANGLES:
          if (name === 'triangle') this.triangle(b, as, ae)
          break
        case K_COMPONENTS:
          if (name === 'component') this.component(b, as, ae)
          break
        case K_BUILD:
          if (name === 'item') this.item(b, as, ae)
          break
      }
    }
    this.kinds[depth] = kind
  }

  /** Current depth = number of open elements before this one (the scanner tracks it). */
  private depth = 0
  private depthOf(): number {
    return this.depth++
  }

  close(depth: number): void {
    this.depth = depth
    const kind = this.kinds[depth]
    if (kind === K_MESH) this.endMesh()
    else if (kind === K_OBJECT) this.obj = null
    else if (kind === K_METADATA && this.metaName !== null) {
      if (!this.part.metadata.has(this.metaName))
        this.part.metadata.set(this.metaName, this.metaText.trim())
      this.metaName = null
    } else if (kind === K_BASEMATERIALS || kind === K_COLORGROUP) this.colorGroup = null
  }

  text(b: Uint8Array, s: number, e: number, cdata: boolean): void {
    if (this.metaName === null) return
    if (this.metaText.length < 65536) {
      this.metaText += cdata ? new TextDecoder().decode(b.subarray(s, e)) : decodeText(b, s, e)
    }
  }

  private model(b: Uint8Array, ns: number, ne: number, as: number, ae: number): number {
    const a = readAttributes(b, as, ae)
    for (const [k, v] of Object.entries(a)) {
      if (k.startsWith('xmlns:')) this.prefixes.set(k.slice(6), v)
    }
    const name = latin1(b, ns, ne)
    const colon = name.indexOf(':')
    const uri = colon < 0 ? a['xmlns'] : this.prefixes.get(name.slice(0, colon))
    if (name.slice(colon + 1) !== 'model' || (uri !== undefined && uri !== NS_CORE && colon >= 0)) {
      this.invalid(`starts with <${name.slice(0, 40)}> instead of <model>`)
    }
    const unit = (a['unit'] ?? 'millimeter').trim()
    if (!(unit in UNIT_MM)) {
      this.invalid(
        `uses the unit "${unit.slice(0, 24)}"; 3MF allows micron, millimeter, centimeter, inch, foot and meter`
      )
    }
    this.part.unit = unit as ThreeMfUnit
    this.scale = UNIT_MM[this.part.unit]
    for (const prefix of (a['requiredextensions'] ?? '').split(/\s+/).filter(Boolean)) {
      const uri = this.prefixes.get(prefix)
      if (!uri || !SUPPORTED_EXTENSIONS.has(uri))
        this.part.unsupportedExtensions.push(uri ?? prefix)
    }
    return K_MODEL
  }

  private metadata(b: Uint8Array, as: number, ae: number): number {
    const name = readAttributes(b, as, ae)['name']
    this.metaName = name === undefined ? null : name.trim()
    this.metaText = ''
    return K_METADATA
  }

  private countResource(): void {
    if (++this.budget.resources > this.budget.maxInstances) {
      fail(
        'over-budget',
        overBudgetMessage('objects, components and build items', this.budget.maxInstances)
      )
    }
  }

  private object(b: Uint8Array, as: number, ae: number): number {
    const a = readAttributes(b, as, ae)
    const id = parseIndexText(a['id'])
    if (id < 0)
      this.invalid(`has an <object> without a valid id ("${(a['id'] ?? '').slice(0, 24)}")`)
    if (this.part.objects.has(id)) this.invalid(`defines object ${id} twice`)
    this.countResource()
    const pid = parseIndexText(a['pid'])
    this.obj = {
      id,
      name: a['name'] ?? '',
      type: (a['type'] ?? 'model').trim(),
      pid,
      pindex: pid >= 0 ? Math.max(0, parseIndexText(a['pindex'])) : -1,
      mesh: null,
      components: []
    }
    this.part.objects.set(id, this.obj)
    return K_OBJECT
  }

  private mesh(): number {
    this.vx = new Float32Array(3 * 1024)
    this.ix = new Uint32Array(3 * 1024)
    this.vCount = 0
    this.tCount = 0
    return K_MESH
  }

  private endMesh(): void {
    if (!this.obj) return
    this.obj.mesh = {
      vertices: this.vx.length === this.vCount * 3 ? this.vx : this.vx.slice(0, this.vCount * 3),
      vertexCount: this.vCount,
      indices: this.ix.length === this.tCount * 3 ? this.ix : this.ix.slice(0, this.tCount * 3),
      triangleCount: this.tCount
    }
    this.vx = new Float32Array(0)
    this.ix = new Uint32Array(0)
  }

  private spend(): void {
    if (++this.budget.elements > this.budget.maxElements) {
      fail('over-budget', overBudgetMessage('vertices and triangles', this.budget.maxElements))
    }
  }

  private vertex(b: Uint8Array, s: number, e: number): void {
    if (!this.obj) return
    this.spend()
    let x = NaN
    let y = NaN
    let z = NaN
    let got = 0
    const at = this.at
    let i = s
    while ((i = nextAttribute(b, i, e, at)) >= 0) {
      if (at.ne - at.ns === 1) {
        const c = b[at.ns]
        if (c === 0x78) {
          x = parseNumber(b, at.vs, at.ve)
          got |= 1
        } else if (c === 0x79) {
          y = parseNumber(b, at.vs, at.ve)
          got |= 2
        } else if (c === 0x7a) {
          z = parseNumber(b, at.vs, at.ve)
          got |= 4
        }
      }
    }
    if (i === MALFORMED) this.badVertex('has malformed attributes')
    if (got !== 7) this.badVertex('lacks an x, y or z')
    const sx = x * this.scale
    const sy = y * this.scale
    const sz = z * this.scale
    const fx = Math.fround(sx)
    const fy = Math.fround(sy)
    const fz = Math.fround(sz)
    if (fx - fx !== 0 || fy - fy !== 0 || fz - fz !== 0) {
      if (Number.isNaN(x) || Number.isNaN(y) || Number.isNaN(z)) {
        this.badVertex('has a coordinate that is not a decimal number')
      }
      fail(
        'non-finite',
        `Vertex ${formatCount(this.vCount + 1)} of object ${this.obj.id} in '${this.part.path}' is infinitely far away (or too large for a float).`
      )
    }
    let o = this.vCount * 3
    if (o + 3 > this.vx.length) this.vx = doubled(this.vx)
    const v = this.vx
    v[o++] = fx
    v[o++] = fy
    v[o] = fz
    this.vCount++
  }

  private badVertex(why: string): never {
    this.invalid(`vertex ${formatCount(this.vCount + 1)} of object ${this.obj?.id ?? '?'} ${why}`)
  }

  private triangle(b: Uint8Array, s: number, e: number): void {
    if (!this.obj) return
    this.spend()
    let v1 = -1
    let v2 = -1
    let v3 = -1
    let props = false
    const at = this.at
    let i = s
    while ((i = nextAttribute(b, i, e, at)) >= 0) {
      const { ns, ne } = at
      if (ne - ns === 2 && b[ns] === 0x76) {
        const c = b[ns + 1]
        if (c === 0x31) v1 = parseIndex(b, at.vs, at.ve)
        else if (c === 0x32) v2 = parseIndex(b, at.vs, at.ve)
        else if (c === 0x33) v3 = parseIndex(b, at.vs, at.ve)
      } else if (
        // p1/p2/p3/pid (per-triangle properties) and the slicers' colour painting.
        (ne - ns === 2 && b[ns] === 0x70) ||
        is(b, ns, ne, 'pid') ||
        is(b, ns, ne, 'paint_color') ||
        is(b, ns, ne, 'slic3rpe:mmu_segmentation')
      ) {
        props = true
      }
    }
    if (i === MALFORMED) this.badTriangle('has malformed attributes')
    const n = this.vCount
    if (v1 < 0 || v2 < 0 || v3 < 0) this.badTriangle('lacks a valid v1, v2 or v3 index')
    if (v1 >= n || v2 >= n || v3 >= n) {
      this.badTriangle(
        `uses vertex ${Math.max(v1, v2, v3)}, but the object has ${formatCount(n)} vertices`
      )
    }
    if (props) this.part.paintedTriangles++
    let o = this.tCount * 3
    if (o + 3 > this.ix.length) this.ix = doubled(this.ix)
    const t = this.ix
    t[o++] = v1
    t[o++] = v2
    t[o] = v3
    this.tCount++
  }

  private badTriangle(why: string): never {
    this.invalid(`triangle ${formatCount(this.tCount + 1)} of object ${this.obj?.id ?? '?'} ${why}`)
  }

  private component(b: Uint8Array, as: number, ae: number): void {
    if (!this.obj) return
    this.countResource()
    const a = readAttributes(b, as, ae)
    const where = `Object ${this.obj.id} in '${this.part.path}'`
    const objectId = parseIndexText(a['objectid'])
    if (objectId < 0) this.invalid(`object ${this.obj.id} has a component without a valid objectid`)
    this.obj.components.push({
      objectId,
      path: this.productionPath(a),
      transform: this.transform(a['transform'], `${where} (a component)`)
    })
  }

  private item(b: Uint8Array, as: number, ae: number): void {
    this.countResource()
    const a = readAttributes(b, as, ae)
    const n = this.part.build.length + 1
    const objectId = parseIndexText(a['objectid'])
    if (objectId < 0) this.invalid(`build item ${n} has no valid objectid`)
    this.part.build.push({
      objectId,
      path: this.productionPath(a),
      transform: this.transform(a['transform'], `Build item ${n} in '${this.part.path}'`),
      printable: (a['printable'] ?? '1').trim() !== '0'
    })
  }

  /** The `path` attribute of the production namespace, whatever its prefix. */
  private productionPath(a: Record<string, string>): string | null {
    for (const [k, v] of Object.entries(a)) {
      const colon = k.indexOf(':')
      if (
        colon > 0 &&
        k.slice(colon + 1) === 'path' &&
        this.prefixes.get(k.slice(0, colon)) === NS_PRODUCTION
      ) {
        return v.trim()
      }
    }
    return null
  }

  /** A transform in mm (translation scaled by the unit), or null for none/identity. */
  private transform(text: string | undefined, where: string): Float64Array | null {
    if (text === undefined || text.trim() === '') return null
    const m = parseMatrix(text, where)
    for (let k = 9; k < 12; k++) m[k] = m[k]! * this.scale
    if (determinant(m) === 0)
      fail('invalid-model', `${where} has a transform that flattens the model to nothing.`)
    return m
  }
}

/** `#RGB`, `#RRGGBB` or `#RRGGBBAA` → `#rrggbb`; anything else → '' (unknown). */
export function normalizeColor(value: string | undefined): string {
  const v = (value ?? '').trim()
  if (/^#[0-9a-f]{6}([0-9a-f]{2})?$/i.test(v)) return v.slice(0, 7).toLowerCase()
  if (/^#[0-9a-f]{3}$/i.test(v)) return `#${v[1]}${v[1]}${v[2]}${v[2]}${v[3]}${v[3]}`.toLowerCase()
  return ''
}
