// `printers [--json]`: the store's printers, each with its state, the job on it with progress, and
// what needs a hand (a bed to clear, an error). Only the summary is printed — never `metadata`,
// which can hold access codes and passwords.
import { isPrintagoError } from '../../core/printago/errors'
import type { PrinterSummary } from '../../core/printers/summary'
import { healthText, jobProgressText, needsHand } from '../../shared/fleet'
import type { PrinterHealth, PrinterJobNow, PrinterState } from '../../shared/ipc'
import { readFleet } from '../fleet'
import {
  callOptions,
  openCliSession,
  resumeUnfinished,
  parseCommandArgs,
  readCredentials,
  usageFailure,
  UsageError,
  wantsHelp,
  type CliContext,
  type CliIo
} from '../io'

export const PRINTERS_USAGE = `Usage: printers [--json]

Lists the store's printers: id, name, model, state, the job each one runs with its progress
(from Printago's printer stats, listened to for a moment when something prints), what needs a
hand (a bed to clear, an error), and tags.
  --json   print a JSON array of {id, name, model, state, online, available, ready, tags, job,
           needs, health}; state is one of ready, waiting-bed-clear, printing, paused, offline,
           disabled, maintenance; job is null or {printJobId, label, percent, layer, totalLayers,
           minutesLeft, mine}; needs lists what the printer needs from you
Environment: PRINTAGO_API_KEY, PRINTAGO_STORE_ID, optional PRINTAGO_BASE_URL, PRINTAGO_DATA_DIR,
PRINTAGO_REALTIME_URL (\`off\` for no printer stats).
Exit codes: 0 listed, 1 failed, 2 usage error.
`

/** One printer as `printers --json` prints it: exactly these keys, in this order. */
export interface PrinterRow {
  id: string
  name: string
  model: string
  state: PrinterState
  online: boolean
  available: boolean
  ready: boolean
  tags: string[]
  job: (PrinterJobNow & { mine: boolean }) | null
  /** What the printer needs from the operator, in words ("Clear the bed"). */
  needs: string[]
  health: PrinterHealth[]
}

/** The fields `printers --json` prints (never metadata). */
export function printerRow(s: PrinterSummary): PrinterRow {
  return {
    id: s.id,
    name: s.name,
    model: s.model,
    state: s.state,
    online: s.online,
    available: s.available,
    ready: s.ready,
    tags: s.tags,
    job: s.job ? { ...s.job, mine: s.job.mine === true } : null,
    needs: needsHand(s).map((n) => n.text),
    health: s.health ?? []
  }
}

/** "Bracket (mine) 42% · layer 61/145 · 12 min left" for the job column. */
function jobCell(s: PrinterSummary): string {
  if (!s.job) return ''
  const name = `${s.job.label ?? s.job.printJobId ?? 'a print'}${s.job.mine ? ' (mine)' : ''}`
  const progress = jobProgressText(s)
  return progress ? `${name} ${progress}` : name
}

/** Render printers as an aligned text table. */
export function printerTable(printers: PrinterSummary[]): string {
  const header = ['ID', 'NAME', 'MODEL', 'STATE', 'JOB', 'NEEDS', 'TAGS']
  const cells = printers.map((r) => [
    r.id,
    r.name,
    r.model,
    r.state,
    jobCell(r),
    needsHand(r)
      .map((n) => n.text)
      .join('; '),
    r.tags.join(',')
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]): string =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  const warnings = printers.flatMap((p) =>
    (p.health ?? [])
      .filter((h) => h.level === 'warning')
      .map((h) => `warning: ${p.name}: ${healthText(h)}`)
  )
  return [line(header), ...cells.map(line), ...warnings].join('\n') + '\n'
}

/** Run the printers command; returns the exit code. */
export async function printersCommand(args: string[], io: CliIo, ctx: CliContext): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(PRINTERS_USAGE)
    return 0
  }
  let json: boolean
  let creds
  try {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } })
    if (positionals[0] !== undefined) throw new UsageError(`unexpected argument ${positionals[0]}`)
    json = values.json === true
    creds = readCredentials(ctx.env)
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, 'printers', error.message)
    throw error
  }
  const session = await openCliSession(creds, ctx)
  try {
    await resumeUnfinished(session, io)
    const summaries = await readFleet({
      client: session.client,
      storeId: creds.storeId,
      apiKey: creds.apiKey,
      env: ctx.env,
      history: session.history,
      call: callOptions(ctx)
    })
    if (json) io.stdout(`${JSON.stringify(summaries.map(printerRow), null, 2)}\n`)
    else if (summaries.length === 0) io.stdout('No printers in this store.\n')
    else io.stdout(printerTable(summaries))
    return 0
  } catch (error) {
    io.stderr(`error: ${isPrintagoError(error) ? error.message : (error as Error).message}\n`)
    return 1
  } finally {
    await session.close()
  }
}
