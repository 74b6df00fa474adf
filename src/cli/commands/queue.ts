// `queue [--mine] [--json]`: Printago's queue of pending jobs in its order (priority tier, then
// queue order), each with its place "#k of n"; `--mine` keeps the copies sent from this computer
// (the desktop app's history, shared with the CLI).
import { PENDING_QUEUE_QUERY, placesOf } from '../../core/history/sync-queue'
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

export const QUEUE_USAGE = `Usage: queue [--mine] [--json]

Lists Printago's queue of pending jobs in its order, each with its place ("#3 of 12").
  --mine   only my copies (sent from this computer: the desktop app's history)
  --json   print a JSON array of {position, total, printJobId, label, priority, mine, file};
           priority is normal or low; file is the sent file's name for my copies, else null
Environment: PRINTAGO_API_KEY, PRINTAGO_STORE_ID, optional PRINTAGO_BASE_URL, PRINTAGO_DATA_DIR.
Exit codes: 0 listed, 1 failed, 2 usage error.
`

export interface QueueRow {
  position: number
  total: number
  printJobId: string
  label: string
  priority: 'normal' | 'low'
  mine: boolean
  file: string | null
}

export async function queueCommand(args: string[], io: CliIo, ctx: CliContext): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(QUEUE_USAGE)
    return 0
  }
  let json: boolean
  let mineOnly: boolean
  let creds
  try {
    const { values, positionals } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      mine: { type: 'boolean' }
    })
    if (positionals[0] !== undefined) throw new UsageError(`unexpected argument ${positionals[0]}`)
    json = values.json === true
    mineOnly = values.mine === true
    creds = readCredentials(ctx.env)
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, 'queue', error.message)
    throw error
  }
  const session = await openCliSession(creds, ctx)
  try {
    const pending = await session.client.listPrintJobs({ ...PENDING_QUEUE_QUERY }, callOptions(ctx))
    const places = placesOf(pending)
    const rows: QueueRow[] = pending
      .map((j) => {
        const entry =
          session.history.byPrintJobId(j.id) ?? session.history.byPartBuildId(j.partBuildId)
        const place = places.get(j.id)!
        return {
          position: place.position,
          total: place.total,
          printJobId: j.id,
          label: j.label,
          priority: j.priority === 1000 ? ('low' as const) : ('normal' as const),
          mine: entry !== undefined,
          file: entry?.fileName ?? null
        }
      })
      .sort((a, b) => a.position - b.position)
      .filter((r) => !mineOnly || r.mine)
    if (json) io.stdout(`${JSON.stringify(rows, null, 2)}\n`)
    else if (rows.length === 0)
      io.stdout(mineOnly ? 'None of my copies waits in the queue.\n' : 'The queue is empty.\n')
    else io.stdout(queueTable(rows))
    return 0
  } catch (error) {
    io.stderr(`error: ${isPrintagoError(error) ? error.message : (error as Error).message}\n`)
    return 1
  } finally {
    await session.close()
  }
}

/** The queue as an aligned text table. */
export function queueTable(rows: QueueRow[]): string {
  const header = ['PLACE', 'JOB', 'LABEL', 'PRIORITY', 'MINE']
  const cells = rows.map((r) => [
    `#${r.position} of ${r.total}`,
    r.printJobId,
    r.label,
    r.priority,
    r.mine ? (r.file ?? 'yes') : ''
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]): string =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...cells.map(line)].join('\n') + '\n'
}
