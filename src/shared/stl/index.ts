// Public surface of the pure STL engine (no DOM, no Node, no three.js): usable from the parse
// worker, the main process and the CLI. Import from here, not from the modules: these entry
// points warm the hot loops up once before the first big input (see warm-up.ts).

import { analyzeMesh as analyzeMeshCore } from './analyze-mesh'
import { parseStl as parseStlCore } from './parse-stl'
import type { MeshReport, ParsedStl, ParseLimits, ParseOptions, StlResult } from './types'
import { warmUpOnce } from './warm-up'

export type * from './types'
export { STL_ERROR_CODES, isStlErrorCode, stlErrorMessage } from './errors'
export { AsciiStlScanner, type AsciiScan, type AsciiScanOptions } from './parse-ascii'
export { StlStreamCheck, type StlCheck } from './check-stream'
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_TRIANGLES, asciiResult, resolveLimits } from './parse-stl'
export { PREFLIGHT_HEAD_BYTES, preflightStl } from './preflight'
export { readStlBytes, type StlFileLike } from './read-file'

/** Inputs smaller than this parse fast whatever V8 does; bigger ones warm up first. */
const WARM_UP_BYTES = 256 * 1024
const WARM_UP_TRIANGLES = 5000

function warmUp(): void {
  warmUpOnce(parseStlCore, (bytes) => {
    const r = parseStlCore(bytes)
    if (r.ok) analyzeMeshCore(r.value)
  })
}

/** Parses a binary or ASCII STL into flat positions; never throws on bad input. */
export function parseStl(
  input: Uint8Array | ArrayBuffer,
  limits?: ParseLimits,
  options?: ParseOptions
): StlResult<ParsedStl> {
  if (input.byteLength > WARM_UP_BYTES) warmUp()
  return parseStlCore(input, limits, options)
}

/** Measures and checks a parsed mesh (size, area, volume when closed, edges, shells, verdict). */
export function analyzeMesh(parsed: ParsedStl): MeshReport {
  if (parsed.triangles > WARM_UP_TRIANGLES) warmUp()
  return analyzeMeshCore(parsed)
}

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
