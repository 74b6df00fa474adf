// Expected failures travel as data across IPC and the test bridge; only bugs throw.

export interface AppError {
  /** A closed set of machine-readable causes, e.g. 'auth', 'rate-limited', 'invalid-payload'. */
  code: string
  /** A sentence the user can act on. */
  message: string
  /** Extra facts for the UI, e.g. { retryAfterSeconds: 12 } or { path: '$input.parts[0]' }. */
  details?: Record<string, unknown>
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: AppError }

/** Wraps a value as a successful result. */
export function ok<T>(value: T): Result<T> {
  return { ok: true, value }
}

/** Wraps an expected failure as a result. */
export function fail<T = never>(
  code: string,
  message: string,
  details?: Record<string, unknown>
): Result<T> {
  return { ok: false, error: details ? { code, message, details } : { code, message } }
}
