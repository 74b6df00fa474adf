// `history [--json] [--refresh]`: the local job history of the store in PRINTAGO_STORE_ID, newest
// first — the same file the desktop app keeps (data dir from PRINTAGO_DATA_DIR or the app's
// folder, one subfolder per store). `--refresh` first brings open jobs up to date over REST.

import { timeAgo } from '../../shared/format'
import { jobStatusOf, type HistoryEntry, type JobStatus } from '../../shared/history'
import {
  isOpenEntry,
  nodeConfFactory,
  openHistoryStore,
  type HistoryStore
} from '../../core/history/store'
import { reconcileEntries } from '../../core/history/sync'
import { isPrintagoError } from '../../core/printago/errors'
import type { StoreSession } from '../../core/session'
import { join } from 'node:path'

import { peekUnfinished } from '../../core/send/state'
import {
  callOptions,
  cliStoreDir,
  openCliSession,
  resumeUnfinished,
  unfinishedNotice,
  parseCommandArgs,
  readCredentials,
  usageFailure,
  UsageError,
  wantsHelp,
  type CliContext,
  type CliIo
} from '../io'

export const HISTORY_USAGE = `Usage: history [--json] [--refresh]

Shows the jobs sent to the store in PRINTAGO_STORE_ID, newest first (the desktop app's history).
  --json      print a JSON array of {file, sha256, partId, partBuildId, label, quantity,
              routing: {mode, printerId?, tags?}, status, copies: [{printJobId, status, printerId}],
              sentAt}; the entry's status is one of queued, in-progress, printed, failed,
              cancelled; a copy's status is Printago's own state (pending, printing, …)
  --refresh   first finish unfinished sends of earlier runs (killed, Ctrl-C, a full disk)
              and update open jobs from Printago (needs PRINTAGO_API_KEY); without it,
              unfinished sends are only listed (on stderr)
Environment: PRINTAGO_STORE_ID; for --refresh also PRINTAGO_API_KEY, optional PRINTAGO_BASE_URL;
PRINTAGO_DATA_DIR overrides the data folder.
Exit codes: 0 shown, 1 shown but the refresh failed (last known state), 2 usage error.
`

export { nodeConfFactory }

/** One entry as `history --json` prints it. */
export interface HistoryJson {
  file: string
  sha256: string
  partId: string
  partBuildId: string
  label: string
  quantity: number
  routing: { mode: 'any' | 'printer' | 'tags'; printerId?: string; tags?: string[] }
  status: JobStatus
  /** `status` is Printago's own job state (e.g. `pending`, `printing`), not the five words. */
  copies: Array<{ printJobId: string; status: string; printerId: string | null }>
  sentAt: string
}

/**
 * The `--json` form of an entry: the entry's `status` is one of the five words; each copy's
 * `status` is Printago's own state (one of its 13, e.g. `sending-to-printer`), unmapped.
 */
export function historyJson(e: HistoryEntry): HistoryJson {
  const r = e.routing
  return {
    file: e.file,
    sha256: e.sha256,
    partId: e.partId,
    partBuildId: e.partBuildId,
    label: e.label,
    quantity: e.quantity,
    routing:
      r.mode === 'printer'
        ? { mode: 'printer', printerId: r.printerId }
        : r.mode === 'tags'
          ? { mode: 'tags', tags: [...r.tags] }
          : { mode: 'any' },
    status: e.status,
    copies: e.copies.map((c) => ({
      printJobId: c.printJobId,
      status: c.status,
      printerId: c.printerId
    })),
    sentAt: e.sentAt
  }
}

/** "2 printed, 1 queued" (copies by status), or "no jobs yet". */
function copySummary(e: HistoryEntry): string {
  if (e.copies.length === 0) return 'no jobs yet'
  const counts = new Map<string, number>()
  for (const c of e.copies) {
    const s = c.deletedOnServer ? 'deleted' : jobStatusOf(c.status)
    counts.set(s, (counts.get(s) ?? 0) + 1)
  }
  return [...counts].map(([s, n]) => `${n} ${s}`).join(', ')
}

