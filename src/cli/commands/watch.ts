// `watch <folder> [routing options] [--json]`: the desktop app's hot folder, headless, for farms
// that run it as a service. The same folder watcher (src/core/watch), the same store session and
// journals; one line per event (JSON with --json). Ctrl-C stops: a send in flight pauses and the
// next run settles it from the send journal (never sent twice). Exit 130 on Ctrl-C, 2 on usage.
import { resolve } from 'node:path'

import { resolveDataDir } from '../../core/infra/data-dir'
import { realClock } from '../../core/infra/clock'
import { validateSendRequest } from '../../core/send/service'
import { chokidarEvents } from '../../core/watch/fs-events'
import { createFolderWatcher } from '../../core/watch/folder-watcher'
import { sessionSender } from '../../core/watch/service'
import { MAX_QUANTITY } from '../../shared/send'
import {
  DEFAULT_WATCH_RULES,
  expandLabel,
  type WatchEvent,
  type WatchFolderConfig,
  type WatchFolderState
} from '../../shared/watch'
import {
  openCliSession,
  parseCommandArgs,
  readCredentials,
  usageFailure,
  UsageError,
  wantsHelp,
  type CliContext,
  type CliIo
} from '../io'
import { priorityFromArg, quantityFromArg, routingFromArgs } from '../routing-args'

export const WATCH_USAGE = `Usage: watch <folder> [options]

Sends every STL or 3MF file that appears in <folder>, once it has stopped changing: sent files
move to <folder>/Sent, refused or failed ones to <folder>/Failed with <name>.txt saying why. Each file is
sent once, also across restarts; a file with the same content as one already sent is not sent
again. Temporary, hidden and non-model files are ignored (and listed).
  --printer <id>        only this printer (24-character id, see the printers command)
  --tags A,B            printers that carry all these tags
  --material TYPE       only printers with this filament type loaded (e.g. PLA)
  --quantity N          copies of each file, 1–${MAX_QUANTITY} (default 1)
  --label PATTERN       queue label: {name} {file} {folder} {date} {time} (default {name})
  --priority low        low priority (default normal)
  --leave               leave sent files in place (remembered by content) instead of moving them
  --stable-seconds S    unchanged this long = finished writing (default 3; decimals allowed)
  --poll                poll the folder (network shares, where change events do not arrive)
  --json                one JSON object per line: {"event":"sent","file":…,"at":…}
Ctrl-C stops (exit 130); the next run finishes what was in flight.
Environment: PRINTAGO_API_KEY, PRINTAGO_STORE_ID, optional PRINTAGO_BASE_URL and PRINTAGO_DATA_DIR.
`

const WATCH_OPTIONS = {
  json: { type: 'boolean' },
  printer: { type: 'string' },
  tags: { type: 'string' },
  material: { type: 'string' },
  quantity: { type: 'string' },
  label: { type: 'string' },
  priority: { type: 'string' },
  leave: { type: 'boolean' },
  'stable-seconds': { type: 'string' },
  poll: { type: 'boolean' }
} as const

interface WatchArgs {
  config: WatchFolderConfig
  json: boolean
  stableMs: number
  poll: boolean
}

export function parseWatchArgs(args: string[]): WatchArgs {
  const { values, positionals } = parseCommandArgs(args, WATCH_OPTIONS)
  if (positionals.length !== 1) throw new UsageError('give exactly one folder to watch')
  const routing = routingFromArgs(values)
  const quantity = quantityFromArg(values.quantity)
  const priority = priorityFromArg(values.priority)
  const labelPattern = values.label ?? DEFAULT_WATCH_RULES.labelPattern
  // The send's own rules (one source): checked on a sample file of this folder.
  const problem = validateSendRequest({
    routing,
    items: [
      {
        path: 'sample.stl',
        quantity,
        label: expandLabel(labelPattern, 'sample.stl', 'folder', Date.now())
      }
    ]
  })
  // Said of the rules, not of the sample file they were checked on.
  if (problem) throw new UsageError(problem.replace(/^sample\.stl: /, ''))
  const seconds = values['stable-seconds'] === undefined ? 3 : Number(values['stable-seconds'])
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 3600)
    throw new UsageError('--stable-seconds must be a number of seconds from 0 to 3600')
  const material = values.material?.trim()
  if (material !== undefined && (material === '' || material.includes('|')))
    throw new UsageError('--material needs a filament type such as PLA')
  return {
    config: {
      ...DEFAULT_WATCH_RULES,
      id: 'cli',
      folder: resolve(positionals[0]!),
      paused: false,
      routing,
      quantity,
      labelPattern,
      priority: priority ?? 'normal',
      afterSend: values.leave ? 'leave' : 'move',
      ...(material ? { material: { kind: 'type' as const, type: material } } : {})
    },
    json: values.json === true,
    stableMs: Math.round(seconds * 1000),
    poll: values.poll === true
  }
}

function eventLine(e: Omit<WatchEvent, 'id'>, json: boolean): string {
  if (json)
    return `${JSON.stringify({
      event: e.fate,
      file: e.file,
      at: new Date(e.at).toISOString(),
      ...(e.partBuildId ? { partBuildId: e.partBuildId } : {}),
      ...(e.message ? { message: e.message } : {})
    })}\n`
  const build = e.partBuildId ? ` (build ${e.partBuildId})` : ''
  return `${e.file}: ${e.fate}${build}${e.message ? ` — ${e.message}` : ''}\n`
}

export async function watchCommand(args: string[], io: CliIo, ctx: CliContext): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(WATCH_USAGE)
    return 0
  }
  let parsed: WatchArgs
  let creds
  try {
    parsed = parseWatchArgs(args)
    creds = readCredentials(ctx.env)
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, 'watch', error.message)
    throw error
  }
  const session = await openCliSession(creds, ctx)
  const sender = sessionSender(session)
  let lastState: { state: WatchFolderState; message?: string } | null = null
  let stopping = false
  const watcher = createFolderWatcher({
    config: parsed.config,
    dataDir: resolveDataDir({ env: ctx.env }),
    sender: async () => sender,
    clock: realClock,
    stableMs: parsed.stableMs,
    rescanMs: Math.max(50, Math.min(2000, parsed.stableMs / 2)),
    watchFs: chokidarEvents({ usePolling: parsed.poll }),
    newId: () => crypto.randomUUID(),
    onEvent: (e) => io.stdout(eventLine(e, parsed.json)),
    onChange: () => {
      if (stopping) return
      const v = watcher.view()
      if (lastState?.state === v.state && lastState.message === v.message) return
      lastState = { state: v.state, ...(v.message ? { message: v.message } : {}) }
      if (v.state === 'starting') return
      io.stdout(
        parsed.json
          ? `${JSON.stringify({ event: 'state', state: v.state, folder: parsed.config.folder, ...(v.message ? { message: v.message } : {}), at: new Date().toISOString() })}\n`
          : `${parsed.config.folder}: ${v.state}${v.message ? ` — ${v.message}` : ''}\n`
      )
    }
  })
  io.stderr(`Watching ${parsed.config.folder} (Ctrl-C stops)\n`)
  await new Promise<void>((done) => {
    if (ctx.signal?.aborted) return done()
    ctx.signal?.addEventListener('abort', () => done(), { once: true })
  })
  // No new scans; a send in flight stops like a quit; the next run settles it from the journals.
  stopping = true
  const stopped = watcher.stop()
  await session.close({ interrupt: true })
  await stopped
  io.stderr('Stopped; files in flight are finished by the next run.\n')
  return 130
}
