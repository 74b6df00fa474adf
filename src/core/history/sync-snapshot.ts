// What the UI is shown: the history with live progress laid over it and how it is kept up to date
// (realtime, polling or offline, since when, and why not), emitted to `onChange` listeners at
// most once per throttle interval (on the injected clock).
import type { HistorySnapshot } from '../../shared/history'
import type { Clock, TimerHandle } from '../infra/clock'
import { createLogger } from '../infra/log'
import type { RealtimeClient } from '../printago/realtime'
import type { HistoryStore } from './store'
import type { PrinterStats } from './sync-printer-stats'

const log = createLogger('status-sync')

export interface SyncStatusInput {
  /** Realtime is connected. */
  live: boolean
  realtime: Pick<RealtimeClient, 'state' | 'lastError'> | null
  lastSyncAt: number | null
  /** Why the last REST pass failed, if it did. */
  restError: string | undefined
  /** Realtime is connected but not trusted with the jobs: why (the sync polls meanwhile). */
  doubt?: string
}

export function syncStatus(s: SyncStatusInput): HistorySnapshot['sync'] {
  const sync: HistorySnapshot['sync'] = {
    mode: s.live ? 'realtime' : s.restError ? 'offline' : 'polling',
    lastSyncAt: s.lastSyncAt
  }
  if (s.doubt)
    sync.note = `Live updates are connected, but job events do not seem to arrive (${s.doubt}); checking over REST meanwhile.`
  const error =
    s.restError ??
    (s.realtime && s.realtime.state === 'refused'
      ? `Live updates are unavailable: ${s.realtime.lastError ?? 'refused'}`
      : undefined)
  if (error) sync.error = error
  return sync
}

export function takeSnapshot(
  store: Pick<HistoryStore, 'list' | 'recovered'>,
  stats: Pick<PrinterStats, 'overlay'>,
  sync: HistorySnapshot['sync']
): HistorySnapshot {
  const snap: HistorySnapshot = { entries: stats.overlay(store.list()), sync }
  if (store.recovered) snap.recovered = store.recovered
  return snap
}

export type SnapshotListener = (snapshot: HistorySnapshot) => void

export interface ChangeEmitter {
  /** Something visible changed: emit soon (throttled). */
  changed(): void
  onChange(listener: SnapshotListener): () => void
  /** Stops emitting (a pending emit is dropped). */
  stop(): void
  clear(): void
}

export function createChangeEmitter(opts: {
  clock: Clock
  throttleMs: number
  snapshot: () => HistorySnapshot
}): ChangeEmitter {
  const { clock } = opts
  const listeners = new Set<SnapshotListener>()
  let timer: TimerHandle | undefined
  let lastEmit = -Infinity
  let stopped = false

  const emitNow = (): void => {
    timer = undefined
    lastEmit = clock.now()
    if (listeners.size === 0) return
    const snap = opts.snapshot()
    for (const l of listeners) {
      try {
        l(snap)
      } catch (e) {
        log.error('history change listener failed', e)
      }
    }
  }

  return {
    changed() {
      if (stopped || timer !== undefined) return
      timer = clock.setTimeout(emitNow, Math.max(0, lastEmit + opts.throttleMs - clock.now()))
    },
    onChange(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    stop() {
      stopped = true
      if (timer !== undefined) clock.clearTimeout(timer)
    },
    clear: () => listeners.clear()
  }
}
