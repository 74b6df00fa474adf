// `send <file>... [--printer <id> | --tags A,B] [--quantity N] [--label L] [--priority low]
// [--position front] [--plates 1=2,2=1] [--use-3mf-profile] [--json]`: send STL, 3MF and
// gcode.3mf files to Printago through the same services as the app.
// Progress goes to stderr; with --json one object goes to stdout. Exit codes: 0 all sent,
// 1 a file or Printago failed, 2 usage error.
import { basename } from 'node:path'

import { JournalLockedError } from '../../core/infra/journal'
import type { PrintagoClient } from '../../core/printago/client'
import { isPrintagoError } from '../../core/printago/errors'
import { toPrinterSummary, unreachableRouting } from '../../core/printers/summary'
import { checkModelFile } from '../../core/send/file-check'
import { validateSendRequest, type SendResult } from '../../core/send/service'
import { diskProblem } from '../../core/infra/fs'
import { MAX_LABEL_LENGTH, MAX_QUANTITY, type Routing, type SendRequest } from '../../shared/send'
import { partKindOfName, plateQuantitiesProblem } from '../../shared/send-project'
import { priorityFromArg, quantityFromArg, routingFromArgs } from '../routing-args'
import { cancelUnfinished } from './send-cancel'
import { failureLine, progressPrinter, unfinishedMessage } from './send-progress'
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
  type CliIo,
  type Credentials
} from '../io'

export const SEND_USAGE = `Usage: send <file.stl|file.3mf|file.gcode.3mf>... [options]

Sends STL, 3MF project and sliced gcode.3mf files to Printago: upload, create the part (reused
when this store already has the same file), and queue one build for all files. A sliced
gcode.3mf only goes to printers of the model and nozzle it was sliced for.
  --printer <id>        only this printer: its 24-character id (see the printers command)
  --tags A,B            printers that carry all these tags (exact case)
                        (with --printer or --tags, one printer list call checks that some
                        printer matches; if none does, a warning says so before sending)
  --quantity N          copies of each file, 1–${MAX_QUANTITY} (default 1)
  --label L             label in Printago's queue (default: the file name)
  --priority low        low priority (default normal)
  --position front      front of its priority tier (default back)
  --plates 1=2,2=1      3MF only: copies of each plate by plate id (a plate left out is not
                        printed; default one of each); --quantity multiplies the whole
  --use-3mf-profile     3MF only: slice with the process settings saved in the project
  --again               send another copy even if an unfinished send of the same files
                        (same routing, quantity and label) exists; without it, running the
                        same send again after an interruption finishes that send instead
  --cancel <job>|all    drop an unfinished send (see history) instead of sending; a build
                        in doubt is checked first, and what Printago did queue is reported
  --json                print {"jobs":[…],"apiCalls":n} on stdout, plus "failures":[…]
                        ({file, code, message}) when a file was not queued and "resumed":[…]
                        ({jobId, files}) when unfinished sends were finished instead
Ctrl-C pauses: nothing more is sent, and the next run of any command that opens the store
finishes the send (it is checked first, never queued twice).
Environment: PRINTAGO_API_KEY, PRINTAGO_STORE_ID, optional PRINTAGO_BASE_URL and PRINTAGO_DATA_DIR.
Exit codes: 0 sent, 1 failed (also: a full disk, another instance sending), 2 usage error,
130 paused by Ctrl-C.
`

interface SendArgs {
  files: string[]
  request: SendRequest
  json: boolean
  again: boolean
  /** `--cancel <job>`: drop that unfinished send (or `all`) instead of sending. */
  cancel?: string
}

const SEND_OPTIONS = {
  json: { type: 'boolean' },
  again: { type: 'boolean' },
  cancel: { type: 'string' },
  printer: { type: 'string' },
  tags: { type: 'string' },
  quantity: { type: 'string' },
  label: { type: 'string' },
  priority: { type: 'string' },
  position: { type: 'string' },
  plates: { type: 'string' },
  'use-3mf-profile': { type: 'boolean' }
} as const

/** `--plates 1=2,2=1` → `{ "1": 2, "2": 1 }`; throws UsageError. */
export function parsePlateQuantities(raw: string): Record<string, number> {
  const out: Record<string, number> = {}
  for (const part of raw.split(',')) {
    const m = /^\s*(\d+)\s*=\s*(\d+)\s*$/.exec(part)
    if (!m) throw new UsageError(`--plates takes plate=quantity pairs like 1=2,2=1 (got "${part}")`)
    if (m[1]! in out) throw new UsageError(`--plates names plate ${m[1]} twice`)
    out[m[1]!] = Number(m[2])
  }
  const problem = plateQuantitiesProblem(out)
  if (problem) throw new UsageError(`--plates: ${problem}`)
  return out
}

