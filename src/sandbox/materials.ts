// Materials of the demo store (types, colour variants), the filament loaded in each printer slot,
// and which loaded slots satisfy a job's material requirements (build `materials` per channel and
// the `filament.type` routing tag).
import type {
  Material,
  MaterialVariant,
  PrinterSlot,
  PrintJob,
  PrintJobMaterialMapping
} from '../shared/printago/api-types'
import type { FleetSlot } from './types'

const CREATED = '2025-09-01T08:00:00.000Z'

type Spec = NonNullable<PrintJob['materialAssignments']>[string][number]

interface CatalogueMaterial {
  id: string
  name: string
  brand: string
  type: string
  identifier: string
  variants: [id: string, name: string, color: string][]
}

const MATERIALS: CatalogueMaterial[] = [
  {
    id: 'sbxmaterial0000000000001',
    name: 'PLA Basic',
    brand: 'Bambu Lab',
    type: 'PLA',
    identifier: 'GFA00',
    variants: [
      ['sbxvariant00000000000001', 'Jade White', '#FFFFFFFF'],
      ['sbxvariant00000000000002', 'Black', '#000000FF'],
      ['sbxvariant00000000000003', 'Red', '#C12E1FFF'],
      ['sbxvariant00000000000004', 'Blue', '#0A2989FF'],
      ['sbxvariant00000000000005', 'Gray', '#8E9089FF'],
      ['sbxvariant00000000000006', 'Yellow', '#F4EE2AFF']
    ]
  },
  {
    id: 'sbxmaterial0000000000002',
    name: 'PETG HF',
    brand: 'Bambu Lab',
    type: 'PETG',
    identifier: 'GFG02',
    variants: [
      ['sbxvariant00000000000011', 'Black', '#000000FF'],
      ['sbxvariant00000000000012', 'Orange', '#F75403FF'],
      ['sbxvariant00000000000013', 'White', '#FFFFFFFF'],
      ['sbxvariant00000000000014', 'Translucent', '#FFFFFF33']
    ]
  },
  {
    id: 'sbxmaterial0000000000003',
    name: 'Prusament PETG',
    brand: 'Prusa Polymers',
    type: 'PETG',
    identifier: 'PRUPETG',
    variants: [['sbxvariant00000000000021', 'Prusa Orange', '#FA6831FF']]
  }
]

/** Variant ids of the catalogue by a short name, for the fleet and tests. */
export const VARIANT = {
  plaWhite: 'sbxvariant00000000000001',
  plaBlack: 'sbxvariant00000000000002',
  plaRed: 'sbxvariant00000000000003',
  plaBlue: 'sbxvariant00000000000004',
  plaGray: 'sbxvariant00000000000005',
  plaYellow: 'sbxvariant00000000000006',
  petgBlack: 'sbxvariant00000000000011',
  petgOrange: 'sbxvariant00000000000012',
  petgWhite: 'sbxvariant00000000000013',
  petgTranslucent: 'sbxvariant00000000000014',
  prusamentOrange: 'sbxvariant00000000000021'
} as const

/** Material ids of the catalogue. */
export const MATERIAL = {
  plaBasic: 'sbxmaterial0000000000001',
  petgHf: 'sbxmaterial0000000000002',
  prusamentPetg: 'sbxmaterial0000000000003'
} as const

/** The demo store's materials and variants. */
export function demoMaterials(storeId: string): {
  materials: Material[]
  variants: MaterialVariant[]
} {
  const base = { storeId, createdAt: CREATED, updatedAt: CREATED }
  const materials = MATERIALS.map((m): Material => ({
    name: m.name,
    brand: m.brand,
    type: m.type,
    identifier: m.identifier,
    tags: [],
    filamentUserProfileId: null,
    filamentSystemProfileId: null,
    starred: m.type === 'PLA',
    pricePer1000g: m.type === 'PLA' ? 19.99 : 24.99,
    source: null,
    externalId: null,
    id: m.id,
    ...base
  }))
  const variants = MATERIALS.flatMap((m) =>
    m.variants.map(([id, name, color]): MaterialVariant => ({
      name,
      materialId: m.id,
      color,
      tags: [],
      filamentUserProfileId: null,
      filamentSystemProfileId: null,
      pricePer1000g: null,
      pressureAdvance: null,
      source: null,
      externalId: null,
      id,
      ...base
    }))
  )
  return { materials, variants }
}

/** A slot id from its position, stable across runs: `sbxslot` + printer id tail + position. */
function slotId(printerId: string, amsIndex: number, slotIndex: number): string {
  const pos = String(amsIndex + 1).padStart(2, '0') + String(slotIndex).padStart(2, '0')
  return `sbxslot${printerId.slice(-13).padStart(13, '0')}${pos}`
}

