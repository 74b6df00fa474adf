// The dropped-file model and its helpers (collecting files from a drop, folder recursion).
import type { ThreeMfError, ThreeMfReport } from '../../../shared/3mf'
import type { Bbox, MeshReport, StlError } from '../../../shared/stl/types'
import { projectFitSize, type ProjectView } from './project-view'
import {
  UNIT_SCALE,
  type MaterialChoice,
  type ModelUnit,
  type Priority,
  type QueuePosition
} from '../../../shared/send'

export interface FileOptions {
  label: string
  quantity: number
  priority: Priority
  position: QueuePosition
  /** The unit the file's numbers are in; unset: the setting's default. */
  unit?: ModelUnit
  /** What to print it with; unset: any material. */
  material?: MaterialChoice | null
  /**
   * When some printers the routing reaches are too small for it: 'avoid' keeps it off them
   * (`printer.modelName`, the default), 'anyway' is the user's informed choice to let Printago
   * pick any of them.
   */
  fit?: 'avoid' | 'anyway'
  /** Left out of the send by the user (it stays in the list). */
  excluded?: boolean
  /** 3MF: copies of each plate by plate id (`plateQuantities`); unset: one of each. */
  plateQuantities?: Record<string, number>
  /** 3MF (not sliced): slice with the project's own process settings. */
  use3MFProcessProfile?: boolean
}

export interface LoadedFile {
  key: string
  name: string
  size: number
  /** Path on disk as main sees it; null until resolved. */
  path: string | null
  sha256: string | null
  status: 'parsing' | 'ready' | 'error'
  error?: StlError | ThreeMfError
  /** An STL's report, or for a project the report of the plate on view. */
  report?: MeshReport | ThreeMfReport
  /** A 3MF project or sliced gcode.3mf: its plates. */
  project?: ProjectView
  /** Index of the project's plate on view. */
  plateIndex?: number
  /** The triangles for the preview: set as soon as they are parsed, before the report. */
  positions?: Float32Array
  bbox?: Bbox
  thumbnail?: string
  parseMs?: number
  options: FileOptions
  /** Set after a successful send. */
  sent?: { partBuildId: string; at: number; reusedPart: boolean }
}

export interface SkippedEntry {
  name: string
  reason: string
}

const MODEL = /\.(stl|3mf)$/i
const NAME_ORDER = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' })

/** One dropped thing, taken from the DataTransfer while it is still readable. */
type Dropped = { entry: FileSystemEntry } | { file: File }

function errorText(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)) || 'unknown error'
}

function fileOf(entry: FileSystemFileEntry): Promise<File> {
  return new Promise<File>((resolve, reject) => entry.file(resolve, reject))
}

/** Every child of a directory: readEntries hands them out in batches (100 in Chromium). */
async function childrenOf(dir: FileSystemDirectoryEntry): Promise<FileSystemEntry[]> {
  const reader = dir.createReader()
  const all: FileSystemEntry[] = []
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject)
    )
    if (batch.length === 0) break
    all.push(...batch)
  }
  // Batches come in no particular order: list a folder the same way every time, as a file
  // manager would (part-2 before part-10).
  return all.sort((a, b) => NAME_ORDER.compare(a.name, b.name))
}

/** Walks a dropped folder: keeps .stl and .3mf files (any depth), lists everything else as skipped. */
async function walk(
  dir: FileSystemDirectoryEntry,
  prefix: string,
  files: File[],
  skipped: SkippedEntry[]
): Promise<void> {
  const path = `${prefix}${dir.name}/`
  let children: FileSystemEntry[]
  try {
    children = await childrenOf(dir)
  } catch (err) {
    skipped.push({ name: path, reason: `folder could not be read: ${errorText(err)}` })
    return
  }
  for (const child of children) {
    if (child.isDirectory) {
      await walk(child as FileSystemDirectoryEntry, path, files, skipped)
    } else if (!child.isFile) {
      skipped.push({ name: path + child.name, reason: 'not a file or folder' })
    } else if (!MODEL.test(child.name)) {
      skipped.push({ name: path + child.name, reason: 'not an .stl or .3mf file' })
    } else {
      try {
        files.push(await fileOf(child as FileSystemFileEntry))
      } catch (err) {
        skipped.push({ name: path + child.name, reason: `could not be read: ${errorText(err)}` })
      }
    }
  }
}

