// `send:*`: start a send in the active store's session (progress and the end arrive as pushes)
// and cancel one, also while its store is closing.
import { randomUUID } from 'node:crypto'

import type { SendFinished } from '../../shared/ipc'
import { fail, ok } from '../../shared/result'
import type { SendRequest } from '../../shared/send'
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
      const jobId = requestedId ?? randomUUID()
      ctx.running.add(jobId)
      void session
        .send(request, { jobId })
        .then((result) => ctx.emit('send:finished', finishedEvent(request, result)))
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
      ok({ cancelled: ctx.sessions.peek()?.cancel(jobId) ?? false })
  }
}