/** PrinterSlot entities for `slots`, resolving variants against the catalogue. */
export function slotEntities(
  storeId: string,
  slots: FleetSlot[],
  variants: Map<string, MaterialVariant>,
  materials: Map<string, Material>
): PrinterSlot[] {
  return slots.map((s): PrinterSlot => {
    const variant = s.variantId ? variants.get(s.variantId) : undefined
    const material = variant ? materials.get(variant.materialId) : undefined
    const bambuAms = s.amsIndex >= 0
    return {
      printerId: s.printerId,
      materialId: material?.id ?? null,
      variantId: variant?.id ?? null,
      instanceId: null,
      materialType: material?.type ?? null,
      // What a Bambu AMS reads from the spool's RFID tag.
      expectedData:
        bambuAms && material && variant
          ? {
              color: (variant.color ?? '#00000000').slice(1, 9),
              identifier: material.identifier ?? '',
              type: material.type
            }
          : null,
      expectedDataSetAt: bambuAms && material ? CREATED : null,
      amsIndex: s.amsIndex,
      slotIndex: s.slotIndex,
      slot: bambuAms ? s.amsIndex * 4 + s.slotIndex : 254,
      filamentUserProfileId: null,
      filamentSystemProfileId: null,
      id: slotId(s.printerId, s.amsIndex, s.slotIndex),
      storeId,
      createdAt: CREATED,
      updatedAt: CREATED
    }
  })
}

/** A loaded slot with what it holds. */
export interface LoadedSlot {
  slot: PrinterSlot
  variant: MaterialVariant | undefined
  material: Material | undefined
}

function specMatches(spec: Spec, s: LoadedSlot): boolean {
  if ('materialType' in spec)
    return (s.slot.materialType ?? '').toLowerCase() === spec.materialType.toLowerCase()
  if ('materialId' in spec) return s.slot.materialId === spec.materialId
  if ('variantId' in spec) return s.slot.variantId === spec.variantId
  // Material groups are not modelled; builds naming one are refused before they exist.
  return false
}

/** One job channel (extruder/filament index) and the specs any one of which it accepts. */
export interface Channel {
  index: number
  specs: Spec[]
}

/** Channels of a job's `materialAssignments`, by channel index. */
export function channelsOf(assignments: PrintJob['materialAssignments']): Channel[] {
  return Object.entries(assignments ?? {})
    .map(([k, specs]) => ({ index: Number(k), specs }))
    .filter((c) => Number.isFinite(c.index) && c.specs.length > 0)
    .sort((a, b) => a.index - b.index)
}

/** Gives each channel a distinct loaded slot (backtracking; channels are few), or null. */
export function assignSlots(channels: Channel[], loaded: LoadedSlot[]): LoadedSlot[] | null {
  const used = new Set<LoadedSlot>()
  const out: LoadedSlot[] = []
  const go = (i: number): boolean => {
    const channel = channels[i]
    if (!channel) return true
    for (const s of loaded) {
      if (used.has(s) || !channel.specs.some((spec) => specMatches(spec, s))) continue
      used.add(s)
      out.push(s)
      if (go(i + 1)) return true
      used.delete(s)
      out.pop()
    }
    return false
  }
  return go(0) ? out : null
}

/** A job's `materialMapping` entry for the slot serving a channel. */
export function mappingOf(s: LoadedSlot): PrintJobMaterialMapping {
  const m: PrintJobMaterialMapping = {
    amsIndex: s.slot.amsIndex,
    slotIndex: s.slot.slotIndex,
    filamentUserProfileId: null,
    filamentSystemProfileId: null
  }
  if (s.slot.materialType) m.materialType = s.slot.materialType
  if (s.material) m.materialId = s.material.id
  if (s.variant) {
    m.variantId = s.variant.id
    m.name = `${s.material?.name ?? ''} ${s.variant.name}`.trim()
    if (s.variant.color) m.color = s.variant.color
  }
  return m
}

/** Human words for a channel's specs, e.g. "PLA or variant sbx…". */
export function describeSpecs(specs: Spec[], variants: Map<string, MaterialVariant>): string {
  return specs
    .map((s) => {
      if ('materialType' in s) return s.materialType
      if ('variantId' in s) return `variant ${variants.get(s.variantId)?.name ?? s.variantId}`
      if ('materialId' in s) return `material ${s.materialId}`
      return `group ${s.groupId}`
    })
    .join(' or ')
}
