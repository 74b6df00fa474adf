// Which view is shown (send, history or hot folders), and the history entry a clicked notification asks for.
import { useEffect, useState } from 'react'

export type Tab = 'send' | 'history' | 'watch'

export interface HistoryFocus {
  tab: Tab
  setTab: (tab: Tab) => void
  /** The entry to select in the history (from a notification), if any. */
  focusEntryId: string | null
  /** Shows the history on one entry (a toast's "Show"). */
  openEntry: (entryId: string) => void
}

/** The current tab; `history:open` (a clicked notification) opens the history on its entry. */
export function useHistoryFocus(): HistoryFocus {
  const [tab, setTab] = useState<Tab>('send')
  const [focusEntryId, setFocusEntryId] = useState<string | null>(null)
  useEffect(
    () =>
      window.api.history.onOpen(({ entryId }) => {
        setFocusEntryId(entryId)
        setTab('history')
      }),
    []
  )
  const openEntry = (entryId: string): void => {
    setFocusEntryId(entryId)
    setTab('history')
  }
  return { tab, setTab, focusEntryId, openEntry }
}
