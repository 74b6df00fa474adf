// The store's printers: loaded when a store is connected, refreshed every 30 s and on
// `printers:changed`. A failed refresh keeps the last list and says why (`error`).
import { useCallback, useEffect, useState } from 'react'

import type { PrinterList, StoreStatus } from '../../../shared/ipc'
import type { AppError } from '../../../shared/result'

const PRINTER_REFRESH_MS = 30_000

export interface PrintersState {
  printers: PrinterList | null
  error: AppError | null
  /** Asks Printago again now (the ↻ button). */
  refresh: () => void
  /** Forgets the list (another store was chosen). */
  reset: () => void
}

/** The printer list of `store` (nothing while no store is connected). */
export function usePrinters(store: StoreStatus | null): PrintersState {
  const [printers, setPrinters] = useState<PrinterList | null>(null)
  const [error, setError] = useState<AppError | null>(null)

  const load = useCallback(async (refresh = false) => {
    const r = await window.api.printers.list({ refresh })
    if (r.ok) {
      setPrinters(r.value)
      setError(r.value.stale ?? null)
    } else setError(r.error)
  }, [])

  useEffect(() => {
    if (!store || store.kind === 'none') return
    void load()
    const timer = setInterval(() => void load(), PRINTER_REFRESH_MS)
    const off = window.api.printers.onChanged((list) => setPrinters(list))
    return () => {
      clearInterval(timer)
      off()
    }
  }, [store, load])

  const refresh = useCallback(() => void load(true), [load])
  const reset = useCallback(() => {
    setPrinters(null)
    setError(null)
  }, [])
  return { printers, error, refresh, reset }
}
