// `history [--json] [--refresh]`: the local job history of the store in PRINTAGO_STORE_ID, newest
// first — the same file the desktop app keeps (data dir from PRINTAGO_DATA_DIR or the app's
// folder, one subfolder per store). `--refresh` first brings open jobs up to date over REST.

import { jobStatusOf, type HistoryEntry, type JobStatus } from '../../shared/history'
import { timeAgo } from '../../shared/format'
import { resolveDataDir, storeDataDir } from '../../core/infra/data-dir'
import { isOpenEntry, nodeConfFactory, openHistoryStore } from '../../core/history/store'
import { createPrintagoClient } from '../../core/printago/client'
import { isPrintagoError } from '../../core/printago/errors'
import { reconcileEntries } from '../../core/history/sync'

export const HISTORY_USAGE = `Usage: history [--json] [--refresh]

Shows the jobs sent to the store in PRINTAGO_STORE_ID, newest first (the desktop app's history).
  --json      print a JSON array of {file, sha256, partId, partBuildId, label, quantity,
              routing: {mode, printerId?, tags?}, status, copies: [{printJobId, status, printerId}],
              sentAt}; the entry's status is one of queued, in-progress, printed, failed,
              cancelled; a copy's status is Printago's own state (pending, printing, …)
  --refresh   first update open jobs from Printago (needs PRINTAGO_API_KEY)
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

/** Run `history`; `env` may also be the CLI context (`{ env }`) the other commands get. */
export async function historyCommand(
  args: string[],
  io: { stdout(s: string): void; stderr(s: string): void },
  env?: Env | { env: Env; signal?: AbortSignal }
): Promise<number> {
  const ctx =
    env && typeof env['env'] === 'object' && env['env'] !== null
      ? (env as { env: Env; signal?: AbortSignal })
      : { env: (env as Env | undefined) ?? process.env }
  if (args.includes('--help') || args.includes('-h')) {
    io.stdout(HISTORY_USAGE)
    return 0
  }
  let json = false
  let refresh = false
  for (const a of args) {
    if (a === '--json') json = true
    else if (a === '--refresh') refresh = true
    else {
      io.stderr(`history: unexpected argument ${a} (see history --help)\n`)
      return 2
    }
  }
  const storeId = ctx.env['PRINTAGO_STORE_ID']?.trim()
  if (!storeId) {
    io.stderr('history: PRINTAGO_STORE_ID is not set (see history --help)\n')
    return 2
  }
  const apiKey = ctx.env['PRINTAGO_API_KEY']?.trim()
  if (refresh && !apiKey) {
    io.stderr('history: --refresh needs PRINTAGO_API_KEY (see history --help)\n')
    return 2
  }
  const baseUrl = ctx.env['PRINTAGO_BASE_URL']?.trim() || undefined
  if (refresh && baseUrl && !/^https?:\/\//.test(baseUrl)) {
    io.stderr(`history: PRINTAGO_BASE_URL is not an http(s) URL: ${baseUrl}\n`)
    return 2
  }

  const dir = storeDataDir(resolveDataDir({ env: ctx.env }), storeId)
  const store = openHistoryStore({ dir, storeId, createConf: nodeConfFactory, writeDelayMs: 0 })
  let code = 0
  try {
    if (store.recovered) io.stderr(`warning: ${store.recovered.message}\n`)
    if (refresh) {
      const open = store.openEntries()
      if (open.length > 0) {
        const client = createPrintagoClient({
          apiKey: apiKey!,
          storeId,
          ...(baseUrl ? { baseUrl } : {})
        })
        try {
          await reconcileEntries({
            store,
            client,
            entries: open,
            call: (fn) => fn(ctx.signal ? { signal: ctx.signal } : {})
          })
        } catch (error) {
          const why = isPrintagoError(error) ? error.message : (error as Error).message
          io.stderr(
            `warning: could not refresh from Printago (${why}); showing the last known state\n`
          )
          code = 1
        }
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
    store.close()
  }
}
