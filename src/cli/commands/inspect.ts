// `inspect <file> [--json] [--printer <model>]`: parse and analyse one STL, 3MF project or sliced
// gcode.3mf and print a report (per plate for a 3MF: inspect-3mf.ts).
// Exit codes: 0 report printed, 1 the file is unreadable or not a usable model, 2 usage error.

import { open } from 'node:fs/promises'

import { formatBytes, formatCount, formatMm } from '../../shared/format'
import { fitsBed, lookupBuildVolume } from '../../shared/printers/build-volumes'
import { DEFAULT_LIMITS, detectModelFormat, inspect3mf } from '../../shared/3mf'
import { DEFAULT_MAX_BYTES, inspectStl, type MeshReport, type StlError } from '../../shared/stl'
import { projectJson, projectText } from './inspect-3mf'
import { parseCommandArgs, usageFailure, UsageError, wantsHelp, type CliIo } from '../io'

const USAGE = `Usage: inspect <file.stl|file.3mf|file.gcode.3mf> [--json] [--printer <model>]

Parses an STL file (binary or ASCII) and reports size, area, volume and mesh health. A 3MF
project or sliced gcode.3mf is reported per plate: objects, colours, size, triangles, closed,
volume and bed fit, and for sliced plates the printer model, nozzle, print time and filament.
  --json             print one JSON object (one line) instead of text
  --printer <model>  also say whether it (each plate) fits that printer (e.g. "X1C", "MK4S")
Exit codes: 0 ok, 1 unreadable or invalid file, 2 usage error.
`

/** Largest single read: Node aborts on reads of 2 GiB or more, so stay far below. */
const READ_CHUNK = 64 * 1024 * 1024

interface Args {
  file: string
  json: boolean
  printer: string | null
}

/** Parses inspect's arguments; throws UsageError. */
function parseInspectArgs(args: string[]): Args {
  const { values, positionals } = parseCommandArgs(args, {
    json: { type: 'boolean' },
    printer: { type: 'string' }
  })
  // Tolerate being handed the subcommand name too (`inspect file.stl`).
  const files =
    positionals[0] === 'inspect' && positionals.length > 1 ? positionals.slice(1) : positionals
  if (files.length === 0) throw new UsageError('no file given')
  if (files.length > 1) throw new UsageError(`unexpected argument ${files[1]} (one file at a time)`)
  if (values.printer === '') throw new UsageError('--printer needs a printer model')
  return { file: files[0]!, json: values.json === true, printer: values.printer ?? null }
}

type ReadResult = { ok: true; bytes: Uint8Array } | { ok: false; error: StlError }

/** Reads a whole file after checking it is a regular file within the byte limit. */
async function readStlFile(path: string, maxBytes: number): Promise<ReadResult> {
  let handle
  try {
    handle = await open(path, 'r')
  } catch (e) {
    return { ok: false, error: { code: 'unreadable', message: describeFsError(e, path) } }
  }
  try {
    const st = await handle.stat()
    if (st.isDirectory()) {
      return {
        ok: false,
        error: { code: 'unreadable', message: `${path} is a directory, not a file.` }
      }
    }
    if (!st.isFile()) {
      return { ok: false, error: { code: 'unreadable', message: `${path} is not a regular file.` } }
    }
    if (st.size > maxBytes) {
      return {
        ok: false,
        error: {
          code: 'too-large',
          message: `The file is ${formatBytes(st.size)}; the limit is ${formatBytes(maxBytes)}.`
        }
      }
    }
    // Chunked reads: fs.readFile fails at 2 GiB and one huge read can abort the process.
    const bytes = new Uint8Array(st.size)
    let offset = 0
    while (offset < bytes.length) {
      const length = Math.min(READ_CHUNK, bytes.length - offset)
      const { bytesRead } = await handle.read(bytes, offset, length, offset)
      if (bytesRead === 0) break // the file shrank while we read it
      offset += bytesRead
    }
    return { ok: true, bytes: offset === bytes.length ? bytes : bytes.subarray(0, offset) }
  } catch (e) {
    return { ok: false, error: { code: 'unreadable', message: describeFsError(e, path) } }
  } finally {
    await handle.close().catch(() => undefined)
  }
}

function describeFsError(e: unknown, path: string): string {
  const code = (e as { code?: unknown } | null)?.code
  switch (code) {
    case 'ENOENT':
      return `No such file: ${path}`
    case 'EISDIR':
      return `${path} is a directory, not a file.`
    case 'EACCES':
    case 'EPERM':
      return `Permission denied: ${path}`
    default:
      return `Could not read ${path}: ${e instanceof Error ? e.message : String(e)}`
  }
}

