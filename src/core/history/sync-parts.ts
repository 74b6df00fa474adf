// What Printago computes about a part after it is created, brought into the history: its slicing
// estimate (time, grams, filament) and its own thumbnail. Part entity events over MQTT usually
// bring both; otherwise a few batched `GET /v1/parts?id.in=…` reads inside the sync's budget
// (5 s, 30 s, 2 min and 10 min after the send), one `POST /v1/parts/{id}/estimate` when Printago
// still has no estimate at the second read, and thumbnails through one signed-URL request per
// batch, downloaded by main (the renderer may show only data URLs). Given up after the last read
// until the next start.
import { MAX_THUMBNAIL_CHARS, type HistoryEntry, type PrintEstimate } from '../../shared/history'
import type { Clock } from '../infra/clock'
import { createLogger } from '../infra/log'
import type { PrintagoClient } from '../printago/client'
import type { HistoryStore } from './store'
import type { BudgetedCall } from './sync-budget'

const log = createLogger('status-sync')

/** When, after a send, its part is read again if nothing arrived over realtime. */
export const PART_CHECKS_MS = [5_000, 30_000, 2 * 60_000, 10 * 60_000]
/** Entries older than this are not looked at (nothing more will come). */
export const PART_RECENT_MS = 24 * 60 * 60_000
const BATCH = 40
/** Largest thumbnail downloaded: its data URL must fit in the history. */
export const MAX_THUMBNAIL_BYTES = Math.floor(((MAX_THUMBNAIL_CHARS - 40) / 4) * 3)

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** Printago's `slicingEstimate` in the history's shape; null when it is not one. */
export function estimateOf(raw: unknown): PrintEstimate | null {
  if (!raw || typeof raw !== 'object') return null
  const r = raw as Record<string, unknown>
  const seconds = num(r['estimatedPrintTimeSeconds'])
  const grams = num(r['totalWeightGrams'])
  if (seconds === null || grams === null || seconds < 0 || grams < 0) return null
  const materials = (Array.isArray(r['materials']) ? r['materials'] : [])
    .slice(0, 32)
    .flatMap((m: unknown) => {
      if (!m || typeof m !== 'object') return []
      const x = m as Record<string, unknown>
      const type = typeof x['materialType'] === 'string' ? x['materialType'].slice(0, 40) : ''
      const g = num(x['usedGrams']) ?? 0
      const color = typeof x['color'] === 'string' ? x['color'].slice(0, 20) : undefined
      return [{ type, grams: g, ...(color ? { color } : {}) }]
    })
  const out: PrintEstimate = { seconds, grams, materials }
  if (typeof r['slicerVersion'] === 'string') out.slicerVersion = r['slicerVersion'].slice(0, 200)
  return out
}

/** A data URL for PNG or JPEG bytes; null for anything else. */
export function imageDataUrl(bytes: Uint8Array): string | null {
  const png = bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47
  const jpeg = bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff
  if (!png && !jpeg) return null
  return `data:image/${png ? 'png' : 'jpeg'};base64,${Buffer.from(bytes).toString('base64')}`
}

interface PartState {
  estimate?: PrintEstimate
  thumbnailUri?: string | null
  /** Checks made so far (REST reads), and when the last one was made. */
  checks: number
  lastCheckAt?: number
  asked: boolean
  thumbFailures: number
}

export interface PartFacts {
  /** Facts from a part entity event (whole row or changed fields). */
  learn(partId: string, fields: Record<string, unknown>): void
  /** ms until some work is worth doing; null when none. */
  dueIn(): number | null
  /** Does the due work through `call` (reads, estimate requests, thumbnails). Never throws. */
  work(call: BudgetedCall): Promise<void>
}