/**
 * Collects STL files from a drop. Plain files are kept whatever their extension (the engine says
 * if one is not an STL); folders are walked recursively, keeping only .stl files and listing the
 * rest as skipped. Each file comes from its own DataTransfer item (its entry, or the item's file
 * when it has no entry), so non-file items such as a `text/uri-list` never shift which file is
 * taken. Without the entries API at all, `dt.files` is used (folders cannot be told apart there).
 */
export async function collectDropped(
  dt: DataTransfer
): Promise<{ files: File[]; skipped: SkippedEntry[] }> {
  const files: File[] = []
  const skipped: SkippedEntry[] = []
  // Entries and files must be taken synchronously, before the first await: once the drop event
  // has been handled the DataTransfer is emptied.
  const items = Array.from(dt.items ?? []).filter((it) => it.kind === 'file')
  if (items.length === 0 || items.some((it) => typeof it.webkitGetAsEntry !== 'function')) {
    return { files: Array.from(dt.files ?? []), skipped }
  }
  const dropped: Dropped[] = []
  for (const item of items) {
    const entry = item.webkitGetAsEntry()
    if (entry) dropped.push({ entry })
    else {
      // A file with no entry (e.g. built by script or dragged from another app): its own item.
      const file = item.getAsFile()
      if (file) dropped.push({ file })
    }
  }
  for (const d of dropped) {
    if ('file' in d) files.push(d.file)
    else if (d.entry.isDirectory) {
      await walk(d.entry as FileSystemDirectoryEntry, '', files, skipped)
    } else if (d.entry.isFile) {
      try {
        files.push(await fileOf(d.entry as FileSystemFileEntry))
      } catch (err) {
        skipped.push({ name: d.entry.name, reason: `could not be read: ${errorText(err)}` })
      }
    } else skipped.push({ name: d.entry.name, reason: 'not a file or folder' })
  }
  return { files, skipped }
}

/** The setting's unit from its scale (the app passes the default scale around). */
export function defaultUnitOf(unitScale: number): ModelUnit {
  return unitScale === UNIT_SCALE.inch ? 'inch' : 'mm'
}

/**
 * The unit the file is read in: its own choice, else the setting's. A 3MF says its own unit
 * (the engine already gave its sizes in mm), so neither applies to it.
 */
export function unitOf(file: LoadedFile, unitScale: number): ModelUnit {
  if (file.project) return 'mm'
  return file.options.unit ?? defaultUnitOf(unitScale)
}

/** The factor from the file's numbers to millimetres (1 for a 3MF: see unitOf). */
export function scaleOf(file: LoadedFile, unitScale: number): number {
  if (file.project) return 1
  return file.options.unit ? UNIT_SCALE[file.options.unit] : unitScale
}

/** The plate on view of a project file, or null. */
export function plateOnView(file: LoadedFile): ProjectView['plates'][number] | null {
  return file.project?.plates[file.plateIndex ?? 0] ?? null
}

/** The preview's cache key of what is on view: the file, or one plate of a project. */
export function viewKey(file: LoadedFile): string {
  const plate = plateOnView(file)
  return plate ? `${file.key}#${plate.id}` : file.key
}

/** Every preview cache key a file may use (its plates for a project). */
export function viewKeys(file: LoadedFile): string[] {
  return file.project ? file.project.plates.map((p) => `${file.key}#${p.id}`) : [file.key]
}

/**
 * The model's size in mm: STL has no units, so the file's unit (its own choice, else the user's
 * assumed unit) scales it (inch → ×25.4, metre → ×1000).
 */
export function sizeMm(file: LoadedFile, unitScale: number): [number, number, number] | null {
  const s = file.report?.size
  const k = scaleOf(file, unitScale)
  return s ? [s[0] * k, s[1] * k, s[2] * k] : null
}

/**
 * The size the file must fit on a bed (mm): an STL's size, a project's largest plate (every plate
 * goes to the printers of one routing); null for a sliced file (no geometry to measure).
 */
export function fitSizeMm(file: LoadedFile, unitScale: number): [number, number, number] | null {
  return file.project ? projectFitSize(file.project) : sizeMm(file, unitScale)
}

/** The report's notes, minus the unit hints once the file is read in another unit than mm. */
export function reportNotes(file: LoadedFile, unitScale: number): string[] {
  const notes = file.report?.notes ?? []
  return scaleOf(file, unitScale) === 1
    ? notes
    : notes.filter((n) => !/\b(inch|inches|metres|micrometres)\b/i.test(n))
}
