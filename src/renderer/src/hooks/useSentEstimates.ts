// Printago's slicing estimates of what was sent, by part build, for the file list's rows. One
// subscription to the history snapshots main pushes anyway, shared by every row that asks and
// dropped when none does.
import { useSyncExternalStore } from 'react'

import type { HistorySnapshot, PrintEstimate } from '../../../shared/history'

let estimates = new Map<string, PrintEstimate>()
const listeners = new Set<() => void>()
let stop: (() => void) | null = null

function take(s: HistorySnapshot): void {
  const next = new Map<string, PrintEstimate>()
  for (const e of s.entries) if (e.estimate) next.set(e.partBuildId, e.estimate)
  const same =
    next.size === estimates.size &&
    [...next].every(([k, v]) => estimates.get(k)?.seconds === v.seconds)
  if (same) return
  estimates = next
  for (const l of listeners) l()
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener)
  if (!stop) {
    let alive = true
    void window.api.history.list().then((r) => alive && r.ok && take(r.value))
    const off = window.api.history.onChanged(take)
    stop = () => {
      alive = false
      off()
    }
  }
  return () => {
    listeners.delete(listener)
    if (listeners.size === 0) {
      stop?.()
      stop = null
    }
  }
}

/** The estimate of the part build a file was sent as, once Printago made one. */
export function useSentEstimate(partBuildId: string | undefined): PrintEstimate | undefined {
  const map = useSyncExternalStore(subscribe, () => estimates)
  return partBuildId ? map.get(partBuildId) : undefined
}