/** The `--json` shape: stable field names for scripts. */
function toJson(r: MeshReport, fit: { printer: string; fit: string } | null): object {
  return {
    format: r.format,
    triangles: r.triangles,
    bbox: { min: r.bbox.min, max: r.bbox.max },
    size: r.size,
    surfaceArea: r.surfaceArea,
    volume: r.volume,
    volumeNote: r.volumeNote,
    closed: r.closed,
    openEdges: r.openEdges,
    nonManifoldEdges: r.nonManifoldEdges,
    inconsistentEdges: r.inconsistentEdges,
    degenerate: r.degenerate,
    nonFiniteVertices: r.nonFiniteVertices,
    shells: r.shells,
    inchSuspect: r.inchSuspect,
    verdict: r.verdict,
    notes: r.notes,
    ...(fit ? { printer: fit.printer, fit: fit.fit } : {})
  }
}

/** 1234.5678 → "1,234.57"; 6 → "6". */
function formatNumber(n: number): string {
  const [int = '0', frac = ''] = Math.abs(n).toFixed(2).split('.')
  const decimals = frac.replace(/0+$/, '')
  const sign = n < 0 && Number(`${int}.${frac}`) !== 0 ? '-' : ''
  return `${sign}${formatCount(Number(int))}${decimals ? '.' + decimals : ''}`
}

function point(p: [number, number, number]): string {
  return `(${p.map(formatMm).join(', ')})`
}

function humanReport(
  file: string,
  r: MeshReport,
  fit: { printer: string; fit: string } | null
): string {
  const rows: Array<[string, string]> = [
    ['Size', `${r.size.map(formatMm).join(' × ')} mm (STL has no units; mm assumed)`],
    ['Bounding box', `${point(r.bbox.min)} → ${point(r.bbox.max)}`],
    ['Surface area', `${formatNumber(r.surfaceArea)} mm²`],
    [
      'Volume',
      r.volume === null
        ? (r.volumeNote ?? 'n/a')
        : `${formatNumber(r.volume)} mm³${r.volumeNote ? ` (${r.volumeNote})` : ''}`
    ],
    [
      'Closed',
      `${r.closed ? 'yes' : 'no'} (${formatCount(r.openEdges)} open, ` +
        `${formatCount(r.nonManifoldEdges)} non-manifold, ` +
        `${formatCount(r.inconsistentEdges)} flipped edges)`
    ],
    ['Degenerate', `${formatCount(r.degenerate)} triangles`],
    ['Shells', formatCount(r.shells)]
  ]
  if (r.nonFiniteVertices > 0) rows.push(['NaN vertices', formatCount(r.nonFiniteVertices)])
  if (r.inchSuspect) rows.push(['Units', 'probably inches (see notes)'])
  if (fit) rows.push(['Fits', `${fit.printer}: ${fit.fit}`])
  rows.push(['Verdict', r.verdict])
  const lines = [`${file}: ${r.format} STL, ${formatCount(r.triangles)} triangles`]
  for (const [k, v] of rows) lines.push(`  ${k.padEnd(14)}${v}`)
  if (r.notes.length > 0) {
    lines.push('  Notes')
    for (const n of r.notes) lines.push(`    - ${n}`)
  }
  return lines.join('\n') + '\n'
}

/** Runs `inspect`; resolves to the exit code (0 ok, 1 bad file, 2 usage). */
export async function inspectCommand(args: string[], io: CliIo): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(USAGE)
    return 0
  }
  let parsed: Args
  try {
    parsed = parseInspectArgs(args)
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, 'inspect', error.message)
    throw error
  }
  const fail = (error: { code: string; message: string }): number => {
    if (parsed.json)
      io.stdout(JSON.stringify({ error: { code: error.code, message: error.message } }) + '\n')
    else io.stderr(`inspect: ${parsed.file}: ${error.message} [${error.code}]\n`)
    return 1
  }

  const read = await readStlFile(parsed.file, Math.max(DEFAULT_MAX_BYTES, DEFAULT_LIMITS.maxBytes))
  if (!read.ok) return fail(read.error)
  const format = detectModelFormat(read.bytes).format
  if (format === '3mf' || format === 'gcode3mf') {
    const project = inspect3mf(read.bytes)
    if (!project.ok) return fail(project.error)
    if (parsed.json) io.stdout(JSON.stringify(projectJson(project.value, parsed.printer)) + '\n')
    else io.stdout(projectText(parsed.file, project.value, parsed.printer))
    return 0
  }
  const result = inspectStl(read.bytes)
  if (!result.ok) return fail(result.error)

  let fit: { printer: string; fit: string } | null = null
  if (parsed.printer !== null) {
    const volume = lookupBuildVolume(parsed.printer)
    fit = { printer: volume?.name ?? parsed.printer, fit: fitsBed(result.value.size, volume) }
  }
  if (parsed.json) io.stdout(JSON.stringify(toJson(result.value, fit)) + '\n')
  else io.stdout(humanReport(parsed.file, result.value, fit))
  return 0
}