/** Parse send's arguments; throws UsageError. */
export function parseSendArgs(args: string[]): SendArgs {
  const { values, positionals: files } = parseCommandArgs(args, SEND_OPTIONS)
  if (values.cancel !== undefined) {
    if (files.length > 0) throw new UsageError('--cancel takes a job id, not files')
    if (values.cancel.trim() === '') throw new UsageError('--cancel needs a job id (or all)')
    const empty: SendRequest = { items: [], routing: { mode: 'any' } }
    return {
      files,
      request: empty,
      json: values.json === true,
      again: false,
      cancel: values.cancel
    }
  }
  const routing = routingFromArgs(values)
  const quantity = quantityFromArg(values.quantity)
  const label = values.label
  if (label !== undefined && (label.length < 1 || label.length > MAX_LABEL_LENGTH)) {
    throw new UsageError(`--label must be 1–${MAX_LABEL_LENGTH} characters`)
  }
  const priority = priorityFromArg(values.priority)
  const position = values.position
  if (position !== undefined && position !== 'front' && position !== 'back')
    throw new UsageError(`--position must be front or back (got ${position})`)
  const json = values.json === true
  if (files.length === 0) throw new UsageError('no file given')
  const plateQuantities =
    values.plates !== undefined ? parsePlateQuantities(values.plates) : undefined
  const useProfile = values['use-3mf-profile'] === true
  const notProject = files.find((f) => partKindOfName(f) === 'stl')
  if (notProject && (plateQuantities || useProfile)) {
    const flag = plateQuantities ? '--plates' : '--use-3mf-profile'
    throw new UsageError(`${flag} applies to 3MF files only; ${notProject} is not one`)
  }
  const request: SendRequest = {
    items: files.map((path) => ({
      path,
      quantity,
      ...(label !== undefined ? { label } : {}),
      ...(priority ? { priority } : {}),
      ...(position ? { position } : {}),
      ...(plateQuantities ? { plateQuantities } : {}),
      ...(useProfile && partKindOfName(path) === '3mf' ? { use3MFProcessProfile: true } : {})
    })),
    routing
  }
  const problem = validateSendRequest(request)
  if (problem) throw new UsageError(problem)
  return { files, request, json, again: values.again === true }
}

