// `send:*`: start a send in the active store's session (progress and the end arrive as pushes)
// and cancel one, also while its store is closing.
import { randomUUID } from 'node:crypto'

import type { SendFinished } from '../../shared/ipc'
import { fail, ok, type Result } from '../../shared/result'
import type { SendRequest } from '../../shared/send'
import { ConvertError } from '../files/convert'
import { withMillimetreFiles } from '../files/units'
import { previewSend } from '../send/build-preview'
import { FileCheckError } from '../send/file-check'
import type { SendResult } from '../send/service'
import { needStore, toFailure } from './failure'
import type { CoreContext, DomainHandlers } from './context'

/** The `send:finished` push for a result: its first error, or how many files failed. */
export function finishedEvent(request: SendRequest, result: SendResult): SendFinished {
  const first = result.failures[0]
  const error =
    result.error ??
    (first
      ? {
          code: first.error.code,
          message: `${result.failures.length} of ${request.items.length} files failed: ${first.error.message}`
        }
      : undefined)
  return {
    jobId: result.jobId,
    files: result.files,
    ...(error ? { error } : {}),
    // "Resumed your unfinished send of X" instead of a second copy of it.
    ...(result.resumed && result.resumed.length > 0 ? { resumed: result.resumed } : {})
  }
}

/** The `send:finished` push for a job continued at the store's start (a crash or quit stopped it). */
export function resumedEvent(result: SendResult): SendFinished {
  const files = [
    ...result.files.map((f) => f.file),
    ...result.failures.map((f) => f.file),
    ...(result.unfinished ?? []).map((f) => f.file)
  ]
  return {
    jobId: result.jobId,
    files: result.files,
    ...(result.error ? { error: result.error } : {}),
    resumed: [{ jobId: result.jobId, files }]
  }
}

export function sendHandlers(ctx: CoreContext): DomainHandlers<'send'> {
  return {
    'send:start': async ({ jobId: requestedId, ...request }) => {
      const session = await ctx.sessions.current()
      if (!session) return needStore()
      try {
        await session.sender()
      } catch (err) {
        return toFailure(err)
      }
      // The store may have been switched while its send service opened.
      if (session.state !== 'open')
        return fail('no-store', 'The store was closed before the send started. Send it again.')
      if (requestedId && ctx.running.has(requestedId))
        return fail('invalid-payload', 'This send is already running.')
      // Files read in inches (metres…) go as their millimetre copies: what Printago slices.
      let converted: SendRequest
      try {
        converted = await withMillimetreFiles(request, session.dir)
      } catch (err) {
        return convertFailure(err)
      }
      const jobId = requestedId ?? randomUUID()
      ctx.running.add(jobId)
      void session
        .send(converted, { jobId })
        .then((result) =>
          ctx.emit('send:finished', finishedEvent(request, asRequested(result, converted, request)))
        )
        .catch((err) =>
          ctx.emit('send:finished', {
            jobId,
            files: [],
            error: { code: 'internal', message: (err as Error).message }
          })
        )
        .finally(() => ctx.running.delete(jobId))
      return ok({ jobId })
    },
    'send:cancel': async ({ jobId }) =>
      ok({ cancelled: ctx.sessions.peek()?.cancel(jobId) ?? false }),
    'send:preview': async (request, { signal }) => {
      const session = await ctx.sessions.current()
      if (!session) return needStore()
      try {
        const service = await session.sender()
        const converted = await withMillimetreFiles(request, session.dir)
        return ok(
          await previewSend(
            { client: session.client, dedupe: service.dedupe, signal },
            converted,
            request.items.map((i) => i.path)
          )
        )
      } catch (err) {
        if (err instanceof ConvertError) return convertFailure(err)
        if (err instanceof FileCheckError) return fail('file', err.message)
        return toFailure(err)
      }
    }
  }
}

/** A file that could not be turned into millimetres: nothing was sent. */
function convertFailure<T>(err: unknown): Result<T> {
  if (err instanceof ConvertError)
    return fail('file', `${err.message}. Nothing was sent; check the file and send again.`)
  return toFailure(err)
}

/**
 * The result with each converted copy named by the file the user chose: the renderer knows its
 * files by the paths it sent.
 */
function asRequested(result: SendResult, sent: SendRequest, asked: SendRequest): SendResult {
  if (sent === asked) return result
  const original = new Map(sent.items.map((item, i) => [item.path, asked.items[i]!.path]))
  const name = (file: string): string => original.get(file) ?? file
  return {
    ...result,
    files: result.files.map((f) => ({ ...f, file: name(f.file) })),
    failures: result.failures.map((f) => ({ ...f, file: name(f.file) })),
    ...(result.unfinished
      ? { unfinished: result.unfinished.map((f) => ({ ...f, file: name(f.file) })) }
      : {}),
    ...(result.resumed
      ? { resumed: result.resumed.map((r) => ({ ...r, files: r.files.map(name) })) }
      : {})
  }
}
