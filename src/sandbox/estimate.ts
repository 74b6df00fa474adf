// A part's slicing estimate and 3MF metadata, derived from its facts (part-facts.ts). The sandbox
// does not slice: print time and grams come from a simple model of the printed volume (walls from
// the surface area, 15 % infill of the rest), or from what a slicer wrote into a gcode.3mf.
import type {
  Metadata3Mf,
  PartMaterial,
  PlateSlicingEstimate,
  SlicingEstimate,
  SlicingMaterialUsage
} from '../shared/printago/api-types'
import type { Geometry, PartFacts, PlateFacts } from './part-facts'

export const SLICER_VERSION = 'OrcaSlicer 2.3.0 (sandbox estimate)'
const DENSITY: Record<string, number> = { PLA: 1.24, PETG: 1.27, ABS: 1.04, ASA: 1.07, TPU: 1.21 }
const FILAMENT_SECTION_MM2 = Math.PI * 0.875 * 0.875
/** mm of wall thickness counted over the whole surface (two 0.4 mm perimeters / skins). */
const SHELL_MM = 0.8
const INFILL = 0.15
/** Effective volumetric speed of a whole print, mm³/s, plus per-layer and start-up overheads. */
const MM3_PER_S = 8
const LAYER_MM = 0.2
const LAYER_OVERHEAD_S = 3
const STARTUP_S = 240

const round2 = (x: number): number => Math.round(x * 100) / 100

/** mm³ of plastic a print of this geometry lays down. */
export function printedVolume(g: Geometry): number {
  const [x, y, z] = g.size
  // An open mesh has no volume: take a third of its box, roughly what typical parts fill.
  const solid = g.volume ?? (x * y * z) / 3
  const shell = Math.min(solid, g.area * SHELL_MM)
  return shell + INFILL * Math.max(0, solid - shell)
}

function timeOf(g: Geometry, volume: number): number {
  return Math.round(
    STARTUP_S + volume / MM3_PER_S + Math.ceil(g.size[2] / LAYER_MM) * LAYER_OVERHEAD_S
  )
}

function usage(
  index: number,
  type: string,
  color: string | null,
  mm3: number
): SlicingMaterialUsage {
  const u: SlicingMaterialUsage = {
    index,
    usedGrams: round2((mm3 / 1000) * (DENSITY[type.toUpperCase()] ?? 1.24)),
    usedMeters: round2(mm3 / FILAMENT_SECTION_MM2 / 1000),
    materialType: type
  }
  if (color) u.color = color
  return u
}

function sum(xs: number[]): number {
  return round2(xs.reduce((a, b) => a + b, 0))
}

function plateEstimate(
  f: Extract<PartFacts, { kind: '3mf' | 'gcode3mf' }>,
  plate: PlateFacts
): PlateSlicingEstimate {
  const filament = (i: number): { type: string; color: string | null } => {
    const fl = f.project.filaments.find((x) => x.index === i)
    return { type: fl?.type ?? 'PLA', color: fl?.color ?? null }
  }
  const s = plate.sliced
  if (s && s.printSeconds !== null && s.weightGrams !== null) {
    const materials = s.filaments.map((fl) =>
      Object.assign(
        {
          index: Math.max(0, fl.index - 1),
          usedGrams: round2(fl.grams ?? 0),
          usedMeters: round2(fl.meters ?? 0),
          materialType: fl.type ?? filament(fl.index).type
        },
        fl.color ? { color: fl.color } : {}
      )
    )
    return {
      plateId: plate.id,
      estimatedPrintTimeSeconds: Math.round(s.printSeconds),
      materials,
      totalWeightGrams: round2(s.weightGrams)
    }
  }
  const g = plate.geometry
  const volume = g ? printedVolume(g) : 0
  const used = plate.filaments.length > 0 ? plate.filaments : [1]
  const materials = used.map((i) => {
    const fl = filament(i)
    return usage(i - 1, fl.type, fl.color, volume / used.length)
  })
  return {
    plateId: plate.id,
    estimatedPrintTimeSeconds: g ? timeOf(g, volume) : 0,
    materials,
    totalWeightGrams: sum(materials.map((m) => m.usedGrams))
  }
}

