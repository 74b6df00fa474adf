// The store's materials and what each printer has loaded (`printers:materials`): loaded with the
// store, refreshed every 5 minutes (three Printago calls each, so rarely) and with the printer
// list's ↻. A failed refresh keeps the last answer and says why.
import { useCallback, useEffect, useState } from 'react'

import type { MaterialsView, StoreStatus } from '../../../shared/ipc'
import type { AppError } from '../../../shared/result'

const MATERIALS_REFRESH_MS = 300_000

export interface MaterialsState {
  materials: MaterialsView | null
  error: AppError | null
  refresh: () => void
  reset: () => void
}

/** The materials of `store` (nothing while no store is connected). */
export function useMaterials(store: StoreStatus | null): MaterialsState {
  const [materials, setMaterials] = useState<MaterialsView | null>(null)
  const [error, setError] = useState<AppError | null>(null)
  const load = useCallback(async (refresh = false) => {
    const r = await window.api.printers.materials({ refresh })
    if (r.ok) {
      setMaterials(r.value)
      setError(r.value.stale ?? null)
    } else setError(r.error)
  }, [])
  useEffect(() => {
    if (!store || store.kind === 'none') return
    void load()
    const timer = setInterval(() => void load(), MATERIALS_REFRESH_MS)
    return () => clearInterval(timer)
  }, [store, load])
  const refresh = useCallback(() => void load(true), [load])
  const reset = useCallback(() => {
    setMaterials(null)
    setError(null)
  }, [])
  return { materials, error, refresh, reset }
}
