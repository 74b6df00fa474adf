// The app shell, layout only: store banner and tabs; the send view (files | viewer + report |
// send panel) stays mounted while the history is shown. State lives in hooks/.
import { useEffect, useState, type ReactElement } from 'react'

import type { Routing } from '../../shared/send'
import { FilesColumn } from './components/FilesColumn'
import { provideBedClear } from './components/fleet/bed-clear-bus'
import { BedClearDialog } from './components/fleet/BedClearDialog'
import { FleetStrip } from './components/fleet/FleetStrip'
import { HistoryView } from './components/history/HistoryView'
import { JobToasts } from './components/JobToasts'
import { PreviewColumn } from './components/PreviewColumn'
import { SendPanel } from './components/send/SendPanel'
import { SettingsDialog } from './components/SettingsDialog'
import { FirstRun, StoreBanner } from './components/StorePanel'
import { useDroppedFiles } from './hooks/useDroppedFiles'
import { useBedClear } from './hooks/useBedClear'
import { useHistoryFocus } from './hooks/useHistoryFocus'
import { useJobAlerts } from './hooks/useJobAlerts'
import { useMaterials } from './hooks/useMaterials'
import { usePrinters } from './hooks/usePrinters'
import { useSend } from './hooks/useSend'
import { useStore } from './hooks/useStore'
import { useTheme } from './hooks/useTheme'
import { useWatch } from './hooks/useWatch'
import { HotFoldersView } from './components/watch/HotFoldersView'
import { WatchToasts } from './components/watch/WatchToasts'

const NO_TAGS: string[] = []

/** Root component. */
export function App(): ReactElement {
  const [settingsOpen, setSettingsOpen] = useState(false)
  const [routing, setRouting] = useState<Routing | null>(null)
  const { tab, setTab, focusEntryId, openEntry } = useHistoryFocus()
  // Another store must never inherit this one's send state (see useStore).
  const { store, changeStore, settingsView, setSettingsView } = useStore(() => {
    send.reset()
    dropped.clearSent()
    printers.reset()
    materials.reset()
  })
  const defaults = settingsView?.settings
  useTheme(defaults?.theme ?? 'system')
  const unitScale = defaults?.assumedUnit === 'inch' ? 25.4 : 1
  const printers = usePrinters(store)
  const materials = useMaterials(store)
  const alerts = useJobAlerts(tab)
  const watch = useWatch()
  const dropped = useDroppedFiles({
    defaultQuantity: defaults?.defaultQuantity ?? 1,
    onDrop: () => setTab('send')
  })
  const send = useSend({ files: dropped.files, unitScale, onSent: dropped.markSent })
  // One bed-clear confirmation for every list of printers and a notification's "Mark bed clear".
  const bed = useBedClear(printers.printers)
  useEffect(() => provideBedClear(bed.ask), [bed.ask])
  // Effects run children first and in hook order, so by now every push listener of the mounted
  // tree is subscribed: the host may deliver the events it held back.
  useEffect(() => window.api.app.ready(), [])

  // Files dropped before a store is chosen wait in the list; the screen says so.
  const dropOverlay = dropped.dragging && (
    <div className="drop-overlay" aria-hidden="true">
      Drop STL or 3MF files, or folders
    </div>
  )
  if (!store)
    return (
      <div className="loading">
        Starting…
        {dropOverlay}
      </div>
    )
  if (store.kind === 'none')
    return (
      <>
        <FirstRun onStore={changeStore} waiting={dropped.files.map((f) => f.name)} />
        {dropOverlay}
      </>
    )

  const selected = dropped.files.find((f) => f.key === dropped.selectedKey) ?? null
  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">Printago Send</span>
        <nav className="tabs" role="tablist" aria-label="Views">
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'send'}
            onClick={() => setTab('send')}
            data-testid="tab-send"
          >
            Send
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'history'}
            onClick={() => setTab('history')}
            data-testid="tab-history"
          >
            History
            {alerts.unseen > 0 && (
              <span className="tab-badge" data-testid="history-badge">
                {alerts.unseen}
                <span className="sr-only"> new</span>
              </span>
            )}
          </button>
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'watch'}
            onClick={() => setTab('watch')}
            data-testid="tab-watch"
          >
            Hot folders
          </button>
        </nav>
        <StoreBanner
          store={store}
          weakKeys={settingsView?.keyProtection === 'weak'}
          onSettings={() => setSettingsOpen(true)}
        />
      </header>
      <FleetStrip printers={printers.printers} />
      <BedClearDialog bed={bed} />
      {settingsOpen && (
        <SettingsDialog
          store={store}
          view={settingsView}
          onStore={changeStore}
          onSettings={setSettingsView}
          onClose={() => setSettingsOpen(false)}
        />
      )}
      {tab === 'history' && (
        <div className="history-tab" role="tabpanel" aria-label="History">
          <HistoryView focusEntryId={focusEntryId} demo={store.kind === 'demo'} />
        </div>
      )}
      {tab === 'watch' && (
        <div className="watch-tab" role="tabpanel" aria-label="Hot folders">
          <HotFoldersView watch={watch} printers={printers.printers?.printers ?? []} />
        </div>
      )}
      {/* The send view stays mounted (files, viewer) while the history is shown. */}
      <div className="columns" hidden={tab !== 'send'} role="tabpanel" aria-label="Send">
        <FilesColumn dropped={dropped} unitScale={unitScale} />
        <PreviewColumn
          files={dropped.files}
          selected={selected}
          printers={printers.printers}
          unitScale={unitScale}
          routing={routing}
          loaded={materials.materials?.loaded ?? null}
          onUnit={(key, unit) => dropped.setOptions(key, { unit })}
          onPlate={dropped.showPlate}
          active={tab === 'send' && !settingsOpen}
        />
        <aside className="send-col" aria-label="Send panel">
          <SendPanel
            files={dropped.files}
            unitScale={unitScale}
            defaultRoutingMode={defaults?.defaultRoutingMode ?? 'any'}
            defaultTags={defaults?.defaultTags ?? NO_TAGS}
            printers={printers.printers}
            printersError={printers.error}
            materials={materials.materials}
            selectedKey={dropped.selectedKey}
            onRefreshPrinters={() => {
              printers.refresh()
              materials.refresh()
            }}
            onOptionsChange={dropped.setOptions}
            onSend={(r, picks) => void send.start(r, picks)}
            onPreview={send.preview}
            onCancel={send.cancel}
            onOpenSettings={() => setSettingsOpen(true)}
            onRoutingChange={setRouting}
            send={send.send}
          />
        </aside>
      </div>
      <div className="toast-stack">
        <JobToasts toasts={alerts.toasts} onShow={openEntry} onDismiss={alerts.dismiss} />
        <WatchToasts
          toasts={watch.toasts}
          onShow={() => setTab('watch')}
          onDismiss={watch.dismiss}
        />
      </div>
      {dropOverlay}
    </div>
  )
}