/** The estimate for a part, or null when its file could not be read. */
export function estimateOf(facts: PartFacts, slicedAt: string): SlicingEstimate | null {
  if (facts.kind === 'unreadable') return null
  if (facts.kind === 'stl') {
    const volume = printedVolume(facts.geometry)
    const materials = [usage(0, 'PLA', null, volume)]
    return {
      estimatedPrintTimeSeconds: timeOf(facts.geometry, volume),
      materials,
      totalWeightGrams: materials[0]!.usedGrams,
      slicedAt,
      slicerVersion: SLICER_VERSION
    }
  }
  const plates = facts.plates.map((p) => plateEstimate(facts, p))
  const byIndex = new Map<number, SlicingMaterialUsage>()
  for (const m of plates.flatMap((p) => p.materials)) {
    const seen = byIndex.get(m.index)
    if (seen) {
      seen.usedGrams = round2(seen.usedGrams + m.usedGrams)
      seen.usedMeters = round2(seen.usedMeters + m.usedMeters)
    } else byIndex.set(m.index, { ...m })
  }
  return {
    estimatedPrintTimeSeconds: plates.reduce((a, p) => a + p.estimatedPrintTimeSeconds, 0),
    materials: [...byIndex.values()].sort((a, b) => a.index - b.index),
    totalWeightGrams: sum(plates.map((p) => p.totalWeightGrams)),
    slicedAt,
    slicerVersion:
      facts.kind === 'gcode3mf' ? (facts.project.application ?? SLICER_VERSION) : SLICER_VERSION,
    plates
  }
}

const ENGINES = new Set(['orcaslicer', 'bambu-studio', 'prusaslicer', 'superslicer'])

/** Metadata3MF for a 3MF part (`thumbUri(plateId)` names where a plate's thumbnail was stored). */
export function metadata3mfOf(
  facts: PartFacts,
  thumbUri: (plateId: number) => string | null
): Metadata3Mf | null {
  if (facts.kind !== '3mf' && facts.kind !== 'gcode3mf') return null
  const { project } = facts
  const sliced = facts.plates.find((p) => p.sliced)?.sliced ?? null
  const printerModel = project.printerModel ?? sliced?.printerModel ?? ''
  const slicer = project.slicer
  const version = /(\d+(?:\.\d+)+)/.exec(project.application ?? '')?.[1] ?? ''
  return {
    printerModel,
    filamentType: project.filaments.map((f) => f.type ?? ''),
    filamentColors: project.filaments.map((f) => f.color ?? ''),
    nozzleDiameter: String(project.nozzleDiameter ?? sliced?.nozzleDiameter ?? ''),
    profileCompat: {
      sliced: printerModel,
      compatible: printerModel ? [printerModel] : [],
      safe: printerModel ? [printerModel] : []
    },
    slicerVersion:
      slicer && ENGINES.has(slicer)
        ? { engine: slicer as NonNullable<Metadata3Mf['slicerVersion']>['engine'], version }
        : null,
    plates: facts.plates.map((p) => {
      const plate: NonNullable<Metadata3Mf['plates']>[number] = { id: p.id, name: p.name }
      if (p.gcodePath) plate.gcodeFile = p.gcodePath
      const uri = thumbUri(p.id)
      if (uri) plate.thumbnailUploadedUri = uri
      if (p.sliced) {
        const s = p.sliced
        plate.sliced = {
          printerModelId: s.printerModel ?? '',
          nozzleDiameters: s.nozzleDiameter === null ? '' : String(s.nozzleDiameter),
          filaments: s.filaments.map((f) => ({
            id: String(f.index),
            trayInfoIdx: '',
            type: f.type ?? '',
            color: f.color ?? '',
            usedM: f.meters ?? 0,
            usedG: f.grams ?? 0
          })),
          warnings: s.warnings.map((msg) => ({ msg, level: 1, errorCode: '' }))
        }
        if (s.printSeconds !== null) plate.sliced.prediction = s.printSeconds
        if (s.weightGrams !== null) plate.sliced.weight = s.weightGrams
      }
      return plate
    })
  }
}

/** The part's materials (one per project filament), or null for a single-material part. */
export function partMaterialsOf(facts: PartFacts): PartMaterial[] | null {
  if (facts.kind !== '3mf' && facts.kind !== 'gcode3mf') return null
  return facts.project.filaments.map((f) => ({
    index: Math.max(0, f.index - 1),
    color: f.color ? f.color.replace(/^#/, '#').toUpperCase() : null,
    type: f.type
  }))
}
