// "Mark bed clear": which printer the user is asked about, the confirmation, and its outcome. One
// instance for the app (App.tsx provides it through bed-clear-bus.ts): the fleet strip, the printer
// table and a desktop notification's "Mark bed clear" (the `printers:askBedClear` push) all open the
// same confirmation — clearing a bed is a safety step, never one click from a list.
import { useCallback, useEffect, useState } from 'react'

import type { PrinterList, PrinterSummary } from '../../../shared/ipc'

export interface BedClear {
  /** The printer the confirmation asks about, or null when it is closed. */
  asking: Pick<PrinterSummary, 'id' | 'name'> | null
  busy: boolean
  error: string | null
  /** The last printer marked clear (for a short "marked" note), or null. */
  cleared: string | null
  ask: (printer: Pick<PrinterSummary, 'id' | 'name'>) => void
  confirm: () => void
  cancel: () => void
}

/** The bed-clear confirmation over `printers` (names for a notification's printer id). */
export function useBedClear(printers: PrinterList | null): BedClear {
  const [asking, setAsking] = useState<Pick<PrinterSummary, 'id' | 'name'> | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [cleared, setCleared] = useState<string | null>(null)

  const ask = useCallback((printer: Pick<PrinterSummary, 'id' | 'name'>) => {
    setError(null)
    setAsking(printer)
  }, [])

  useEffect(
    () =>
      window.api.printers.onAskBedClear(({ printerId }) => {
        const known = printers?.printers.find((p) => p.id === printerId)
        ask({ id: printerId, name: known?.name ?? 'this printer' })
      }),
    [printers, ask]
  )

  const confirm = useCallback(() => {
    if (!asking) return
    setBusy(true)
    setError(null)
    void window.api.printers
      .confirmReady({ printerId: asking.id })
      .then((r) => {
        if (r.ok) {
          setCleared(r.value.name)
          setAsking(null)
        } else setError(r.error.message)
      })
      .catch((e: unknown) => setError((e as Error).message))
      .finally(() => setBusy(false))
  }, [asking])

  const cancel = useCallback(() => {
    setAsking(null)
    setError(null)
  }, [])

  return { asking, busy, error, cleared, ask, confirm, cancel }
}
