// The app shell, layout only: store banner and tabs; the send view (files | viewer + report |
// send panel) stays mounted while the history is shown. State lives in hooks/.
import { useEffect, useState, type ReactElement } from 'react'

import { FilesColumn } from './components/FilesColumn'
import { provideBedClear } from './components/fleet/bed-clear-bus'
import { BedClearDialog } from './components/fleet/BedClearDialog'
import { FleetStrip } from './components/fleet/FleetStrip'
import { HistoryView } from './components/history/HistoryView'
import { PreviewColumn } from './components/PreviewColumn'
import { SendPanel } from './components/send/SendPanel'
import { SettingsDialog } from './components/SettingsDialog'
import { FirstRun, StoreBanner } from './components/StorePanel'
import { useDroppedFiles } from './hooks/useDroppedFiles'
import { useBedClear } from './hooks/useBedClear'
import { useHistoryFocus } from './hooks/useHistoryFocus'
import { usePrinters } from './hooks/usePrinters'
import { useSend } from './hooks/useSend'
import { useStore } from './hooks/useStore'
import { useTheme } from './hooks/useTheme'

const NO_TAGS: string[] = []

/** Root component. */
export function App(): ReactElement {
  const [settingsOpen, setSettingsOpen] = useState(false)
  const { tab, setTab, focusEntryId } = useHistoryFocus()
  // Another store must never inherit this one's send state (see useStore).
  const { store, changeStore, settingsView, setSettingsView } = useStore(() => {
    send.reset()
    dropped.clearSent()
    printers.reset()
  })
  const defaults = settingsView?.settings
  useTheme(defaults?.theme ?? 'system')
  const unitScale = defaults?.assumedUnit === 'inch' ? 25.4 : 1
  const printers = usePrinters(store)
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

  if (!store) return <div className="loading">Starting…</div>
  if (store.kind === 'none') return <FirstRun onStore={changeStore} />

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
          </button>
        </nav>
        <StoreBanner store={store} onSettings={() => setSettingsOpen(true)} />
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
          <HistoryView focusEntryId={focusEntryId} />
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
        />
        <aside className="send-col">
          <SendPanel
            files={dropped.files}
            unitScale={unitScale}
            defaultRoutingMode={defaults?.defaultRoutingMode ?? 'any'}
            defaultTags={defaults?.defaultTags ?? NO_TAGS}
            printers={printers.printers}
            printersError={printers.error}
            onRefreshPrinters={printers.refresh}
            onOptionsChange={dropped.setOptions}
            onSend={(r) => void send.start(r)}
            onCancel={send.cancel}
            onOpenSettings={() => setSettingsOpen(true)}
            send={send.send}
          />
        </aside>
      </div>
      {dropped.dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop STL files or folders
        </div>
      )}
    </div>
  )
}
