// What finished while the user looked elsewhere: every copy that printed or failed since the app
// learnt of it raises a toast, and counts on the History tab until the history is shown. Follows
// `history:changed`; the first snapshot is the baseline (nothing old is announced).
import { useCallback, useEffect, useRef, useState } from 'react'

import { isTerminal, type HistoryEntry } from '../../../shared/history'
import type { Tab } from './useHistoryFocus'

export interface JobToast {
  id: string
  entryId: string
  tone: 'printed' | 'failed'
  text: string
}

export interface JobAlerts {
  /** Copies finished or failed since the history was last shown. */
  unseen: number
  toasts: JobToast[]
  dismiss: (id: string) => void
}

const MAX_TOASTS = 3

/** Final states of every copy, by print job id. */
function finals(entries: HistoryEntry[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const e of entries)
    for (const c of e.copies) if (isTerminal(c.status)) out.set(c.printJobId, c.status)
  return out
}

/** Toasts and the History badge, while `tab` is shown. */
export function useJobAlerts(tab: Tab): JobAlerts {
  const [unseen, setUnseen] = useState(0)
  const [toasts, setToasts] = useState<JobToast[]>([])
  const known = useRef<Map<string, string> | null>(null)
  const tabRef = useRef(tab)
  tabRef.current = tab

  useEffect(() => {
    const take = (entries: HistoryEntry[]): void => {
      const now = finals(entries)
      const before = known.current
      known.current = now
      if (!before) return
      const fresh: JobToast[] = []
      for (const e of entries)
        for (const [i, c] of e.copies.entries()) {
          const status = now.get(c.printJobId)
          if (!status || before.get(c.printJobId) === status) continue
          if (status !== 'completed' && status !== 'failed') continue
          const where = c.printerName ? ` on ${c.printerName}` : ''
          const copy = e.copies.length > 1 ? ` (copy ${i + 1})` : ''
          fresh.push({
            id: `${c.printJobId}:${status}`,
            entryId: e.id,
            tone: status === 'completed' ? 'printed' : 'failed',
            text:
              status === 'completed'
                ? `${e.label}${copy} printed${where}.`
                : `${e.label}${copy} failed${where}${c.errorMessage ? `: ${c.errorMessage}` : '.'}`
          })
        }
      if (fresh.length === 0) return
      if (tabRef.current !== 'history') setUnseen((n) => n + fresh.length)
      setToasts((t) => [...fresh, ...t].slice(0, MAX_TOASTS))
    }
    void window.api.history.list().then((r) => r.ok && take(r.value.entries))
    return window.api.history.onChanged((s) => take(s.entries))
  }, [])

  useEffect(() => {
    if (tab === 'history') setUnseen(0)
  }, [tab])

  const dismiss = useCallback((id: string) => setToasts((t) => t.filter((x) => x.id !== id)), [])
  return { unseen, toasts, dismiss }
}
