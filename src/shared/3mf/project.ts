// One 3MF file → a project: the model (package.ts, assemble.ts), the slicer's project data
// (slicer-config.ts), plates with their objects, reports, thumbnails and, for a `.gcode.3mf`,
// what the slicer wrote about each sliced plate.

import { formatBytes, formatCount } from '../format'
import { lookupBuildVolume } from '../printers/build-volumes'
import { assemble, type AssembledItem } from './assemble'
import { fail, ThreeMfFailure } from './errors'
import { loadModel, readXmlEntry } from './package'
import { bedFitTable, objectReport, plateReport } from './report'
import {
  prusaProjectSettings,
  readGcodeHeader,
  readKeyValueLines,
  readModelSettings,
  readPrusaModelConfig,
  readProjectSettings,
  readSliceInfo,
  type ObjectConfig,
  type PlateConfig,
  type ProjectSettings,
  type SliceInfoPlate
} from './slicer-config'
import type {
  Filament,
  PlacedObject,
  Plate,
  SlicedPlate,
  SlicerName,
  ThreeMfLimits,
  ThreeMfProject,
  Thumbnail
} from './types'
import { findEntry, readEntry, readEntryHead, type ZipArchive } from './zip'

/** G-code bytes read for the header comments (Bambu Studio writes them at the top). */
const GCODE_HEAD_BYTES = 256 * 1024
/** Most plates a project may list (Bambu Studio allows a few dozen); each costs a few reads. */
export const MAX_PLATES = 500

export function slicerOf(application: string | null): SlicerName | null {
  if (!application) return null
  const a = application.toLowerCase()
  if (a.includes('bambu')) return 'bambu-studio'
  if (a.includes('orca')) return 'orcaslicer'
  if (a.includes('superslicer')) return 'superslicer'
  if (a.includes('prusa') || a.includes('slic3r')) return 'prusaslicer'
  return 'other'
}

/** Reads a text entry (UTF-8), or null with a note when it is absent or unusable. */
function readText(zip: ZipArchive, path: string, notes: string[], head = 0): string | null {
  const entry = findEntry(zip, path)
  if (!entry) return null
  try {
    const bytes =
      head > 0
        ? readEntryHead(zip, entry, head)
        : readEntry(zip, entry, zip.limits.maxMetadataEntryBytes)
    return new TextDecoder().decode(bytes)
  } catch (e) {
    if (!(e instanceof ThreeMfFailure) || e.code === 'zip-bomb') throw e
    notes.push(`${e.message} It was ignored.`)
    return null
  }
}

/** A PNG or JPEG entry as a thumbnail, or null (with a note when it is there but unusable). */
function readThumbnail(zip: ZipArchive, path: string | null, notes: string[]): Thumbnail | null {
  if (!path) return null
  const entry = findEntry(zip, path)
  if (!entry) return null
  let bytes: Uint8Array
  try {
    bytes = readEntry(zip, entry, zip.limits.maxMetadataEntryBytes)
  } catch (e) {
    if (!(e instanceof ThreeMfFailure) || e.code === 'zip-bomb') throw e
    notes.push(`${e.message} The thumbnail was left out.`)
    return null
  }
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff
  if (!png && !jpeg) {
    notes.push(`The thumbnail '${entry.name}' is not a PNG or JPEG image; it was left out.`)
    return null
  }
  return { path: entry.name, mime: png ? 'image/png' : 'image/jpeg', bytes }
}

interface SideFiles {
  configs: Map<number, ObjectConfig>
  plates: PlateConfig[]
  settings: ProjectSettings | null
  sliceInfo: SliceInfoPlate[]
}

function readSideFiles(zip: ZipArchive, notes: string[]): SideFiles {
  const model = readXmlEntry(zip, 'Metadata/model_settings.config', notes)
  const bambu = model ? readModelSettings(model) : null
  const sliceXml = readXmlEntry(zip, 'Metadata/slice_info.config', notes)
  const projectText = readText(zip, 'Metadata/project_settings.config', notes)
  let settings = projectText !== null ? readProjectSettings(projectText) : null
  if (projectText !== null && settings === null) {
    notes.push(
      `'Metadata/project_settings.config' is not valid JSON; filament colours are not known.`
    )
  }
  let configs = bambu?.objects ?? new Map<number, ObjectConfig>()
  if (!bambu) {
    const prusa = readXmlEntry(zip, 'Metadata/Slic3r_PE_model.config', notes)
    if (prusa) configs = readPrusaModelConfig(prusa)
    const prusaText = readText(zip, 'Metadata/Slic3r_PE.config', notes)
    if (prusaText !== null && settings === null)
      settings = prusaProjectSettings(readKeyValueLines(prusaText))
  }
  return {
    configs,
    plates: bambu?.plates ?? [],
    settings,
    sliceInfo: sliceXml ? readSliceInfo(sliceXml) : []
  }
}

