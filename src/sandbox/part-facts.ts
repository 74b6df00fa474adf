// What the sandbox knows about a part's file, read once with the app's own engines: an STL's
// size, volume and surface (src/shared/stl), a 3MF project's plates, filaments and sliced plates
// (src/shared/3mf), plus a thumbnail. Builds, slicing, estimates and metadata all start here.
import { readFileSync } from 'node:fs'
import type { Part } from '../shared/printago/api-types'
import { parse3mf, type Plate, type SlicedPlate, type ThreeMfProject } from '../shared/3mf'
import { analyzeMesh, parseStl } from '../shared/stl'
import { renderTopView } from './png'
import type { SandboxState } from './types'

/** Files bigger than this are not analysed (the sandbox reads them whole). */
const MAX_ANALYSED_BYTES = 256 * 1024 * 1024

/** Geometry of a mesh or a plate, in mm. */
export interface Geometry {
  size: [number, number, number]
  /** mm³ when the mesh is closed, else null. */
  volume: number | null
  /** mm². */
  area: number
  triangles: number
}

/** An image to publish (PNG from the renderer or the producer's PNG/JPEG). */
export interface Image {
  bytes: Uint8Array
  ext: 'png' | 'jpg'
}

/** One plate of a 3MF project. */
export interface PlateFacts {
  id: number
  name: string
  geometry: Geometry | null
  /** 1-based filament slots the plate's objects use. */
  filaments: number[]
  thumbnail: Image | null
  /** What the slicer wrote, for a sliced plate. */
  sliced: SlicedPlate | null
  /** Archive paths of the plate's files (to split a gcode.3mf by plate). */
  gcodePath: string | null
}

export type PartFacts =
  | { kind: 'stl'; geometry: Geometry; thumbnail: Image }
  | {
      kind: '3mf' | 'gcode3mf'
      project: Pick<
        ThreeMfProject,
        'application' | 'slicer' | 'printerModel' | 'nozzleDiameter' | 'filaments' | 'title'
      >
      plates: PlateFacts[]
      thumbnail: Image | null
    }
  | { kind: 'unreadable'; reason: string }

const cache = new WeakMap<SandboxState, Map<string, PartFacts>>()

/** The facts of a part's first file (computed once per part and file). */
export function factsOf(state: SandboxState, part: Part): PartFacts {
  let byPart = cache.get(state)
  if (!byPart) cache.set(state, (byPart = new Map()))
  const key = `${part.id}:${part.fileHashes[0] ?? ''}`
  let facts = byPart.get(key)
  if (!facts) {
    facts = compute(state, part)
    byPart.set(key, facts)
  }
  return facts
}

/** The bytes of a part's first file, or why they cannot be read. */
export function partBytes(state: SandboxState, part: Part): Uint8Array | string {
  const uri = part.fileUris[0]
  const obj = uri ? state.uploads.get(uri) : undefined
  if (!obj) return 'The part has no stored file'
  if (obj.size > MAX_ANALYSED_BYTES) return 'The file is too large for the sandbox to analyse'
  try {
    return readFileSync(obj.file)
  } catch {
    return 'The stored file could not be read'
  }
}

function compute(state: SandboxState, part: Part): PartFacts {
  if (part.type !== 'stl' && part.type !== '3mf' && part.type !== 'gcode3mf') {
    return { kind: 'unreadable', reason: `The sandbox does not analyse ${part.type} parts` }
  }
  const bytes = partBytes(state, part)
  if (typeof bytes === 'string') return { kind: 'unreadable', reason: bytes }
  return part.type === 'stl' ? stlFacts(bytes) : projectFacts(part.type, bytes)
}

function stlFacts(bytes: Uint8Array): PartFacts {
  const parsed = parseStl(bytes)
  if (!parsed.ok) return { kind: 'unreadable', reason: parsed.error.message }
  const r = analyzeMesh(parsed.value)
  return {
    kind: 'stl',
    geometry: { size: r.size, volume: r.volume, area: r.surfaceArea, triangles: r.triangles },
    thumbnail: { bytes: renderTopView([parsed.value.positions]), ext: 'png' }
  }
}

function plateFacts(plate: Plate): PlateFacts {
  const meshes = plate.objects.flatMap((o) => o.parts.map((p) => p.positions))
  const filaments = new Set<number>()
  for (const o of plate.objects) for (const p of o.parts) if (p.filament) filaments.add(p.filament)
  const r = plate.report
  let thumbnail: Image | null = null
  if (plate.thumbnail) {
    thumbnail = {
      bytes: plate.thumbnail.bytes,
      ext: plate.thumbnail.mime === 'image/png' ? 'png' : 'jpg'
    }
  } else if (meshes.length > 0) thumbnail = { bytes: renderTopView(meshes), ext: 'png' }
  return {
    id: plate.id,
    name: plate.name,
    geometry: r
      ? { size: r.size, volume: r.volume, area: r.surfaceArea, triangles: r.triangles }
      : null,
    filaments: [...filaments].sort((a, b) => a - b),
    thumbnail,
    sliced: plate.sliced,
    gcodePath: plate.sliced?.gcodePath ?? null
  }
}

function projectFacts(type: '3mf' | 'gcode3mf', bytes: Uint8Array): PartFacts {
  const parsed = parse3mf(bytes)
  if (!parsed.ok) return { kind: 'unreadable', reason: parsed.error.message }
  const p = parsed.value
  const plates = p.plates.map(plateFacts)
  const first = plates.find((x) => x.thumbnail)?.thumbnail ?? null
  return {
    kind: type,
    project: {
      application: p.application,
      slicer: p.slicer,
      printerModel: p.printerModel,
      nozzleDiameter: p.nozzleDiameter,
      filaments: p.filaments,
      title: p.title
    },
    plates,
    thumbnail: p.thumbnail
      ? { bytes: p.thumbnail.bytes, ext: p.thumbnail.mime === 'image/png' ? 'png' : 'jpg' }
      : first
  }
}

/** The plates jobs are made from: a 3MF's plates, or none for a single-model part. */
export function platesOf(state: SandboxState, part: Part): PlateFacts[] {
  const f = factsOf(state, part)
  return f.kind === '3mf' || f.kind === 'gcode3mf' ? f.plates : []
}

/** The size a job prints: the part's, or its plate's; null when unknown. */
export function printedSize(
  state: SandboxState,
  part: Part,
  plateId: number | null
): [number, number, number] | null {
  const f = factsOf(state, part)
  if (f.kind === 'stl') return f.geometry.size
  if (f.kind === 'unreadable') return null
  return f.plates.find((p) => p.id === plateId)?.geometry?.size ?? null
}
