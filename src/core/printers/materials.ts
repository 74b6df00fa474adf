// The store's materials and what every printer has loaded, for the send panel: the catalogue
// (`GET /v1/materials` + `/v1/materials/variants`) and the slots (`GET /v1/printer-slots`): three
// calls, so kept within a budget (one refresh per 5 minutes, 10 s when the user asks; callers
// share the call in flight).
import type { LoadedSlot, MaterialOption, MaterialsView } from '../../shared/ipc'
import type { Material, MaterialVariant, PrinterSlot } from '../../shared/printago/api-types'
import type { Clock } from '../infra/clock'
import type { PrintagoClient } from '../printago/client'

export const MATERIALS_CACHE_MS = 300_000
export const MATERIALS_MIN_REFRESH_MS = 10_000

type Client = Pick<PrintagoClient, 'listMaterials' | 'listMaterialVariants' | 'listPrinterSlots'>

export interface MaterialsCache {
  /** The view, fetched when the cached one is older than the budget allows; rejects on failure. */
  list(options?: { refresh?: boolean }): Promise<MaterialsView>
  current(): MaterialsView | null
}

/** "AMS 1 slot 2" for an AMS slot, "spool" for an external spool (amsIndex -1). */
export function slotWhere(slot: Pick<PrinterSlot, 'amsIndex' | 'slotIndex'>): string {
  return slot.amsIndex < 0
    ? slot.slotIndex > 0
      ? `spool ${slot.slotIndex + 1}`
      : 'spool'
    : `AMS ${slot.amsIndex + 1} slot ${slot.slotIndex + 1}`
}

/** A colour as #RRGGBB(AA), or null for anything else. */
function colorOf(value: string | null | undefined): string | null {
  return typeof value === 'string' && /^#[0-9a-f]{6}([0-9a-f]{2})?$/i.test(value) ? value : null
}

/** The catalogue and the loaded slots as the UI shows them (pure). */
export function toMaterialsView(
  materials: Material[],
  variants: MaterialVariant[],
  slots: PrinterSlot[],
  fetchedAt: number
): MaterialsView {
  const byId = new Map(materials.map((m) => [m.id, m]))
  const nameOf = (m: Material | undefined, v: MaterialVariant | undefined): string =>
    [m?.name, v?.name].filter(Boolean).join(' ') || m?.type || 'Unknown material'
  const options: MaterialOption[] = []
  for (const v of variants) {
    const m = byId.get(v.materialId)
    if (!m) continue
    options.push({
      variantId: v.id,
      materialId: m.id,
      type: m.type,
      name: nameOf(m, v),
      brand: m.brand ?? null,
      color: colorOf(v.color)
    })
  }
  options.sort((a, b) => a.type.localeCompare(b.type) || a.name.localeCompare(b.name))
  const variantById = new Map(variants.map((v) => [v.id, v]))
  const loaded: Record<string, LoadedSlot[]> = {}
  const sorted = [...slots].sort(
    (a, b) => a.amsIndex - b.amsIndex || a.slotIndex - b.slotIndex || a.id.localeCompare(b.id)
  )
  for (const s of sorted) {
    // An empty slot holds nothing to route by.
    if (!s.materialType && !s.variantId && !s.materialId) continue
    const v = s.variantId ? variantById.get(s.variantId) : undefined
    const m = byId.get(s.materialId ?? v?.materialId ?? '')
    const type = s.materialType ?? m?.type ?? 'Unknown'
    ;(loaded[s.printerId] ??= []).push({
      type,
      variantId: s.variantId,
      materialId: s.materialId ?? m?.id ?? null,
      name: v || m ? nameOf(m, v) : type,
      color: colorOf(v?.color) ?? (s.expectedData ? colorOf(`#${s.expectedData.color}`) : null),
      where: slotWhere(s)
    })
  }
  const types = [
    ...new Set([
      ...materials.map((m) => m.type),
      ...Object.values(loaded)
        .flat()
        .map((l) => l.type)
    ])
  ]
    .filter((t) => t && t !== 'Unknown')
    .sort((a, b) => a.localeCompare(b))
  return { types, options, loaded, fetchedAt }
}

/** Creates an empty cache; nothing is fetched until `list()`. */
export function createMaterialsCache(opts: { client: Client; clock: Clock }): MaterialsCache {
  let cached: MaterialsView | null = null
  let fetching: Promise<MaterialsView> | null = null
  const fetchNow = async (): Promise<MaterialsView> => {
    const [materials, variants, slots] = await Promise.all([
      opts.client.listMaterials(),
      opts.client.listMaterialVariants(),
      opts.client.listPrinterSlots()
    ])
    cached = toMaterialsView(materials, variants, slots, opts.clock.now())
    return cached
  }
  return {
    async list(options = {}) {
      const age = cached ? opts.clock.now() - cached.fetchedAt : Infinity
      if (cached && age < (options.refresh ? MATERIALS_MIN_REFRESH_MS : MATERIALS_CACHE_MS))
        return cached
      fetching ??= fetchNow().finally(() => (fetching = null))
      return fetching
    },
    current: () => cached
  }
}