function gcodePathFor(zip: ZipArchive, id: number, cfg: PlateConfig | undefined): string | null {
  for (const p of [cfg?.gcodePath, `Metadata/plate_${id}.gcode`]) {
    if (p && findEntry(zip, p)) return findEntry(zip, p)!.name
  }
  return null
}

function slicedPlate(
  zip: ZipArchive,
  gcodePath: string,
  info: SliceInfoPlate | undefined,
  settings: ProjectSettings | null,
  notes: string[]
): SlicedPlate {
  const entry = findEntry(zip, gcodePath)!
  const headText = readText(zip, gcodePath, notes, GCODE_HEAD_BYTES) ?? ''
  const head = readGcodeHeader(headText)
  // The slice_info model id (`C12`) is the most exact name; the G-code's and the project's
  // `printer_model` ("Bambu Lab P1S") come next. Keep the first that the build-volume table knows.
  const names = [info?.printerModelId, head.printerModel, settings?.printerModel].filter(
    (n): n is string => typeof n === 'string' && n !== ''
  )
  const known = names.find((n) => lookupBuildVolume(n) !== null) ?? null
  const printerModel = known ?? names[0] ?? null
  const filaments =
    info?.filaments ??
    head.filamentTypes.map((type, i) => ({
      index: i + 1,
      type: type || null,
      color: head.filamentColors[i] || null,
      grams: null,
      meters: null
    }))
  return {
    gcodePath: entry.name,
    gcodeBytes: entry.size,
    printerModel,
    printerModelId: lookupBuildVolume(printerModel)?.id ?? null,
    nozzleDiameter: info?.nozzleDiameter ?? head.nozzleDiameter ?? settings?.nozzleDiameter ?? null,
    printSeconds: info?.predictionSeconds ?? head.printSeconds,
    weightGrams: info?.weightGrams ?? head.weightGrams,
    filaments,
    warnings: info?.warnings ?? []
  }
}

function placed(item: AssembledItem): PlacedObject {
  const size: [number, number, number] = [0, 1, 2].map((k) => {
    const d = item.bbox.max[k]! - item.bbox.min[k]!
    return d > 0 ? d : 0
  }) as [number, number, number]
  return {
    name: item.name,
    objectId: item.objectId,
    instance: item.instance,
    triangles: item.triangles,
    bbox: item.bbox,
    size,
    report: objectReport(item),
    parts: item.parts
  }
}

