// Printago Send command line: the same services as the desktop app, for scripts and CI.
//   npm run --silent cli -- <command> [options]
// Commands: send, printers, inspect, history, and the operator's clear-bed, queue and jobs.
// Exit codes: 0 success, 1 failure, 2 usage error.
import { realpathSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { clearBedCommand } from './commands/clear-bed'
import { jobsCommand } from './commands/jobs'
import { printersCommand } from './commands/printers'
import { queueCommand } from './commands/queue'
import { sendCommand } from './commands/send'
import { watchCommand } from './commands/watch'
import type { CliContext, CliIo } from './io'

export const USAGE = `Usage: printago <command> [options]

Commands:
  send <file.stl>...   upload STL files and queue them on Printago (see send --help)
  printers             the store's printers: state, job, progress, what needs a hand
  inspect <file.stl>   report an STL's size, volume and mesh health (see inspect --help)
  history              jobs sent from this computer and their status (see history --help)
  clear-bed <printer>  mark a printer's bed clear so it takes its next job
  queue [--mine]       Printago's queue of pending jobs, with each one's place
  jobs move-to-front|pause|resume <id>...
                       the queue operations on print jobs
  watch <folder>       send every model file that appears in a folder, once (see watch --help)
Each command's --help says more (options, --json shapes, exit codes).

Environment:
  PRINTAGO_API_KEY     API key (Settings → API Keys in Printago)
  PRINTAGO_STORE_ID    store id
  PRINTAGO_BASE_URL    API base URL (default https://api.printago.io)
  PRINTAGO_DATA_DIR    state folder (default: the desktop app's data folder)
  PRINTAGO_REALTIME_URL  printer stats for \`printers\` (default Printago's broker for Printago's
                       API, none for another base URL; \`off\` for none)

Unfinished sends (a kill, Ctrl-C, a full disk) are finished by the next command that opens the
store (send, printers, history --refresh), checked first and never queued twice; \`history\`
lists them and \`send --cancel <job>\` drops one.

Exit codes: 0 success, 1 failure, 2 usage error, 130 paused by Ctrl-C.
`

type InspectCommand = (args: string[], io: CliIo) => Promise<number>

/** Load the inspect command (another module, loaded only when asked for). */
async function loadInspect(): Promise<InspectCommand | string> {
  try {
    const mod = (await import('./commands/inspect')) as { inspectCommand?: InspectCommand }
    if (typeof mod.inspectCommand !== 'function')
      return 'the inspect command is not available in this build'
    return mod.inspectCommand
  } catch (error) {
    return `the inspect command could not be loaded: ${(error as Error).message}`
  }
}

type HistoryCommand = (args: string[], io: CliIo, ctx: CliContext) => Promise<number>

/** Load the history command (another module, loaded only when asked for). */
async function loadHistory(): Promise<HistoryCommand | string> {
  try {
    const mod = (await import('./commands/history')) as { historyCommand?: HistoryCommand }
    if (typeof mod.historyCommand !== 'function')
      return 'the history command is not available in this build'
    return mod.historyCommand
  } catch (error) {
    return `the history command could not be loaded: ${(error as Error).message}`
  }
}

/** Run the CLI with `argv` (without node and script); returns the exit code. */
export async function runCli(argv: string[], io: CliIo, ctx: CliContext): Promise<number> {
  const [command, ...rest] = argv
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    if (command === 'help' && rest[0]) return runCli([rest[0], '--help'], io, ctx)
    ;(command === undefined ? io.stderr : io.stdout)(USAGE)
    return command === undefined ? 2 : 0
  }
  try {
    switch (command) {
      case 'send':
        return await sendCommand(rest, io, ctx)
      case 'printers':
        return await printersCommand(rest, io, ctx)
      case 'clear-bed':
        return await clearBedCommand(rest, io, ctx)
      case 'queue':
        return await queueCommand(rest, io, ctx)
      case 'jobs':
        return await jobsCommand(rest, io, ctx)
      case 'watch':
        return await watchCommand(rest, io, ctx)
      case 'inspect': {
        const inspect = await loadInspect()
        if (typeof inspect === 'string') {
          io.stderr(`error: ${inspect}\n`)
          return 1
        }
        return await inspect(rest, io)
      }
      case 'history': {
        const history = await loadHistory()
        if (typeof history === 'string') {
          io.stderr(`error: ${history}\n`)
          return 1
        }
        return await history(rest, io, ctx)
      }
      default:
        io.stderr(`error: unknown command "${command}" (see --help)\n`)
        return 2
    }
  } catch (error) {
    // Anything unexpected still ends in one clear line, never a stack trace on stdout.
    io.stderr(`error: ${(error as Error)?.message ?? String(error)}\n`)
    return 1
  }
}

function isMain(): boolean {
  const entry = process.argv[1]
  if (!entry) return false
  try {
    return realpathSync(entry) === realpathSync(fileURLToPath(import.meta.url))
  } catch {
    return false
  }
}

if (isMain()) {
  const controller = new AbortController()
  let firstInterrupt = 0
  process.on('SIGINT', () => {
    // First Ctrl-C pauses: the send stops where it is and the next run finishes it. A second one
    // quits at once (the journal makes that just as safe, only less tidy) — but one Ctrl-C often
    // arrives twice (the terminal signals the whole process group, and a wrapper such as npm
    // relays it again), so a repeat within a second is the same keypress.
    const now = Date.now()
    if (firstInterrupt > 0) {
      if (now - firstInterrupt > 1000) process.exit(130)
      return
    }
    firstInterrupt = now
    process.stderr.write('\nPausing… (Ctrl-C again to quit now; the next run finishes the send)\n')
    controller.abort()
  })
  const io: CliIo = {
    stdout: (s) => void process.stdout.write(s),
    stderr: (s) => void process.stderr.write(s)
  }
  const code = await runCli(process.argv.slice(2), io, {
    env: process.env,
    stderrIsTty: process.stderr.isTTY === true,
    signal: controller.signal
  })
  // Let pending writes reach a pipe before exiting (keep-alive sockets would keep us alive).
  await new Promise<void>((resolve) => process.stdout.write('', () => resolve()))
  await new Promise<void>((resolve) => process.stderr.write('', () => resolve()))
  process.exit(code)
}
