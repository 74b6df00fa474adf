// What a stable file in a hot folder is, from its bytes: a model the send pipeline accepts (STL,
// 3MF project or sliced gcode.3mf, with its SHA-256, the key of its fate), a file to refuse (with
// the reason in words and its hash, so the same broken file is not refused twice), or not ready
// (changed or gone while read: looked at again on the next scan). A 3MF goes with every plate
// once, and a sliced one only to printers of its model (the send pipeline routes it).
import { openAsBlob } from 'node:fs'
import { readFile } from 'node:fs/promises'

import { sniffModelFile } from '../../shared/3mf'
import { inspectStl } from '../../shared/stl'
import { hashFile } from '../infra/hash'
import { FileCheckError, inspectAndHashFile } from '../send/file-check'

export type Classified =
  /** `dimensions`: the model's size in mm (as drawn), null when it was too big to measure here. */
  | { kind: 'model'; sha256: string; size: number; dimensions: [number, number, number] | null }
  | { kind: 'refused'; sha256: string; reason: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'retry'; reason: string }

/** The STL engine's sentence without the path it starts with (the .txt sits beside the file). */
function reasonWords(path: string, message: string): string {
  const bare = message.startsWith(`${path}: `) ? message.slice(path.length + 2) : message
  return `${bare.charAt(0).toUpperCase()}${bare.slice(1)}`.replace(/\.?$/, '.')
}

function gone(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code
  return code === 'ENOENT' || code === 'ENOTDIR'
}

/** Files up to this size are measured for bed fit (read whole, once, after the check). */
const MEASURE_MAX_BYTES = 64 * 1024 * 1024

/** The model's bounding box in mm, by the STL engine (the preview's numbers). */
async function measure(path: string, bytes: number): Promise<[number, number, number] | null> {
  if (bytes > MEASURE_MAX_BYTES) return null
  const report = inspectStl(await readFile(path).catch(() => new Uint8Array()))
  return report.ok ? report.value.size : null
}

export async function classifyFile(path: string): Promise<Classified> {
  let format
  try {
    format = await sniffModelFile(await openAsBlob(path))
  } catch (error) {
    if (gone(error)) return { kind: 'retry', reason: 'it was moved or deleted while being read' }
    throw error
  }
  if (format.format === 'other') {
    const { sha256 } = await hashFile(path)
    return { kind: 'refused', sha256, reason: `It is ${format.what}, not a 3D model.` }
  }
  try {
    const inspected = await inspectAndHashFile(path)
    return {
      kind: 'model',
      sha256: inspected.sha256,
      size: inspected.size,
      // A project's plates are checked by the pipeline (and sliced ones routed by their model).
      dimensions:
        inspected.format === '3mf' || inspected.format === 'gcode3mf'
          ? null
          : await measure(path, inspected.size)
    }
  } catch (error) {
    if (!(error instanceof FileCheckError)) throw error
    if (error.reason === 'changed' || error.reason === 'missing')
      return { kind: 'retry', reason: reasonWords(path, error.message) }
    const { sha256 } = await hashFile(path)
    return { kind: 'refused', sha256, reason: reasonWords(path, error.message) }
  }
}