/** The history as an aligned text table. */
export function historyTable(entries: HistoryEntry[], now = Date.now()): string {
  const header = ['SENT', 'FILE', 'QTY', 'STATUS', 'COPIES', 'LABEL', 'PRINTERS']
  const rows = entries.map((e) => [
    timeAgo(e.sentAt, now),
    e.fileName,
    String(e.quantity),
    e.status,
    copySummary(e),
    e.label,
    [
      ...new Set(e.copies.map((c) => c.printerName ?? c.printerId).filter((x): x is string => !!x))
    ].join(', ')
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const line = (c: string[]): string =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd()
  return [line(header), ...rows.map(line)].join('\n') + '\n'
}

type Env = Record<string, string | undefined>

/**
 * Run `history`; `env` may also be the CLI context (`{ env }`) the other commands get. With
 * `--refresh` it opens the store's session (it talks to Printago); otherwise it only reads the file.
 */
export async function historyCommand(
  args: string[],
  io: CliIo,
  env?: Env | CliContext
): Promise<number> {
  const ctx: CliContext =
    env && typeof env['env'] === 'object' && env['env'] !== null
      ? (env as CliContext)
      : { env: (env as Env | undefined) ?? process.env }
  if (wantsHelp(args)) {
    io.stdout(HISTORY_USAGE)
    return 0
  }
  let json: boolean
  let refresh: boolean
  let storeId: string
  try {
    const { values, positionals } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      refresh: { type: 'boolean' }
    })
    if (positionals[0] !== undefined) throw new UsageError(`unexpected argument ${positionals[0]}`)
    json = values.json === true
    refresh = values.refresh === true
    const id = ctx.env['PRINTAGO_STORE_ID']?.trim()
    if (!id) throw new UsageError('PRINTAGO_STORE_ID is not set')
    storeId = id
    if (refresh && !ctx.env['PRINTAGO_API_KEY']?.trim())
      throw new UsageError('--refresh needs PRINTAGO_API_KEY')
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(io, 'history', error.message)
    throw error
  }

  let session: StoreSession | null = null
  let store: HistoryStore
  if (refresh) {
    try {
      session = await openCliSession(readCredentials(ctx.env), ctx)
    } catch (error) {
      if (error instanceof UsageError) return usageFailure(io, 'history', error.message)
      throw error
    }
    store = session.history
  } else {
    const dir = cliStoreDir(ctx.env, storeId)
    store = openHistoryStore({ dir, storeId, createConf: nodeConfFactory, writeDelayMs: 0 })
  }
  let code = 0
  try {
    if (store.recovered) io.stderr(`warning: ${store.recovered.message}\n`)
    // Sends an earlier run left unfinished: finished now with --refresh, listed otherwise.
    if (session) {
      const results = await resumeUnfinished(session, io)
      if (results.some((r) => r.status !== 'done')) code = 1
    } else {
      const dir = cliStoreDir(ctx.env, storeId)
      io.stderr(unfinishedNotice(await peekUnfinished(join(dir, 'journal'))))
    }
    const open = store.openEntries()
    if (session && open.length > 0) {
      const client = session.client
      try {
        await reconcileEntries({ store, client, entries: open, call: (fn) => fn(callOptions(ctx)) })
      } catch (error) {
        const why = isPrintagoError(error) ? error.message : (error as Error).message
        io.stderr(
          `warning: could not refresh from Printago (${why}); showing the last known state\n`
        )
        code = 1
      }
    }
    const entries = store.list()
    if (json) io.stdout(`${JSON.stringify(entries.map(historyJson), null, 2)}\n`)
    else if (entries.length === 0) io.stdout('No jobs in the history of this store yet.\n')
    else {
      io.stdout(historyTable(entries))
      const stale = entries.filter(isOpenEntry).length
      if (stale > 0 && !refresh)
        io.stderr(`${stale} open job(s) shown as last seen; use --refresh to update them.\n`)
    }
    return code
  } finally {
    if (session) await session.close()
    else store.close()
  }
}
