// The slicers' project files next to the model, as far as plates, names and filaments need them.
// Bambu Studio and OrcaSlicer (a Bambu Studio fork) write the same files:
//   Metadata/model_settings.config   objects → parts (names, filament, part type), plates → instances
//   Metadata/slice_info.config       per sliced plate: printer, nozzle, time, weight, filament use
//   Metadata/project_settings.config JSON: printer_model, nozzle_diameter, filament_colour/_type…
// PrusaSlicer writes Metadata/Slic3r_PE_model.config (objects → volumes as triangle ranges) and
// Metadata/Slic3r_PE.config (`; key = value` lines). Sources: docs/3mf.md.
// Every reader is lenient: a missing or odd value is null, never an error.

import { childrenNamed, keyValues, type XNode } from './dom'
import { normalizeColor } from './model'
import type { SlicedFilament } from './types'

export interface PartConfig {
  name: string | null
  /** 1-based filament slot, null to inherit the object's. */
  filament: number | null
  /** False for modifiers, negative volumes, support blockers/enforcers: not printed geometry. */
  printed: boolean
  /** Prusa: the volume's triangle range in the object's mesh (inclusive). */
  firstTriangle?: number
  lastTriangle?: number
}

export interface ObjectConfig {
  name: string | null
  filament: number | null
  /** Bambu/Orca: parts by the component's object id. */
  parts: Map<number, PartConfig>
  /** Prusa: volumes as triangle ranges of the object's single mesh. */
  volumes: PartConfig[]
}

export interface PlateConfig {
  id: number
  name: string | null
  thumbnailPath: string | null
  gcodePath: string | null
  /** Build items on the plate: root object id and its 0-based instance. */
  instances: Array<{ objectId: number; instance: number }>
}

export interface ProjectSettings {
  printerModel: string | null
  nozzleDiameter: number | null
  filamentColors: string[]
  filamentTypes: string[]
}

export interface SliceInfoPlate {
  index: number
  printerModelId: string | null
  nozzleDiameter: number | null
  predictionSeconds: number | null
  weightGrams: number | null
  filaments: SlicedFilament[]
  warnings: string[]
}

function int(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null
  const t = text.trim()
  return /^-?\d{1,9}$/.test(t) ? Number(t) : null
}

function num(text: string | undefined | null): number | null {
  if (text === undefined || text === null) return null
  const v = Number(text.trim())
  return text.trim() !== '' && Number.isFinite(v) ? v : null
}

function str(text: string | undefined | null): string | null {
  const t = (text ?? '').trim()
  return t === '' ? null : t.slice(0, 200)
}

/** 1-based filament slot from an `extruder` value; 0 or missing means "inherit". */
function slot(text: string | undefined): number | null {
  const n = int(text)
  return n !== null && n > 0 && n < 1000 ? n : null
}

const BAMBU_PRINTED_SUBTYPES = new Set(['', 'normal_part'])

/** Metadata/model_settings.config (Bambu Studio, OrcaSlicer). */
export function readModelSettings(root: XNode): {
  objects: Map<number, ObjectConfig>
  plates: PlateConfig[]
} {
  const objects = new Map<number, ObjectConfig>()
  for (const o of childrenNamed(root, 'object')) {
    const id = int(o.attrs['id'])
    if (id === null || objects.has(id)) continue
    const kv = keyValues(o)
    const parts = new Map<number, PartConfig>()
    for (const p of childrenNamed(o, 'part')) {
      const pid = int(p.attrs['id'])
      if (pid === null) continue
      const pkv = keyValues(p)
      const subtype = (p.attrs['subtype'] ?? '').trim()
      parts.set(pid, {
        name: str(pkv.get('name')),
        filament: slot(pkv.get('extruder')),
        printed: BAMBU_PRINTED_SUBTYPES.has(subtype)
      })
    }
    objects.set(id, {
      name: str(kv.get('name')),
      filament: slot(kv.get('extruder')),
      parts,
      volumes: []
    })
  }
  const plates: PlateConfig[] = []
  for (const p of childrenNamed(root, 'plate')) {
    const kv = keyValues(p)
    const id = int(kv.get('plater_id'))
    if (id === null || id < 1 || plates.some((q) => q.id === id)) continue
    const instances: PlateConfig['instances'] = []
    for (const mi of childrenNamed(p, 'model_instance')) {
      const ikv = keyValues(mi)
      const objectId = int(ikv.get('object_id'))
      const instance = int(ikv.get('instance_id')) ?? 0
      if (objectId !== null && instance >= 0) instances.push({ objectId, instance })
    }
    plates.push({
      id,
      name: str(kv.get('plater_name')),
      thumbnailPath: str(kv.get('thumbnail_file')),
      gcodePath: str(kv.get('gcode_file')),
      instances
    })
  }
  plates.sort((a, b) => a.id - b.id)
  return { objects, plates }
}

