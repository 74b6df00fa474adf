// The fleet as the CLI reads it: printers over REST, the job each busy one runs (one batched job
// read), and — where realtime is reachable — a short listen to printer stats for progress, layer,
// time left and health (the REST API has no progress; stats are not retained, so they are caught
// as they come, for at most a couple of seconds, only when something prints).
import { createRealtimeClient, DEFAULT_REALTIME_URL } from '../core/printago/realtime'
import { DEFAULT_BASE_URL, type PrintagoClient } from '../core/printago/client'
import { mergeStats } from '../core/printers/cache'
import { toPrinterSummary, type LivePrinter } from '../core/printers/summary'
import type { HistoryStore } from '../core/history/store'
import type { PrinterSummary } from '../shared/ipc'
import type { CallOptions } from '../core/printago/client'

/** How long `printers` listens for printer stats at most (PRINTAGO_STATS_WAIT_MS overrides). */
export const STATS_WAIT_MS = 2500

export interface FleetOptions {
  client: Pick<PrintagoClient, 'listPrinters' | 'listPrintJobs'>
  storeId: string
  apiKey: string
  env: Record<string, string | undefined>
  /** Labels of my jobs. */
  history?: Pick<HistoryStore, 'byPrintJobId'>
  call?: CallOptions
}

/**
 * The realtime URL: PRINTAGO_REALTIME_URL (`off` for none); by default Printago's broker, but only
 * for Printago's API — a sandbox or another base URL says where its broker is, or has none.
 */
export function realtimeUrlOf(env: Record<string, string | undefined>): string | null {
  const v = env['PRINTAGO_REALTIME_URL']?.trim()
  if (v === 'off' || v === 'none') return null
  if (v) return v
  const base = env['PRINTAGO_BASE_URL']?.trim().replace(/\/+$/, '')
  return !base || base === DEFAULT_BASE_URL ? DEFAULT_REALTIME_URL : null
}

/** Listens to printer stats until each of `printerIds` has reported progress, or `waitMs`. */
async function listenStats(
  opts: FleetOptions,
  printerIds: string[],
  waitMs: number
): Promise<Map<string, LivePrinter>> {
  const live = new Map<string, LivePrinter>()
  const url = realtimeUrlOf(opts.env)
  if (!url || printerIds.length === 0) return live
  const rt = createRealtimeClient({
    url,
    storeId: opts.storeId,
    apiKey: opts.apiKey,
    connectTimeoutMs: waitMs
  })
  const heard = new Set<string>()
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, waitMs)
    rt.onMessage((m) => {
      if (m.kind !== 'printer-stats') return
      live.set(m.printerId, mergeStats(live.get(m.printerId), m))
      if (m.hasPrint) heard.add(m.printerId)
      if (printerIds.every((id) => heard.has(id))) {
        clearTimeout(timer)
        resolve()
      }
    })
    rt.onState((s) => {
      // A refused key or broker: no stats today, no reason to wait.
      if (s === 'refused') {
        clearTimeout(timer)
        resolve()
      }
    })
    rt.start()
  })
  await rt.close()
  return live
}

/** The printers with their state, the job on each busy one and, when heard, its progress. */
export async function readFleet(opts: FleetOptions): Promise<PrinterSummary[]> {
  const printers = await opts.client.listPrinters({ limit: 1000 }, opts.call)
  const busy = printers.filter((p) => p.printingJobId)
  const jobs = new Map<string, { label: string; status: string }>()
  if (busy.length > 0) {
    const read = await opts.client.listPrintJobs(
      {
        'id.in': busy.map((p) => p.printingJobId).join(','),
        fields: 'id,label,status',
        limit: 1000
      },
      opts.call
    )
    for (const j of read) jobs.set(j.id, { label: j.label, status: j.status })
  }
  const raw = opts.env['PRINTAGO_STATS_WAIT_MS']?.trim()
  const waitMs = raw && /^\d+$/.test(raw) ? Number(raw) : STATS_WAIT_MS
  // Only Printago's own jobs are waited for (a print started elsewhere may never report).
  const printing = busy.filter((p) => p.isOnline).map((p) => p.id)
  const live = await listenStats(opts, printing, waitMs)
  return printers.map((p) => {
    const job = p.printingJobId ? jobs.get(p.printingJobId) : undefined
    let l = live.get(p.id)
    // Paused per the job itself when no stats said so.
    if (job?.status === 'paused' && !l?.state) l = { ...(l ?? emptyLive()), state: 'PAUSE' }
    return toPrinterSummary(p, l, (id) => {
      const mine = opts.history?.byPrintJobId(id)
      if (mine) return { label: mine.label, mine: true }
      const j = jobs.get(id)
      return j ? { label: j.label, mine: false } : undefined
    })
  })
}

function emptyLive(): LivePrinter {
  return {
    state: null,
    percent: null,
    layer: null,
    totalLayers: null,
    minutesLeft: null,
    taskName: null,
    health: []
  }
}

/** Finds a printer by id, or by name (any case); throws a sentence when none or several match. */
export function findPrinter<P extends Pick<PrinterSummary, 'id' | 'name'>>(
  printers: P[],
  which: string
): P {
  const byId = printers.find((p) => p.id === which)
  if (byId) return byId
  const named = printers.filter((p) => p.name.toLowerCase() === which.toLowerCase())
  if (named.length === 1) return named[0]!
  if (named.length > 1)
    throw new Error(
      `${named.length} printers are named "${which}": use the id (${named.map((p) => p.id).join(', ')})`
    )
  throw new Error(`no printer "${which}" in this store (the printers command lists them)`)
}