/** Run the send command; returns the exit code. */
export async function sendCommand(args: string[], io: CliIo, ctx: CliContext): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(SEND_USAGE)
    return 0
  }
  let parsed: SendArgs
  let creds: Credentials
  try {
    parsed = parseSendArgs(args)
    creds = readCredentials(ctx.env)
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, 'send', error.message)
    throw error
  }
  if (parsed.cancel !== undefined)
    return cancelUnfinished(parsed.cancel, parsed.json, io, ctx, creds)
  // Cheap checks first so a typo never costs an API call. One bad file refuses the whole batch.
  const bad: Array<{ file: string; code: string; message: string }> = []
  for (const file of parsed.files) {
    try {
      await checkModelFile(file)
    } catch (error) {
      bad.push({
        file,
        code: 'file',
        message: `${(error as Error).message.replace(/\.$/, '')}; nothing was sent (fix or remove it and run again)`
      })
    }
  }
  if (bad.length > 0) {
    for (const b of bad) io.stderr(failureLine(b.file, b.message))
    if (parsed.json) io.stdout(`${JSON.stringify({ jobs: [], failures: bad, apiCalls: 0 })}\n`)
    return 1
  }

  const session = await openCliSession(creds, ctx, {
    onProgress: progressPrinter(io, parsed.files.length)
  })
  // What the legacy /v1/builds fallback could not take (e.g. the queue position) is said.
  session.client.on('notice', (n) =>
    io.stderr(`note: ${n.message}
`)
  )
  // Ctrl-C pauses: the send stops like a quit (nothing final is written) and resumes next run.
  let paused = false
  const pause = (): void => {
    paused = true
    void session.close({ interrupt: true })
  }
  ctx.signal?.addEventListener('abort', pause, { once: true })
  const pausedExit = (jobId?: string): number => {
    io.stderr(
      `Paused: nothing more is sent. Run the same command again (or any command that opens the store) to finish it${jobId ? `, or \`send --cancel ${jobId}\` to drop it` : ''}.\n`
    )
    return 130
  }
  try {
    let service
    try {
      service = await session.sender()
    } catch (error) {
      if (error instanceof JournalLockedError) {
        io.stderr(
          `error: ${error.message}. Wait until it is done (its sends are not repeated here), or set PRINTAGO_DATA_DIR to another folder\n`
        )
        return 1
      }
      if (paused) return pausedExit()
      const disk = diskProblem(error)
      io.stderr(
        `error: ${disk?.message ?? `cannot open the send journal in ${session.dir}: ${(error as Error).message}`}\n`
      )
      return 1
    }
    for (const issue of service.issues) io.stderr(`warning: ${issue.message}\n`)
    const callsBefore = session.client.apiCalls + service.uploadRequests
    if (!paused) await warnIfUnreachable(session.client, parsed.request.routing, io, ctx)
    // The session records the sent files in the history the desktop app and `history` show. A
    // file an unfinished send already holds is finished there, not queued again (unless --again).
    let result: SendResult
    try {
      result = await session.send(parsed.request, { again: parsed.again })
    } catch (error) {
      if (paused) return pausedExit()
      const disk = diskProblem(error)
      if (disk) {
        io.stderr(`error: ${disk.message}\n`)
        return 1
      }
      throw error
    }
    for (const r of result.resumed ?? []) {
      io.stderr(
        `Resumed your unfinished send of ${r.files.map((f) => basename(f)).join(', ')} (job ${r.jobId}) instead of queuing it again: same file, routing, quantity and label (--again sends another copy)\n`
      )
    }
    // Unfinished sends of earlier runs with other files: finished now too, and said so.
    if (!paused) await resumeUnfinished(session, io)
    const apiCalls = session.client.apiCalls + service.uploadRequests - callsBefore
    // Every file not queued gets one line naming it and the cause.
    const failures = [
      ...result.failures.map((f) => ({
        file: f.file,
        code: f.error.code,
        message: f.error.message
      })),
      ...(result.unfinished ?? []).map((u) => ({
        file: u.file,
        code: u.error.code,
        message: unfinishedMessage(u)
      }))
    ]
    if (!paused) for (const f of failures) io.stderr(failureLine(f.file, f.message))
    if (failures.length === 0 && result.status === 'cancelled') io.stderr('error: send cancelled\n')
    else if (
      !paused &&
      (result.historyNotSaved || (failures.length === 0 && result.status === 'interrupted')) &&
      result.error
    )
      io.stderr(`error: ${result.error.message}\n`)
    if (parsed.json) {
      const out: Record<string, unknown> = {
        jobs: result.files.map((f) => ({
          file: f.file,
          sha256: f.sha256,
          partId: f.partId,
          partBuildId: f.partBuildId,
          reusedPart: f.reusedPart
        })),
        apiCalls
      }
      if (failures.length > 0) out['failures'] = failures
      if (result.resumed && result.resumed.length > 0) out['resumed'] = result.resumed
      if (result.status !== 'done') out['status'] = paused ? 'paused' : result.status
      if (result.historyNotSaved) out['error'] = result.error
      io.stdout(`${JSON.stringify(out)}\n`)
    } else if (result.files.length > 0) {
      for (const f of result.files) {
        io.stdout(
          `${f.file}: queued as build ${f.partBuildId} (part ${f.partId}${f.reusedPart ? ', reused' : ''})\n`
        )
      }
    }
    if (paused && result.status !== 'done') return pausedExit(result.jobId)
    // Queued, but missing from the history (disk full): an error, never a silent success.
    if (result.historyNotSaved) return 1
    return result.status === 'done' ? 0 : 1
  } finally {
    ctx.signal?.removeEventListener('abort', pause)
    await session.close()
  }
}

/**
 * With --printer or --tags, one printer list call before sending: a job no printer can take
 * would wait in Printago's queue forever, so say so (it is still sent — the fleet may change).
 */
async function warnIfUnreachable(
  client: PrintagoClient,
  routing: Routing,
  io: CliIo,
  ctx: CliContext
): Promise<void> {
  if (routing.mode === 'any') return
  try {
    const printers = await client.listPrinters({ limit: 1000 }, callOptions(ctx))
    const warning = unreachableRouting(
      routing,
      printers.map((p) => toPrinterSummary(p))
    )
    if (warning) io.stderr(`warning: ${warning}\n`)
  } catch (error) {
    // A bad key or a cancel is reported by the send itself; anything else only loses the hint.
    if (isPrintagoError(error) && (error.code === 'auth' || error.code === 'cancelled')) return
    io.stderr(
      `warning: could not check the printers (${(error as Error).message}); sending anyway\n`
    )
  }
}
