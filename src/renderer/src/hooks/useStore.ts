// The connected store and the user's settings. Switching to another store calls `onSwitch`
// first: send progress, "sent" marks and the printer list belong to the store they came from.
import { useCallback, useEffect, useRef, useState } from 'react'

import type { SettingsView, StoreStatus } from '../../../shared/ipc'

export interface StoreState {
  /** null until main has answered (the app shows "Starting…"). */
  store: StoreStatus | null
  changeStore: (next: StoreStatus) => void
  settingsView: SettingsView | null
  setSettingsView: (view: SettingsView) => void
}

/** Follows `store:changed` and loads the settings once. */
export function useStore(onSwitch: () => void): StoreState {
  const [store, setStore] = useState<StoreStatus | null>(null)
  const [settingsView, setSettingsView] = useState<SettingsView | null>(null)
  // The latest callback, without making changeStore (a subscription's listener) change.
  const onSwitchRef = useRef(onSwitch)
  onSwitchRef.current = onSwitch
  const storeIdRef = useRef<string | null | undefined>(undefined)

  const changeStore = useCallback((next: StoreStatus) => {
    const id = `${next.kind}|${next.baseUrl ?? ''}|${next.storeId ?? ''}`
    if (storeIdRef.current !== undefined && storeIdRef.current !== id) onSwitchRef.current()
    storeIdRef.current = id
    setStore(next)
  }, [])

  useEffect(() => {
    void window.api.store.status().then((r) => r.ok && changeStore(r.value))
    void window.api.settings.get().then((r) => r.ok && setSettingsView(r.value))
    return window.api.store.onChanged(changeStore)
  }, [changeStore])

  return { store, changeStore, settingsView, setSettingsView }
}
