// Build items → placed objects: walks each item's component tree (3MF Core §4.2) with the
// accumulated transform, and writes every printed mesh as flat positions in plate coordinates
// (mm), the STL engine's layout. Before anything is allocated, the triangles each item expands to
// are counted (memoized, cycle-checked), so nested components that multiply (a "billion laughs"
// of objects) are refused by the budget instead of filling memory.

import { formatCount } from '../format'
import type { Bbox } from '../stl/types'
import { fail, overBudgetMessage } from './errors'
import type { BuildItem, MeshData, ModelPart, ObjectResource } from './model'
import { determinant, IDENTITY, multiply } from './numbers'
import type { ObjectConfig } from './slicer-config'
import type { MeshPart } from './types'
import { normalizePath } from './zip'

export interface AssembledItem {
  /** 0-based index in the root build. */
  index: number
  objectId: number
  instance: number
  name: string
  printable: boolean
  /** One buffer for the whole item; each part's positions is a view of it. */
  positions: Float32Array
  parts: MeshPart[]
  triangles: number
  bbox: Bbox
  /** Parts left out because they are not printed (modifiers, negative volumes, blockers). */
  skippedParts: number
}

export interface AssembleInput {
  parts: Map<string, ModelPart>
  root: string
  configs: Map<number, ObjectConfig>
  filamentColors: string[]
  maxTriangles: number
  maxInstances: number
}

interface Leaf {
  mesh: MeshData
  owner: ObjectResource
  part: ModelPart
  matrix: Float64Array
  /** The first-level component's object id (Bambu's part id), or -1 for the item's own mesh. */
  top: number
}

type Key = string

/** Deepest component nesting walked (real projects use 2–3 levels). */
const MAX_NESTING = 32

export function assemble(input: AssembleInput): AssembledItem[] {
  const { parts, root } = input
  const rootPart = parts.get(root)!
  const lookup = (
    path: string | null,
    id: number,
    from: ModelPart,
    where: string
  ): [ObjectResource, ModelPart] => {
    const part = path === null ? from : parts.get(normalizePath(path))
    const obj = part?.objects.get(id)
    if (!part || !obj) {
      fail(
        'missing-object',
        `${where} refers to object ${id}${path ? ` in '${path}'` : ''}, which the file does not define.`
      )
    }
    return [obj, part]
  }

  // Triangles and instances each object expands to, and how deep its components go, with cycle
  // detection. The height is memoized too, so objects reused at different depths stay bounded.
  const memo = new Map<Key, { tris: number; inst: number; height: number }>()
  const visiting = new Set<Key>()
  const cap = Math.max(input.maxTriangles, input.maxInstances) + 1
  const tooDeep = (): never =>
    fail('over-budget', `The model nests components more than ${MAX_NESTING} levels deep.`)
  const expand = (
    obj: ObjectResource,
    part: ModelPart,
    depth = 0
  ): { tris: number; inst: number; height: number } => {
    const key = `${part.path}#${obj.id}`
    const known = memo.get(key)
    if (known) {
      if (depth + known.height > MAX_NESTING) tooDeep()
      return known
    }
    if (visiting.has(key)) {
      fail(
        'component-cycle',
        `Object ${obj.id} in '${part.path}' contains itself through its components.`
      )
    }
    if (depth > MAX_NESTING) tooDeep()
    visiting.add(key)
    let tris = obj.type === 'other' ? 0 : (obj.mesh?.triangleCount ?? 0)
    let inst = 1
    let height = 0
    for (const c of obj.components) {
      const [child, childPart] = lookup(
        c.path,
        c.objectId,
        part,
        `Object ${obj.id} in '${part.path}'`
      )
      const e = expand(child, childPart, depth + 1)
      tris = Math.min(cap, tris + e.tris)
      inst = Math.min(cap, inst + e.inst)
      height = Math.max(height, e.height + 1)
    }
    visiting.delete(key)
    const r = { tris, inst, height }
    memo.set(key, r)
    return r
  }

  let total = 0
  let instances = 0
  const resolved = rootPart.build.map((item, n) => {
    const [obj, part] = lookup(item.path, item.objectId, rootPart, `Build item ${n + 1}`)
    const e = expand(obj, part)
    total = Math.min(cap, total + e.tris)
    instances = Math.min(cap, instances + e.inst)
    return { item, obj, part }
  })
  if (total > input.maxTriangles)
    fail('over-budget', overBudgetMessage('triangles', input.maxTriangles))
  if (instances > input.maxInstances) {
    fail('over-budget', overBudgetMessage('object instances', input.maxInstances))
  }

  const seen = new Map<number, number>()
  return resolved.map(({ item, obj, part }, index) => {
    const instance = seen.get(item.objectId) ?? 0
    seen.set(item.objectId, instance + 1)
    return buildItem(input, item, obj, part, index, instance, lookup)
  })
}