/** Parses a 3MF or gcode.3mf archive (already opened). Throws ThreeMfFailure on bad input. */
export function readProject(zip: ZipArchive, limits: Required<ThreeMfLimits>): ThreeMfProject {
  const { root, parts, thumbnailPath, notes } = loadModel(zip, limits)
  const rootPart = parts.get(root)!
  const side = readSideFiles(zip, notes)
  const filamentColors = side.settings?.filamentColors ?? []
  const items = assemble({
    parts,
    root,
    configs: side.configs,
    filamentColors,
    maxTriangles: limits.maxTriangles,
    maxInstances: limits.maxInstances
  })

  // Plates: the slicer's list, else one plate with every build item.
  const plateIds = new Set<number>(side.plates.map((p) => p.id))
  for (const s of side.sliceInfo) plateIds.add(s.index)
  for (const e of zip.entries) {
    const m = /^Metadata\/plate_(\d{1,4})\.gcode$/i.exec(e.name)
    if (m) plateIds.add(Number(m[1]))
  }
  if (plateIds.size === 0) plateIds.add(1)
  if (plateIds.size > MAX_PLATES) {
    fail(
      'over-budget',
      `The project lists ${formatCount(plateIds.size)} plates; the limit is ${MAX_PLATES}.`
    )
  }
  const byKey = new Map(items.map((it) => [`${it.objectId}:${it.instance}`, it]))
  const onPlate = new Set<AssembledItem>()
  const plates: Plate[] = []
  for (const id of [...plateIds].sort((a, b) => a - b)) {
    const cfg = side.plates.find((p) => p.id === id)
    const members =
      side.plates.length === 0
        ? items
        : (cfg?.instances ?? [])
            .map((i) => byKey.get(`${i.objectId}:${i.instance}`))
            .filter((i) => i !== undefined)
    const objects: PlacedObject[] = []
    for (const it of members) {
      if (onPlate.has(it)) continue
      onPlate.add(it)
      if (!it.printable || it.triangles === 0) continue
      objects.push(placed(it))
    }
    const report = plateReport(objects)
    const gcodePath = gcodePathFor(zip, id, cfg)
    const info = side.sliceInfo.find((s) => s.index === id)
    const thumbPath = cfg?.thumbnailPath ?? `Metadata/plate_${id}.png`
    plates.push({
      id,
      name: cfg?.name ?? `Plate ${id}`,
      objects,
      report,
      bedFit: bedFitTable(report ? report.size : null),
      thumbnail: readThumbnail(zip, thumbPath, notes),
      sliced: gcodePath ? slicedPlate(zip, gcodePath, info, side.settings, notes) : null
    })
  }
  const sliced = plates.some((p) => p.sliced !== null)
  const triangles = plates.reduce((n, p) => n + (p.report?.triangles ?? 0), 0)
  if (triangles === 0 && !sliced) {
    fail(
      'no-geometry',
      items.length === 0
        ? 'The 3MF file places no objects on the build plate (its <build> is empty).'
        : 'The objects in the 3MF file have no triangles to print.'
    )
  }

  const offPlate = items.filter((it) => !onPlate.has(it)).length
  if (offPlate > 0) {
    notes.push(
      `${formatCount(offPlate)} object${offPlate === 1 ? ' is not on any plate and was' : 's are not on any plate and were'} left out.`
    )
  }
  const excluded = items.filter((it) => !it.printable).length
  if (excluded > 0)
    notes.push(
      `${formatCount(excluded)} object${excluded === 1 ? ' is marked not printable and was' : 's are marked not printable and were'} left out.`
    )
  const skipped = items.reduce((n, it) => n + it.skippedParts, 0)
  if (skipped > 0) {
    notes.push(
      `${formatCount(skipped)} modifier, negative or support-blocker part${skipped === 1 ? ' is' : 's are'} not printed and not shown.`
    )
  }
  let painted = 0
  const unsupported = new Set<string>()
  for (const p of parts.values()) {
    painted += p.paintedTriangles
    for (const u of p.unsupportedExtensions) unsupported.add(u)
  }
  if (painted > 0) {
    notes.push(
      `${formatCount(painted)} triangles are colour-painted; they are shown in their part's main colour.`
    )
  }
  if (unsupported.size > 0) {
    notes.push(
      `The model requires 3MF extensions this app does not read (${[...unsupported].join(', ')}); some geometry may be missing.`
    )
  }
  if (sliced && triangles === 0)
    notes.push(
      'The sliced file holds no editable model: only G-code, thumbnails and the slicer’s figures.'
    )

  const filamentTypes = side.settings?.filamentTypes ?? []
  const filaments: Filament[] = []
  for (let i = 0; i < Math.max(filamentColors.length, filamentTypes.length); i++) {
    filaments.push({
      index: i + 1,
      color: filamentColors[i] || null,
      type: filamentTypes[i] || null
    })
  }
  const application = rootPart.metadata.get('Application') ?? null
  const packageThumb =
    readThumbnail(zip, thumbnailPath, notes) ??
    (thumbnailPath === null ? readThumbnail(zip, 'Metadata/thumbnail.png', notes) : null)
  if (zip.inflated > 512 * 1024 * 1024)
    notes.push(`Reading the file inflated ${formatBytes(zip.inflated)}.`)
  return {
    kind: sliced ? 'gcode3mf' : '3mf',
    unit: rootPart.unit,
    title: rootPart.metadata.get('Title') || null,
    application,
    slicer: slicerOf(application),
    printerModel: side.settings?.printerModel ?? null,
    nozzleDiameter: side.settings?.nozzleDiameter ?? null,
    filaments,
    plates,
    thumbnail: packageThumb,
    triangles,
    notes
  }
}