/** Metadata/slice_info.config (Bambu Studio, OrcaSlicer): one `<plate>` per sliced plate. */
export function readSliceInfo(root: XNode): SliceInfoPlate[] {
  const out: SliceInfoPlate[] = []
  for (const p of childrenNamed(root, 'plate')) {
    const kv = keyValues(p)
    const index = int(kv.get('index'))
    if (index === null || index < 1) continue
    const filaments: SlicedFilament[] = []
    for (const f of childrenNamed(p, 'filament')) {
      const i = int(f.attrs['id'])
      if (i === null) continue
      filaments.push({
        index: i,
        type: str(f.attrs['type']),
        color: normalizeColor(f.attrs['color']) || null,
        grams: num(f.attrs['used_g']),
        meters: num(f.attrs['used_m'])
      })
    }
    const warnings = childrenNamed(p, 'warning')
      .map((w) => str(w.attrs['msg']))
      .filter((w): w is string => w !== null)
    out.push({
      index,
      printerModelId: str(kv.get('printer_model_id')),
      // "0.4" or, for multi-nozzle printers, "0.4 0.4": the first is the one we check.
      nozzleDiameter: num((kv.get('nozzle_diameters') ?? '').trim().split(/[\s,;]+/)[0]),
      predictionSeconds: num(kv.get('prediction')),
      weightGrams: num(kv.get('weight')),
      filaments,
      warnings
    })
  }
  return out
}

function firstString(value: unknown): string | null {
  if (Array.isArray(value)) return typeof value[0] === 'string' ? str(value[0]) : null
  return typeof value === 'string' ? str(value) : null
}

function stringList(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v.trim() : ''))
  if (typeof value === 'string') return value.split(';').map((v) => v.trim())
  return []
}

/** Metadata/project_settings.config (Bambu Studio, OrcaSlicer): a JSON object of settings. */
export function readProjectSettings(text: string): ProjectSettings | null {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    return null
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return null
  const o = json as Record<string, unknown>
  return {
    printerModel: firstString(o['printer_model']),
    nozzleDiameter: num(firstString(o['nozzle_diameter'])),
    filamentColors: stringList(o['filament_colour']).map((c) => normalizeColor(c)),
    filamentTypes: stringList(o['filament_type'])
  }
}

const PRUSA_PRINTED_VOLUMES = new Set(['', 'ModelPart'])

/** Metadata/Slic3r_PE_model.config (PrusaSlicer): volumes are triangle ranges of one mesh. */
export function readPrusaModelConfig(root: XNode): Map<number, ObjectConfig> {
  const objects = new Map<number, ObjectConfig>()
  for (const o of childrenNamed(root, 'object')) {
    const id = int(o.attrs['id'])
    if (id === null || objects.has(id)) continue
    const kv = keyValues(o)
    const volumes: PartConfig[] = []
    for (const v of childrenNamed(o, 'volume')) {
      const first = int(v.attrs['firstid'])
      const last = int(v.attrs['lastid'])
      if (first === null || last === null || first < 0 || last < first) continue
      const vkv = keyValues(v)
      volumes.push({
        name: str(vkv.get('name')),
        filament: slot(vkv.get('extruder')),
        // Older files mark modifiers with `modifier = 1` instead of a volume_type.
        printed:
          PRUSA_PRINTED_VOLUMES.has((vkv.get('volume_type') ?? '').trim()) &&
          (vkv.get('modifier') ?? '0').trim() !== '1',
        firstTriangle: first,
        lastTriangle: last
      })
    }
    objects.set(id, {
      name: str(kv.get('name')),
      filament: slot(kv.get('extruder')),
      parts: new Map(),
      volumes
    })
  }
  return objects
}