function buildItem(
  input: AssembleInput,
  item: BuildItem,
  obj: ObjectResource,
  part: ModelPart,
  index: number,
  instance: number,
  lookup: (
    path: string | null,
    id: number,
    from: ModelPart,
    where: string
  ) => [ObjectResource, ModelPart]
): AssembledItem {
  const leaves: Leaf[] = []
  const walk = (o: ObjectResource, p: ModelPart, m: Float64Array, top: number): void => {
    if (o.mesh && o.type !== 'other' && o.mesh.triangleCount > 0) {
      leaves.push({ mesh: o.mesh, owner: o, part: p, matrix: m, top })
    }
    for (const c of o.components) {
      const [child, childPart] = lookup(c.path, c.objectId, p, `Object ${o.id}`)
      walk(
        child,
        childPart,
        c.transform ? multiply(c.transform, m) : m,
        top < 0 && o === obj ? c.objectId : top
      )
    }
  }
  walk(obj, part, item.transform ?? IDENTITY, -1)

  const config = input.configs.get(obj.id)
  // Split leaves into printed parts: Bambu parts by component id, Prusa volumes by triangle range.
  interface Piece {
    leaf: Leaf
    first: number
    count: number
    name: string
    filament: number | null
  }
  const pieces: Piece[] = []
  let skippedParts = 0
  for (const leaf of leaves) {
    const partCfg = leaf.top >= 0 ? config?.parts.get(leaf.top) : undefined
    if (partCfg && !partCfg.printed) {
      skippedParts++
      continue
    }
    const baseName =
      partCfg?.name ?? (leaf.owner.name || config?.name || obj.name || `Object ${obj.id}`)
    const filament = partCfg?.filament ?? config?.filament ?? null
    const volumes = leaf.top < 0 ? (config?.volumes ?? []) : []
    if (volumes.length === 0) {
      pieces.push({ leaf, first: 0, count: leaf.mesh.triangleCount, name: baseName, filament })
      continue
    }
    for (const v of volumes) {
      const first = v.firstTriangle ?? 0
      const last = Math.min(v.lastTriangle ?? -1, leaf.mesh.triangleCount - 1)
      if (last < first) continue
      if (!v.printed) {
        skippedParts++
        continue
      }
      pieces.push({
        leaf,
        first,
        count: last - first + 1,
        name: v.name ?? baseName,
        filament: v.filament ?? filament
      })
    }
  }

  let triangles = 0
  for (const p of pieces) triangles += p.count
  const positions = new Float32Array(triangles * 9)
  const bbox: Bbox = { min: [Infinity, Infinity, Infinity], max: [-Infinity, -Infinity, -Infinity] }
  const parts: MeshPart[] = []
  let at = 0
  for (const p of pieces) {
    const flip = determinant(p.leaf.matrix) < 0
    const m = p.leaf.matrix === IDENTITY ? null : p.leaf.matrix
    gather(p.leaf.mesh, m, p.first, p.count, flip, positions, at * 9, bbox, obj.id)
    parts.push({
      name: p.name,
      filament: p.filament,
      color: colorOf(input, p.filament, p.leaf.owner, p.leaf.part, obj, part),
      positions: positions.subarray(at * 9, (at + p.count) * 9),
      triangles: p.count
    })
    at += p.count
  }
  if (triangles === 0) bbox.min = bbox.max = [0, 0, 0]
  return {
    index,
    objectId: obj.id,
    instance,
    name: config?.name ?? (obj.name || `Object ${obj.id}`),
    printable: item.printable,
    positions,
    parts,
    triangles,
    bbox,
    skippedParts
  }
}

/**
 * Writes `count` triangles from `first` as 9 floats each, transformed by `m` (row vectors, null for
 * identity) and with the winding flipped when mirrored. Only the corners used are transformed, so
 * the work is bounded by the triangle budget even for meshes with many unused vertices.
 */
function gather(
  mesh: MeshData,
  m: Float64Array | null,
  first: number,
  count: number,
  flip: boolean,
  out: Float32Array,
  at: number,
  bbox: Bbox,
  objectId: number
): void {
  const verts = mesh.vertices
  const indices = mesh.indices
  const [a, b, c, d, e, f, g, h, i, tx, ty, tz] = m ?? IDENTITY
  let minX = bbox.min[0]
  let minY = bbox.min[1]
  let minZ = bbox.min[2]
  let maxX = bbox.max[0]
  let maxY = bbox.max[1]
  let maxZ = bbox.max[2]
  let o = at
  const end = (first + count) * 3
  for (let t = first * 3; t < end; t += 3) {
    for (let k = 0; k < 3; k++) {
      // Mirrored: corners 1 and 2 swap so the face still points outward.
      const corner = flip && k > 0 ? 3 - k : k
      const v = indices[t + corner]! * 3
      let x = verts[v]!
      let y = verts[v + 1]!
      let z = verts[v + 2]!
      if (m !== null) {
        const px = x
        const py = y
        x = Math.fround(px * a! + py * d! + z * g! + tx!)
        y = Math.fround(px * b! + py * e! + z * h! + ty!)
        z = Math.fround(px * c! + py * f! + z * i! + tz!)
        if (x - x !== 0 || y - y !== 0 || z - z !== 0) {
          fail(
            'non-finite',
            `Object ${objectId} is moved or scaled beyond what a float can hold (${formatCount(t / 3 + 1)}).`
          )
        }
      }
      out[o++] = x
      out[o++] = y
      out[o++] = z
      if (x < minX) minX = x
      if (x > maxX) maxX = x
      if (y < minY) minY = y
      if (y > maxY) maxY = y
      if (z < minZ) minZ = z
      if (z > maxZ) maxZ = z
    }
  }
  bbox.min = [minX, minY, minZ]
  bbox.max = [maxX, maxY, maxZ]
}

function colorOf(
  input: AssembleInput,
  filament: number | null,
  leaf: ObjectResource,
  leafPart: ModelPart,
  root: ObjectResource,
  rootPart: ModelPart
): string | null {
  if (filament !== null) {
    const c = input.filamentColors[filament - 1]
    if (c) return c
  }
  for (const [o, p] of [
    [leaf, leafPart],
    [root, rootPart]
  ] as const) {
    if (o.pid >= 0) {
      const c = p.colors.get(o.pid)?.[o.pindex]
      if (c) return c
    }
  }
  return null
}
