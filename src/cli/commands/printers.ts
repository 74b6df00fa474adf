// `printers [--json]`: list the store's printers as a table or a JSON array. Only the summary is
// printed — never `metadata`, which can hold access codes and passwords.
import { isPrintagoError } from '../../core/printago/errors'
import { toPrinterSummary, type PrinterSummary } from '../../core/printers/summary'
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

Lists the store's printers: id, name, model, state and tags.
  --json   print a JSON array of {id, name, model, online, available, ready, tags}
Environment: PRINTAGO_API_KEY, PRINTAGO_STORE_ID, optional PRINTAGO_BASE_URL and PRINTAGO_DATA_DIR.
Exit codes: 0 listed, 1 failed, 2 usage error.
`

/** One printer as `printers --json` prints it: exactly these keys, in this order. */
export interface PrinterRow {
  id: string
  name: string
  model: string
  online: boolean
  available: boolean
  ready: boolean
  tags: string[]
}

/** The fields `printers --json` prints (a subset of PrinterSummary; no state, no metadata). */
export function printerRow(s: PrinterSummary): PrinterRow {
  return {
    id: s.id,
    name: s.name,
    model: s.model,
    online: s.online,
    available: s.available,
    ready: s.ready,
    tags: s.tags
  }
}

/** Render printers as an aligned text table (with the derived state, which JSON leaves out). */
export function printerTable(printers: PrinterSummary[]): string {
  const header = ['ID', 'NAME', 'MODEL', 'STATE', 'TAGS']
  const cells = printers.map((r) => [r.id, r.name, r.model, r.state, r.tags.join(',')])
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)))
  const line = (c: string[]): string =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...cells.map(line)].join('\n') + '\n'
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
    const printers = await session.client.listPrinters({ limit: 1000 }, callOptions(ctx))
    const summaries = printers.map((p) => toPrinterSummary(p))
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
