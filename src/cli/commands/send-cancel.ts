// `send --cancel <job>|all`: drop sends an earlier run left unfinished. A build in doubt is
// checked first (reconciled), so what Printago did queue is reported, never forgotten.
import { basename } from 'node:path'

import { JournalLockedError } from '../../core/infra/journal'
import { jobFiles, openCliSession, type CliContext, type CliIo, type Credentials } from '../io'

/** `send --cancel <job>|all`: drop unfinished sends (a build in doubt is checked first). */
export async function cancelUnfinished(
  which: string,
  json: boolean,
  io: CliIo,
  ctx: CliContext,
  creds: Credentials
): Promise<number> {
  const session = await openCliSession(creds, ctx)
  try {
    let service
    try {
      service = await session.sender()
    } catch (error) {
      if (error instanceof JournalLockedError) {
        io.stderr(`error: ${error.message}; cancel it there, or wait until it is done\n`)
        return 1
      }
      throw error
    }
    const pending = service.pendingJobs()
    const targets = which === 'all' ? pending : pending.filter((j) => j.jobId === which)
    if (targets.length === 0) {
      io.stderr(
        which === 'all'
          ? 'No unfinished sends.\n'
          : `error: no unfinished send ${which} (\`history\` lists them)\n`
      )
      return which === 'all' ? 0 : 1
    }
    const out: Array<{ jobId: string; status: string; queued: string[] }> = []
    for (const job of targets) {
      const files = jobFiles(job)
      const r = await session.cancelPending(job.jobId)
      if (!r) continue
      const queued = r.files.map((f) => `${basename(f.file)} (build ${f.partBuildId})`)
      out.push({ jobId: job.jobId, status: r.status, queued: r.files.map((f) => f.partBuildId) })
      io.stderr(
        `Cancelled the unfinished send of ${files} (job ${job.jobId}): nothing more is sent` +
          (queued.length > 0
            ? `; Printago had already queued ${queued.join(', ')} (cancel its prints from the history if needed)`
            : '') +
          '\n'
      )
    }
    if (json) io.stdout(`${JSON.stringify({ cancelled: out })}\n`)
    return 0
  } finally {
    await session.close()
  }
}
