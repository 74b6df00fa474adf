// The dropped-file model and its pure helpers (collecting files from a drop, folder recursion).
import type { MeshReport, StlError } from '../../../shared/stl/types'
import type { Priority, QueuePosition } from '../../../shared/send'

export interface FileOptions {
  label: string
  quantity: number
  priority: Priority
  position: QueuePosition
}

export interface LoadedFile {
  key: string
  name: string
  size: number
  /** Path on disk as main sees it; null until resolved. */
  path: string | null
  sha256: string | null
  status: 'parsing' | 'ready' | 'error'
  error?: StlError
  report?: MeshReport
  positions?: Float32Array
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

const STL = /\.stl$/i

/** Reads every file of a directory entry, recursively (readEntries returns batches). */
async function walk(
  entry: FileSystemEntry,
  prefix: string,
  files: File[],
  skipped: SkippedEntry[]
): Promise<void> {
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) =>
      (entry as FileSystemFileEntry).file(resolve, reject)
    )
    if (STL.test(file.name)) files.push(file)
    else skipped.push({ name: prefix + file.name, reason: 'not an .stl file' })
    return
  }
  if (!entry.isDirectory) return
  const reader = (entry as FileSystemDirectoryEntry).createReader()
  for (;;) {
    const batch = await new Promise<FileSystemEntry[]>((resolve, reject) =>
      reader.readEntries(resolve, reject)
    )
    if (batch.length === 0) break
    for (const child of batch) await walk(child, `${prefix}${entry.name}/`, files, skipped)
  }
}

/**
 * Collects STL files from a drop: plain files as they are (any extension is tried: the engine
 * says if it is not an STL), folders recursively keeping only .stl files and listing the rest.
 */
export async function collectDropped(
  dt: DataTransfer
): Promise<{ files: File[]; skipped: SkippedEntry[] }> {
  const files: File[] = []
  const skipped: SkippedEntry[] = []
  // Entries must be taken synchronously, before the first await, or the DataTransfer is emptied.
  const items = Array.from(dt.items ?? [])
  const entries = items.map((it) => (it.kind === 'file' ? (it.webkitGetAsEntry?.() ?? null) : null))
  const plain = Array.from(dt.files ?? [])
  if (entries.some((e) => e?.isDirectory)) {
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]
      if (entry?.isDirectory) await walk(entry, '', files, skipped)
      else if (plain[i]) files.push(plain[i]!)
    }
  } else files.push(...plain)
  return { files, skipped }
}

/** The model's size in mm: STL has no units, so the user's assumed unit scales it (inch → ×25.4). */
export function sizeMm(file: LoadedFile, unitScale: number): [number, number, number] | null {
  const s = file.report?.size
  return s ? [s[0] * unitScale, s[1] * unitScale, s[2] * unitScale] : null
}

/** The report's notes, minus the "maybe inches" hint once the user has chosen inches. */
export function reportNotes(file: LoadedFile, unitScale: number): string[] {
  const notes = file.report?.notes ?? []
  return unitScale === 1 ? notes : notes.filter((n) => !/\binch/i.test(n))
}

/** The label Printago gets by default: the file name without its extension. */
export function labelFromName(name: string): string {
  const dot = name.lastIndexOf('.')
  return (dot > 0 ? name.slice(0, dot) : name).slice(0, 1024) || 'model'
}
