// The hot folders as the core reports them (`watch:list`, then every `watch:changed` push), and a
// toast for each file that failed since the panel loaded, seen from any tab.
import { useCallback, useEffect, useRef, useState } from 'react'

import type { Result } from '../../../shared/result'
import type { WatchEvent, WatchView } from '../../../shared/watch'

/** Failure toasts kept at once (the panel lists all of them). */
const MAX_TOASTS = 3

export interface WatchState {
  view: WatchView | null
  toasts: WatchEvent[]
  dismiss: (id: number) => void
  /** Runs a watch call; its view replaces the shown one. Resolves with the error, if any. */
  run: (call: () => Promise<Result<WatchView>>) => Promise<string | null>
}

export function useWatch(): WatchState {
  const [view, setView] = useState<WatchView | null>(null)
  const [toasts, setToasts] = useState<WatchEvent[]>([])
  const lastSeen = useRef<number | null>(null)

  const show = useCallback((next: WatchView) => {
    const newest = next.events[0]?.id ?? 0
    const seen = lastSeen.current
    lastSeen.current = Math.max(seen ?? 0, newest)
    setView(next)
    // Failures that happened before the panel loaded are in the list, not toasted.
    if (seen === null) return
    const fresh = next.events.filter((e) => e.id > seen && e.fate === 'failed')
    if (fresh.length > 0) setToasts((t) => [...fresh, ...t].slice(0, MAX_TOASTS))
  }, [])

  useEffect(() => {
    let live = true
    const off = window.api.watch.onChanged((v) => live && show(v))
    void window.api.watch.list().then((r) => live && r.ok && show(r.value))
    return () => {
      live = false
      off()
    }
  }, [show])

  const run = useCallback(
    async (call: () => Promise<Result<WatchView>>) => {
      const r = await call()
      if (!r.ok) return r.error.message
      show(r.value)
      return null
    },
    [show]
  )
  const dismiss = useCallback((id: number) => setToasts((t) => t.filter((x) => x.id !== id)), [])
  return { view, toasts, dismiss, run }
}
