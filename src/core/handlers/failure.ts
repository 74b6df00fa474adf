// Errors as data: what a handler returns when Printago (or anything else) fails.
import type { AppError, Result } from '../../shared/result'
import { fail } from '../../shared/result'
import { diskProblem } from '../infra/fs'
import { JournalLockedError } from '../infra/journal'
import { isPrintagoError } from '../printago/errors'

/** An error in words a user can act on, with the facts the UI shows (status, Retry-After…). */
export function toAppError(err: unknown): AppError {
  // Another instance (the CLI, a second app) is sending from this store: say so, with its pid.
  if (err instanceof JournalLockedError)
    return { code: 'store-busy', message: err.message, details: { pid: err.pid } }
  const disk = diskProblem(err)
  if (disk) return { code: disk.code, message: disk.message, details: {} }
  if (isPrintagoError(err)) {
    const details: Record<string, unknown> = {}
    if (err.status !== undefined) details.status = err.status
    if (err.retryAfterSeconds !== undefined) details.retryAfterSeconds = err.retryAfterSeconds
    if (err.fieldPath) details.path = err.fieldPath
    return { code: err.code, message: err.message, details }
  }
  return { code: 'internal', message: (err as Error)?.message ?? String(err) }
}

/** Turns any error into a failed result. */
export function toFailure<T>(err: unknown): Result<T> {
  return { ok: false, error: toAppError(err) }
}

/** The answer of every channel that needs a store when none is connected. */
export function needStore<T>(): Result<T> {
  return fail(
    'no-store',
    'No store is connected. Try the demo store or connect your Printago store.'
  )
}
