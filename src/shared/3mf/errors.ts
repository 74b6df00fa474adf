// Coded errors of the 3MF engine. Inside the engine a failure is thrown as a ThreeMfFailure and
// caught once at the public entry points, which return it as data (never a throw to callers).
// Any other exception escaping an entry point is a bug (the fuzzer counts it as a crash).

import { formatBytes, formatCount } from '../format'
import type { ThreeMfError, ThreeMfErrorCode, ThreeMfResult } from './types'

/** Every error code, for exhaustive checks (fuzzer, IPC validation, fixtures). */
export const THREEMF_ERROR_CODES: readonly ThreeMfErrorCode[] = [
  'empty',
  'too-large',
  'not-zip',
  'truncated',
  'corrupt',
  'encrypted',
  'unsupported-compression',
  'zip-bomb',
  'entry-too-large',
  'missing-model',
  'malformed-xml',
  'invalid-model',
  'missing-object',
  'component-cycle',
  'non-finite',
  'over-budget',
  'no-geometry',
  'unreadable'
]

const GENERIC: Record<ThreeMfErrorCode, string> = {
  empty: 'The file is empty (0 bytes).',
  'too-large': 'The file is larger than this app can open.',
  'not-zip': 'This is not a 3MF file (3MF files are ZIP archives).',
  truncated: 'The 3MF file ends early (truncated download or copy).',
  corrupt: 'The 3MF archive is damaged.',
  encrypted: 'The 3MF archive is encrypted; this app cannot open encrypted files.',
  'unsupported-compression': 'The 3MF archive uses a compression method this app cannot read.',
  'zip-bomb': 'The 3MF archive would expand to far more data than a model needs (a ZIP bomb?).',
  'entry-too-large': 'A file inside the 3MF archive is larger than this app can open.',
  'missing-model': 'The 3MF file has no 3D model inside.',
  'malformed-xml': 'The 3D model inside the 3MF file is not valid XML.',
  'invalid-model': 'The 3D model inside the 3MF file breaks the 3MF rules.',
  'missing-object': 'The 3D model refers to an object the file does not contain.',
  'component-cycle': 'The 3D model contains an object that includes itself.',
  'non-finite': 'The 3D model has coordinates that are not numbers (NaN or infinite).',
  'over-budget': 'The model is larger than this app can open (too many triangles or parts).',
  'no-geometry': 'The 3MF file contains no triangles to print.',
  unreadable: 'The file could not be read.'
}

/** A generic, user-facing sentence for an error code. */
export function threeMfErrorMessage(code: ThreeMfErrorCode): string {
  return GENERIC[code]
}

/** Type guard for values that crossed a process or worker boundary. */
export function isThreeMfErrorCode(value: unknown): value is ThreeMfErrorCode {
  return typeof value === 'string' && (THREEMF_ERROR_CODES as readonly string[]).includes(value)
}

/** The engine's internal failure: thrown deep inside, returned as data at the entry points. */
export class ThreeMfFailure extends Error {
  constructor(
    readonly code: ThreeMfErrorCode,
    message?: string
  ) {
    super(message ?? GENERIC[code])
    this.name = 'ThreeMfFailure'
  }
}

/** Throws a coded failure (`never`, so control flow narrows after it). */
export function fail(code: ThreeMfErrorCode, message?: string): never {
  throw new ThreeMfFailure(code, message)
}

/** Builds a failed result; `message` defaults to the generic sentence. */
export function threeMfFail<T>(code: ThreeMfErrorCode, message?: string): ThreeMfResult<T> {
  const error: ThreeMfError = { code, message: message ?? GENERIC[code] }
  return { ok: false, error }
}

/** Runs `body`, turning a ThreeMfFailure into a failed result; other exceptions propagate. */
export function guard<T>(body: () => T): ThreeMfResult<T> {
  try {
    return { ok: true, value: body() }
  } catch (e) {
    if (e instanceof ThreeMfFailure) return threeMfFail(e.code, e.message)
    throw e
  }
}

/** "`3D/3dmodel.model` is 3.2 GB uncompressed; the limit is 2.1 GB." */
export function entryTooLargeMessage(path: string, size: number, limit: number): string {
  return `'${path}' is ${formatBytes(size)} uncompressed; the limit is ${formatBytes(limit)}.`
}

/** "The model has more than 25,000,000 triangles; the limit is 25,000,000." */
export function overBudgetMessage(what: string, limit: number): string {
  return `The model has more than ${formatCount(limit)} ${what}; the limit is ${formatCount(limit)}.`
}