export function createPartFacts(opts: {
  store: HistoryStore
  client: Pick<
    PrintagoClient,
    'listParts' | 'requestPartEstimate' | 'signedDownloadUrls' | 'download'
  >
  clock: Clock
}): PartFacts {
  const { store, clock } = opts
  const parts = new Map<string, PartState>()
  const stateOf = (id: string): PartState => {
    let s = parts.get(id)
    if (!s) {
      s = { checks: 0, asked: false, thumbFailures: 0 }
      parts.set(id, s)
      // Bounded: parts of old entries are forgotten first.
      if (parts.size > 2000) parts.delete(parts.keys().next().value!)
    }
    return s
  }

  const recent = (): HistoryEntry[] => {
    const since = new Date(clock.now() - PART_RECENT_MS).toISOString()
    return store.list().filter((e) => e.sentAt >= since && e.partId)
  }
  const needsEstimate = (e: HistoryEntry): boolean => !e.estimate
  const needsThumb = (e: HistoryEntry): boolean => !e.remoteThumbnail

  /** Writes what is known of the part into its entries. */
  function fill(partId: string): void {
    const s = parts.get(partId)
    if (!s?.estimate) return
    for (const e of store.list()) {
      if (e.partId !== partId || e.estimate) continue
      store.update(e.id, (x) => ({ ...x, estimate: s.estimate }))
    }
  }

  /** When the entry's part is next worth reading, or null. */
  function readDue(e: HistoryEntry): number | null {
    const s = parts.get(e.partId)
    if (s?.estimate || (s && s.checks >= PART_CHECKS_MS.length)) return null
    const n = s?.checks ?? 0
    // Spaced like the schedule even for an old entry seen first now (no burst of reads).
    const gap = n === 0 ? 0 : PART_CHECKS_MS[n]! - PART_CHECKS_MS[n - 1]!
    const at = Math.max(Date.parse(e.sentAt) + PART_CHECKS_MS[n]!, (s?.lastCheckAt ?? 0) + gap)
    return Math.max(0, at - clock.now())
  }

  function thumbDue(e: HistoryEntry): boolean {
    const s = parts.get(e.partId)
    return !!s?.thumbnailUri && s.thumbFailures < 2 && needsThumb(e)
  }

  async function read(call: BudgetedCall, ids: string[]): Promise<void> {
    for (const id of ids) {
      const s = stateOf(id)
      s.checks++
      s.lastCheckAt = clock.now()
    }
    const found = await call((o) =>
      opts.client.listParts(
        { 'id.in': ids.join(','), fields: 'id,slicingEstimate,thumbnailUri', limit: BATCH },
        o
      )
    )
    for (const p of found) {
      const s = stateOf(p.id)
      const estimate = estimateOf(p.slicingEstimate)
      if (estimate) s.estimate = estimate
      if (typeof p.thumbnailUri === 'string') s.thumbnailUri = p.thumbnailUri
      fill(p.id)
    }
    // The second read still without an estimate: ask Printago to make one (once per part).
    for (const id of ids) {
      const s = stateOf(id)
      if (s.estimate || s.asked || s.checks < 2) continue
      s.asked = true
      await call((o) => opts.client.requestPartEstimate(id, o))
    }
  }

  async function thumbnails(call: BudgetedCall, todo: HistoryEntry[]): Promise<void> {
    const byPart = new Map<string, string>()
    for (const e of todo) byPart.set(e.partId, parts.get(e.partId)!.thumbnailUri!)
    const ids = [...byPart.keys()].slice(0, 20)
    const urls = await call((o) =>
      opts.client.signedDownloadUrls(
        ids.map((id) => byPart.get(id)!),
        300,
        o
      )
    )
    for (const [i, id] of ids.entries()) {
      const s = stateOf(id)
      try {
        const got = await opts.client.download(urls[i]!, { maxBytes: MAX_THUMBNAIL_BYTES })
        const url = got.truncated ? null : imageDataUrl(got.bytes)
        if (!url) {
          s.thumbFailures = 2 // too big or not an image: not worth asking again
          continue
        }
        for (const e of store.list()) {
          if (e.partId === id && !e.remoteThumbnail)
            store.update(e.id, (x) => ({ ...x, remoteThumbnail: url }))
        }
      } catch (err) {
        s.thumbFailures++
        log.warn('could not download a part thumbnail', err)
      }
    }
  }

  return {
    learn(partId, fields) {
      const s = stateOf(partId)
      if ('slicingEstimate' in fields) {
        const estimate = estimateOf(fields['slicingEstimate'])
        if (estimate) s.estimate = estimate
      }
      if ('thumbnailUri' in fields) {
        const t = fields['thumbnailUri']
        s.thumbnailUri = typeof t === 'string' ? t : null
      }
      fill(partId)
    },
    dueIn() {
      let best: number | null = null
      for (const e of recent()) {
        if (needsEstimate(e)) {
          const d = readDue(e)
          if (d !== null) best = best === null ? d : Math.min(best, d)
        }
        if (thumbDue(e)) best = 0
      }
      return best
    },
    async work(call) {
      try {
        const entries = recent()
        const due = [
          ...new Set(
            entries.filter((e) => needsEstimate(e) && readDue(e) === 0).map((e) => e.partId)
          )
        ]
        for (let i = 0; i < due.length; i += BATCH) await read(call, due.slice(i, i + BATCH))
        const thumbs = recent().filter(thumbDue)
        if (thumbs.length > 0) await thumbnails(call, thumbs)
      } catch (e) {
        log.warn('could not read part estimates', e)
      }
    }
  }
}
