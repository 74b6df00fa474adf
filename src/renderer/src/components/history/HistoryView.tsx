// The job history: what was sent, where it is, and what can be done with it. A filterable list
// (a listbox: arrow keys, Home/End) and a detail pane. Live through `history:changed`.
import { timeAgo } from '../../../../shared/format'
import {
  useCallback,
  useEffect,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactElement
} from 'react'

import { bedWaits } from '../../../../shared/fleet'
import type { HistoryEntry, HistorySnapshot, JobStatus } from '../../../../shared/history'
import type { PrinterSummary } from '../../../../shared/ipc'
import './history.css'
import { HistoryDetail } from './HistoryDetail'
import { HistoryRow } from './HistoryRow'
import {
  allPrinters,
  downloadText,
  filterEntries,
  NO_FILTERS,
  STATUS_LABEL,
  STATUS_ORDER,
  type HistoryFilters
} from '../../lib/history-view'

const TICK_MS = 15_000

const SYNC_LABEL: Record<HistorySnapshot['sync']['mode'], string> = {
  realtime: 'Live',
  polling: 'Polling',
  offline: 'Offline'
}

/** The history screen. `focusEntryId` selects and scrolls to an entry (e.g. from a notification). */
export function HistoryView({
  focusEntryId = null,
  demo = false
}: {
  focusEntryId?: string | null
  /** The demo store: its parts exist only here, so there is nothing to open in Printago. */
  demo?: boolean
}): ReactElement {
  const [snapshot, setSnapshot] = useState<HistorySnapshot | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [filters, setFilters] = useState<HistoryFilters>(NO_FILTERS)
  const [selectedId, setSelectedId] = useState<string | null>(focusEntryId)
  const [now, setNow] = useState(() => Date.now())
  const [printerNames, setPrinterNames] = useState<Map<string, string>>(new Map())
  // The fleet's states: which of my queued jobs wait for a bed to be cleared.
  const [fleet, setFleet] = useState<PrinterSummary[]>([])
  const [exportError, setExportError] = useState<string | null>(null)
  const listRef = useRef<HTMLUListElement>(null)

  useEffect(() => {
    let alive = true
    void window.api.history.list().then((r) => {
      if (!alive) return
      if (r.ok) setSnapshot(r.value)
      else setLoadError(r.error.message)
    })
    const off = window.api.history.onChanged((s) => setSnapshot(s))
    const offOpen = window.api.history.onOpen(({ entryId }) => setSelectedId(entryId))
    const timer = setInterval(() => setNow(Date.now()), TICK_MS)
    // Printer names for routing "to one printer" that has not run a copy yet.
    void window.api.printers.list({}).then((r) => {
      if (!alive || !r.ok) return
      setPrinterNames(new Map(r.value.printers.map((p) => [p.id, p.name])))
      setFleet(r.value.printers)
    })
    const offPrinters = window.api.printers.onChanged((l) => setFleet(l.printers))
    return () => {
      alive = false
      off()
      offOpen()
      offPrinters()
      clearInterval(timer)
    }
  }, [])

  useEffect(() => {
    if (focusEntryId) setSelectedId(focusEntryId)
  }, [focusEntryId])

  const entries = useMemo(() => snapshot?.entries ?? [], [snapshot])
  const visible = useMemo(() => filterEntries(entries, filters), [entries, filters])
  const printers = useMemo(() => allPrinters(entries), [entries])
  const selected = entries.find((e) => e.id === selectedId) ?? null
  const printerName = useCallback((id: string) => printerNames.get(id), [printerNames])
  const waits = useMemo(
    () => new Map(bedWaits(entries, fleet).map((w) => [w.entry.id, w])),
    [entries, fleet]
  )

  // Keep the selected row in view (arrow keys, notification clicks).
  useEffect(() => {
    if (!selectedId) return
    const row = document.getElementById(`history-${selectedId}`)
    row?.scrollIntoView?.({ block: 'nearest' })
  }, [selectedId, visible])

  // A notification asked for an entry hidden by the filters: show everything.
  useEffect(() => {
    if (
      focusEntryId &&
      entries.some((e) => e.id === focusEntryId) &&
      !visible.some((e) => e.id === focusEntryId)
    ) {
      setFilters(NO_FILTERS)
    }
  }, [focusEntryId, entries, visible])

  const onKeyDown = (e: KeyboardEvent<HTMLUListElement>): void => {
    if (visible.length === 0) return
    const i = visible.findIndex((x) => x.id === selectedId)
    let next: number | null = null
    if (e.key === 'ArrowDown') next = i < 0 ? 0 : Math.min(visible.length - 1, i + 1)
    else if (e.key === 'ArrowUp') next = i < 0 ? 0 : Math.max(0, i - 1)
    else if (e.key === 'Home') next = 0
    else if (e.key === 'End') next = visible.length - 1
    else if (e.key === 'PageDown') next = Math.min(visible.length - 1, Math.max(0, i) + 10)
    else if (e.key === 'PageUp') next = Math.max(0, i - 10)
    // Enter / Space select the active row (the first one when none is selected yet).
    else if (e.key === 'Enter' || e.key === ' ') next = i < 0 ? 0 : i
    if (next === null) return
    e.preventDefault()
    setSelectedId(visible[next]!.id)
  }

  const exportCsv = async (): Promise<void> => {
    setExportError(null)
    const r = await window.api.history.exportCsv()
    if (r.ok) downloadText(r.value.filename, r.value.csv)
    else setExportError(r.error.message)
  }

  const onReprinted = (entry: HistoryEntry): void => {
    setSnapshot((s) =>
      s && !s.entries.some((e) => e.id === entry.id) ? { ...s, entries: [entry, ...s.entries] } : s
    )
    setSelectedId(entry.id)
    listRef.current?.focus()
  }

  if (!snapshot) {
    return (
      <section className="history" aria-label="Job history" aria-busy={!loadError}>
        {loadError ? (
          <p className="error-box" role="alert">
            {loadError}
          </p>
        ) : (
          <p className="loading">Loading history…</p>
        )}
      </section>
    )
  }

  const sync = snapshot.sync
  const syncTitle =
    sync.error ??
    (sync.lastSyncAt ? `Last synced ${timeAgo(sync.lastSyncAt, now)}` : 'Not synced yet')

  return (
    <section className="history" aria-label="Job history" data-testid="history-view">
      <header className="history-toolbar">
        <h2>History</h2>
        <span
          className={`history-sync ${sync.mode}${sync.error ? ' has-error' : ''}`}
          title={syncTitle}
          data-testid="history-sync"
          data-mode={sync.mode}
        >
          {SYNC_LABEL[sync.mode]}
          {sync.mode !== 'realtime' && sync.lastSyncAt ? ` · ${timeAgo(sync.lastSyncAt, now)}` : ''}
        </span>
        <label className="history-filter">
          <span className="sr-only">Status</span>
          <select
            value={filters.status}
            onChange={(e) =>
              setFilters((f) => ({ ...f, status: e.target.value as JobStatus | 'all' }))
            }
            data-testid="history-filter-status"
          >
            <option value="all">All statuses</option>
            {STATUS_ORDER.map((s) => (
              <option key={s} value={s}>
                {STATUS_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
        <label className="history-filter">
          <span className="sr-only">Printer</span>
          <select
            value={filters.printer}
            onChange={(e) => setFilters((f) => ({ ...f, printer: e.target.value }))}
            data-testid="history-filter-printer"
          >
            <option value="all">All printers</option>
            {printers.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <label className="history-filter grow">
          <span className="sr-only">Search file name or label</span>
          <input
            type="search"
            placeholder="Search name or label"
            value={filters.text}
            onChange={(e) => setFilters((f) => ({ ...f, text: e.target.value }))}
            data-testid="history-search"
          />
        </label>
        <button
          type="button"
          onClick={() => void exportCsv()}
          disabled={entries.length === 0}
          data-testid="history-export"
        >
          Export CSV
        </button>
      </header>

      {snapshot.recovered && (
        <p className="history-recovered" role="alert" data-testid="history-recovered">
          {snapshot.recovered.message}
        </p>
      )}
      {sync.error && (
        <p className="history-sync-error" role="status" data-testid="history-sync-error">
          {sync.error}
        </p>
      )}
      {!sync.error && sync.note && (
        <p className="history-sync-note" role="status" data-testid="history-sync-note">
          {sync.note}
        </p>
      )}
      {exportError && (
        <p className="error-box" role="alert">
          {exportError}
        </p>
      )}

      <div className="history-body">
        <div className="history-list-wrap">
          {entries.length === 0 ? (
            <p className="empty-note">
              Nothing sent yet. Files you send appear here with their live status.
            </p>
          ) : visible.length === 0 ? (
            <p className="empty-note">
              No job matches these filters.{' '}
              <button type="button" onClick={() => setFilters(NO_FILTERS)}>
                Clear filters
              </button>
            </p>
          ) : (
            <ul
              ref={listRef}
              className="history-list"
              role="listbox"
              aria-label={`Sent jobs, ${visible.length} shown`}
              tabIndex={0}
              aria-activedescendant={
                selected && visible.includes(selected) ? `history-${selected.id}` : undefined
              }
              onKeyDown={onKeyDown}
              onFocus={() => {
                if (!selected || !visible.includes(selected)) setSelectedId(visible[0]?.id ?? null)
              }}
              data-testid="history-list"
            >
              {visible.map((e) => (
                <HistoryRow
                  key={e.id}
                  entry={e}
                  selected={e.id === selectedId}
                  now={now}
                  bedWait={waits.get(e.id) ?? null}
                  onSelect={() => {
                    setSelectedId(e.id)
                    listRef.current?.focus()
                  }}
                />
              ))}
            </ul>
          )}
        </div>
        <div className="history-detail-wrap">
          {selected ? (
            <HistoryDetail
              entry={selected}
              sync={sync}
              now={now}
              printerName={printerName}
              printers={fleet}
              canOpenInPrintago={!demo}
              onReprinted={onReprinted}
              bedWait={waits.get(selected.id) ?? null}
            />
          ) : (
            <p className="empty-note">Select a job to see its copies and actions.</p>
          )}
        </div>
      </div>
    </section>
  )
}