/** `; key = value` lines (PrusaSlicer's Metadata/Slic3r_PE.config, and G-code config blocks). */
export function readKeyValueLines(text: string, maxLines = 20000): Map<string, string> {
  const out = new Map<string, string>()
  let n = 0
  for (const line of text.split('\n')) {
    if (++n > maxLines) break
    const m = /^\s*;\s*([A-Za-z0-9_]+)\s*=\s*(.*?)\s*$/.exec(line)
    if (m && !out.has(m[1]!)) out.set(m[1]!, m[2]!)
  }
  return out
}

/** Project settings from PrusaSlicer's `; key = value` config. */
export function prusaProjectSettings(kv: Map<string, string>): ProjectSettings {
  const colors = stringList(kv.get('extruder_colour') ?? '')
  const filament = stringList(kv.get('filament_colour') ?? '')
  return {
    printerModel: str(kv.get('printer_model')),
    nozzleDiameter: num((kv.get('nozzle_diameter') ?? '').split(',')[0]),
    // Prusa uses the extruder colour when set, else the filament colour.
    filamentColors: filament.map((c, i) => normalizeColor(colors[i]) || normalizeColor(c)),
    filamentTypes: stringList(kv.get('filament_type') ?? '')
  }
}

/** "1d 2h 3m 4s", "58m 10s", "45s" → seconds; null when it is not such a duration. */
export function parseDuration(text: string): number | null {
  const t = text.trim()
  if (!/^(\d+d\s*)?(\d+h\s*)?(\d+m\s*)?(\d+s)?$/.test(t) || t === '') return null
  let s = 0
  for (const m of t.matchAll(/(\d+)([dhms])/g)) {
    s += Number(m[1]) * { d: 86400, h: 3600, m: 60, s: 1 }[m[2] as 'd' | 'h' | 'm' | 's']
  }
  return s
}

export interface GcodeHeader {
  printerModel: string | null
  nozzleDiameter: number | null
  printSeconds: number | null
  weightGrams: number | null
  filamentTypes: string[]
  filamentColors: string[]
}

/**
 * What the head of a slicer's G-code says. Bambu Studio writes a HEADER_BLOCK
 * (`; total estimated time: 1h 2m 3s`, `; total filament weight [g] : 3.69`) and then its
 * CONFIG_BLOCK (`; printer_model = …`, `; nozzle_diameter = 0.4`) at the top of the file.
 */
export function readGcodeHeader(text: string): GcodeHeader {
  const kv = readKeyValueLines(text, 5000)
  let printSeconds: number | null = null
  const time =
    /total estimated time:\s*([0-9dhms ]+)/.exec(text) ??
    /estimated printing time[^=]*=\s*([0-9dhms ]+)/.exec(text)
  if (time) printSeconds = parseDuration(time[1]!)
  const weight = /total filament weight \[g\]\s*:\s*([0-9.]+)/.exec(text)
  return {
    printerModel: str(kv.get('printer_model')),
    nozzleDiameter: num((kv.get('nozzle_diameter') ?? '').split(',')[0]),
    printSeconds,
    weightGrams: weight ? num(weight[1]) : null,
    filamentTypes: stringList(kv.get('filament_type') ?? ''),
    filamentColors: stringList(kv.get('filament_colour') ?? '').map((c) => normalizeColor(c))
  }
}
