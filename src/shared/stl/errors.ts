import { formatBytes, formatCount } from '../format'
import type { StlError, StlErrorCode, StlResult } from './types'

/** Every error code the engine can return, for exhaustive checks (fuzzer, IPC validation). */
export const STL_ERROR_CODES: readonly StlErrorCode[] = [
  'empty',
  'too-small',
  'truncated',
  'count-mismatch',
  'not-stl',
  'nan-coordinates',
  'too-large',
  'no-triangles',
  'unreadable'
]

const GENERIC: Record<StlErrorCode, string> = {
  empty: 'The file is empty (0 bytes).',
  'too-small': 'The file is too small to be an STL (a binary STL has at least 84 bytes).',
  truncated: 'The file ends before all of its triangles (truncated download or copy).',
  'count-mismatch': 'The triangle count in the header does not match the size of the file.',
  'not-stl': 'This is not an STL file.',
  'nan-coordinates':
    'The mesh coordinates are not numbers (NaN or infinite), so it cannot be shown.',
  'too-large': 'The file is larger than this app can open.',
  'no-triangles': 'The file contains no triangles.',
  unreadable: 'The file could not be read.'
}

/** A generic, user-facing sentence for an error code (when no specific message is at hand). */
export function stlErrorMessage(code: StlErrorCode): string {
  return GENERIC[code]
}

/** Type guard for values that crossed a process or worker boundary. */
export function isStlErrorCode(value: unknown): value is StlErrorCode {
  return typeof value === 'string' && (STL_ERROR_CODES as readonly string[]).includes(value)
}

/** Builds a failed result; `message` defaults to the generic sentence. */
export function stlFail<T>(code: StlErrorCode, message?: string): StlResult<T> {
  const error: StlError = { code, message: message ?? GENERIC[code] }
  return { ok: false, error }
}

/** "The file is 3.2 GB; the limit is 2.1 GB." */
export function tooLargeBytesMessage(size: number, limit: number): string {
  return `The file is ${formatBytes(size)}; the limit is ${formatBytes(limit)}.`
}

/** "The model has 30,000,000 triangles; the limit is 25,000,000." */
export function tooManyTrianglesMessage(count: number, limit: number, atLeast = false): string {
  const what = atLeast ? `more than ${formatCount(limit)}` : formatCount(count)
  return `The model has ${what} triangles; the limit is ${formatCount(limit)}.`
}
