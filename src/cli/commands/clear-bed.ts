// `clear-bed <printer> [--json]`: marks a printer's bed clear (`PATCH /v1/printers/confirm-ready`),
// the operator's safety step after taking a print off. The printer is named by id or name. Only a
// printer waiting for it is marked; a key without printer.ready hears so in words.
import { isPrintagoError } from '../../core/printago/errors'
import { toPrinterSummary } from '../../core/printers/summary'
import { forbiddenMessage } from '../../core/history/queue-actions'
import { PRINTER_STATE_LABEL } from '../../shared/fleet'
import { findPrinter } from '../fleet'
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
import { printerRow } from './printers'

export const CLEAR_BED_USAGE = `Usage: clear-bed <printer> [--json]

Marks the printer's bed clear in Printago, so it takes its next job: do it once the last print is
off the plate. <printer> is its id or its name (the printers command lists them).
  --json   print {printer, cleared}: the printer as \`printers --json\` shows it, and whether
           this command marked it (false when it did not wait for a bed clear)
Environment: PRINTAGO_API_KEY, PRINTAGO_STORE_ID, optional PRINTAGO_BASE_URL.
Exit codes: 0 marked (or it did not need it), 1 failed or the printer cannot take it (printing,
offline…), 2 usage error.
`

export async function clearBedCommand(args: string[], io: CliIo, ctx: CliContext): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(CLEAR_BED_USAGE)
    return 0
  }
  let json: boolean
  let which: string
  let creds
  try {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } })
    if (positionals.length === 0) throw new UsageError('name the printer (its id or name)')
    if (positionals.length > 1) throw new UsageError(`unexpected argument ${positionals[1]}`)
    json = values.json === true
    which = positionals[0]!
    creds = readCredentials(ctx.env)
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, 'clear-bed', error.message)
    throw error
  }
  const session = await openCliSession(creds, ctx)
  const say = (printer: ReturnType<typeof toPrinterSummary>, cleared: boolean): void => {
    if (json) io.stdout(`${JSON.stringify({ printer: printerRow(printer), cleared })}\n`)
  }
  try {
    const printers = (await session.client.listPrinters({ limit: 1000 }, callOptions(ctx))).map(
      (p) => toPrinterSummary(p)
    )
    let printer
    try {
      printer = findPrinter(printers, which)
    } catch (error) {
      io.stderr(`error: ${(error as Error).message}\n`)
      return 1
    }
    if (printer.state === 'ready') {
      io.stderr(`${printer.name}: the bed is already marked clear; nothing to do.\n`)
      say(printer, false)
      return 0
    }
    if (printer.state !== 'waiting-bed-clear') {
      io.stderr(
        `error: ${printer.name} does not wait for a bed clear (${PRINTER_STATE_LABEL[printer.state].toLowerCase()}); nothing was marked\n`
      )
      say(printer, false)
      return 1
    }
    const updated = await session.client.confirmReady([printer.id], true, callOptions(ctx))
    const after = updated.find((p) => p.id === printer.id)
    if (!after) {
      io.stderr(
        `error: Printago did not mark ${printer.name}'s bed clear (it no longer knows it)\n`
      )
      return 1
    }
    const summary = toPrinterSummary(after)
    io.stderr(`${printer.name}: bed marked clear; it takes its next job now.\n`)
    say(summary, true)
    return 0
  } catch (error) {
    if (isPrintagoError(error) && error.code === 'forbidden') {
      io.stderr(`error: ${forbiddenMessage('printer.ready', 'mark a bed clear')}\n`)
      return 1
    }
    io.stderr(`error: ${isPrintagoError(error) ? error.message : (error as Error).message}\n`)
    return 1
  } finally {
    await session.close()
  }
}
