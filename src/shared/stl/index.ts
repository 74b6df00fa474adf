// Public surface of the pure STL engine (no DOM, no Node, no three.js): usable from the parse
// worker, the main process and the CLI.

import { analyzeMesh } from './analyze-mesh'
import { parseStl } from './parse-stl'
import type { MeshReport, ParseLimits, ParseOptions, StlResult } from './types'

export type * from './types'
export { analyzeMesh } from './analyze-mesh'
export { STL_ERROR_CODES, isStlErrorCode, stlErrorMessage } from './errors'
export { AsciiStlScanner, type AsciiScan, type AsciiScanOptions } from './parse-ascii'
export {
  DEFAULT_MAX_BYTES,
  DEFAULT_MAX_TRIANGLES,
  asciiResult,
  parseStl,
  resolveLimits
} from './parse-stl'

/** Parse + analyze in one call: the report, or the typed parse error. */
export function inspectStl(
  input: Uint8Array | ArrayBuffer,
  limits?: ParseLimits,
  options?: ParseOptions
): StlResult<MeshReport> {
  const parsed = parseStl(input, limits, options)
  if (!parsed.ok) return parsed
  return { ok: true, value: analyzeMesh(parsed.value) }
}
