// `jobs move-to-front|pause|resume <printJobId…> [--json]`: the operator's queue operations on
// print jobs by id (the history and `queue` show them). Printago answers with the jobs it changed;
// the others (not pending for move-to-front, not printing for pause…) are named.
import { forbiddenMessage } from '../../core/history/queue-actions'
import type { PrintagoClient } from '../../core/printago/client'
import { isPrintagoError } from '../../core/printago/errors'
import {
  callOptions,
  openCliSession,
  parseCommandArgs,
  readCredentials,
  usageFailure,
  UsageError,
  wantsHelp,
  type CliContext,
  type CliIo
} from '../io'

export const JOBS_USAGE = `Usage: jobs move-to-front|pause|resume <printJobId>... [--json]

  move-to-front   put pending jobs ahead of their priority tier in Printago's queue
                  (needs the key's queue.override permission)
  pause, resume   pause printing jobs on their printer, or let paused ones print on
                  (queue.manage)
  --json          print {action, affected, unchanged}: the ids Printago changed, and the others
Environment: PRINTAGO_API_KEY, PRINTAGO_STORE_ID, optional PRINTAGO_BASE_URL.
Exit codes: 0 every job changed, 1 failed or some jobs were not changed, 2 usage error.
`

type Action = 'move-to-front' | 'pause' | 'resume'

const ACTIONS: Record<
  Action,
  {
    permission: string
    verb: string
    run: (c: PrintagoClient, ids: string[], o: object) => Promise<string[]>
    eligible: string
  }
> = {
  'move-to-front': {
    permission: 'queue.override',
    verb: 'move print jobs to the front of the queue',
    run: (c, ids, o) => c.moveToQueueFront(ids, o),
    eligible: 'pending'
  },
  pause: {
    permission: 'queue.manage',
    verb: 'pause print jobs',
    run: (c, ids, o) => c.pausePrintJobs(ids, o),
    eligible: 'printing'
  },
  resume: {
    permission: 'queue.manage',
    verb: 'resume print jobs',
    run: (c, ids, o) => c.resumePrintJobs(ids, o),
    eligible: 'paused'
  }
}

export async function jobsCommand(args: string[], io: CliIo, ctx: CliContext): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(JOBS_USAGE)
    return 0
  }
  let json: boolean
  let action: Action
  let ids: string[]
  let creds
  try {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } })
    const [verb, ...rest] = positionals
    if (verb === undefined) throw new UsageError('name an action: move-to-front, pause or resume')
    if (!(verb in ACTIONS)) throw new UsageError(`unknown action ${verb}`)
    if (rest.length === 0) throw new UsageError('name at least one print job id')
    const bad = rest.find((id) => !/^[a-z0-9]{1,64}$/.test(id))
    if (bad !== undefined) throw new UsageError(`${bad} is not a print job id`)
    json = values.json === true
    action = verb as Action
    ids = [...new Set(rest)]
    creds = readCredentials(ctx.env)
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, 'jobs', error.message)
    throw error
  }
  const spec = ACTIONS[action]
  const session = await openCliSession(creds, ctx)
  try {
    const affected = await spec.run(session.client, ids, callOptions(ctx))
    const changed = new Set(affected)
    const unchanged = ids.filter((id) => !changed.has(id))
    if (json) io.stdout(`${JSON.stringify({ action, affected, unchanged })}\n`)
    for (const id of affected)
      io.stderr(
        `${id}: ${action === 'move-to-front' ? 'moved to the front' : action === 'pause' ? 'paused' : 'resumed'}\n`
      )
    for (const id of unchanged)
      io.stderr(`${id}: not changed (only ${spec.eligible} jobs can be; or no such job)\n`)
    return unchanged.length === 0 ? 0 : 1
  } catch (error) {
    if (isPrintagoError(error) && error.code === 'forbidden') {
      io.stderr(`error: ${forbiddenMessage(spec.permission, spec.verb)}\n`)
      return 1
    }
    io.stderr(`error: ${isPrintagoError(error) ? error.message : (error as Error).message}\n`)
    return 1
  } finally {
    await session.close()
  }
}
