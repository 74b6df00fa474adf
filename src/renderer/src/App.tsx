// The app shell: store banner, drop anywhere, file list | viewer + report | send panel.
import { defaultLabel } from '../../shared/send'
import { useCallback, useEffect, useMemo, useRef, useState, type ReactElement } from 'react'

import { MAX_THUMBNAIL_CHARS } from '../../shared/history'
import type { PrinterList, SettingsView, StoreStatus } from '../../shared/ipc'
import type { AppError } from '../../shared/result'
import type { Routing } from '../../shared/send'
import { FileList } from './components/FileList'
import { HistoryView } from './components/HistoryView'
import { ReportPanel } from './components/ReportPanel'
import { SendPanel, type SendState } from './components/SendPanel'
import { SettingsDialog } from './components/SettingsDialog'
import { FirstRun, StoreBanner } from './components/StorePanel'
import { Viewer } from './components/Viewer'
import {
  collectDropped,
  sizeMm,
  type FileOptions,
  type LoadedFile,
  type SkippedEntry
} from './lib/files'
import { parseInWorker } from './lib/parse-client'
import { printerFit } from './lib/routing'

const PRINTER_REFRESH_MS = 30_000

let keySeq = 0
const newKey = (): string => `f${Date.now().toString(36)}${(keySeq++).toString(36)}`

const NO_TAGS: string[] = []

const idleSend: SendState = {
  jobId: null,
  running: false,
  progress: {},
  keys: [],
  error: null,
  doneAt: null
}

/** Root component. */
export function App(): ReactElement {
  const [store, setStore] = useState<StoreStatus | null>(null)
  const [files, setFiles] = useState<LoadedFile[]>([])
  const [selectedKey, setSelectedKey] = useState<string | null>(null)
  const [notices, setNotices] = useState<string[]>([])
  const [skipped, setSkipped] = useState<SkippedEntry[]>([])
  const [dragging, setDragging] = useState(false)
  const [printers, setPrinters] = useState<PrinterList | null>(null)
  const [printersError, setPrintersError] = useState<AppError | null>(null)
  const [send, setSend] = useState<SendState>(idleSend)
  const [settingsOpen, setSettingsOpen] = useState(false)
  const [settingsView, setSettingsView] = useState<SettingsView | null>(null)
  const [tab, setTab] = useState<'send' | 'history'>('send')
  const [focusEntryId, setFocusEntryId] = useState<string | null>(null)
  // A clicked notification opens its history entry.
  useEffect(
    () =>
      window.api.history.onOpen(({ entryId }) => {
        setFocusEntryId(entryId)
        setTab('history')
      }),
    []
  )
  const inputRef = useRef<HTMLInputElement>(null)
  const filesRef = useRef(files)
  filesRef.current = files
  const defaultsRef = useRef<SettingsView['settings'] | undefined>(undefined)

  // Another store must never inherit this one's send state: progress, "sent" marks and the
  // printer list all belong to the store they came from.
  const storeIdRef = useRef<string | null | undefined>(undefined)
  const changeStore = useCallback((next: StoreStatus) => {
    const id = `${next.kind}|${next.baseUrl ?? ''}|${next.storeId ?? ''}`
    if (storeIdRef.current !== undefined && storeIdRef.current !== id) {
      setSend(idleSend)
      setFiles((fs) => fs.map((f) => (f.sent ? { ...f, sent: undefined } : f)))
      setPrinters(null)
      setPrintersError(null)
    }
    storeIdRef.current = id
    setStore(next)
  }, [])

  useEffect(() => {
    void window.api.store.status().then((r) => r.ok && changeStore(r.value))
    void window.api.settings.get().then((r) => r.ok && setSettingsView(r.value))
    return window.api.store.onChanged(changeStore)
  }, [changeStore])

  // Theme: 'system' follows the OS; the stylesheet has dark and light variable sets.
  const theme = settingsView?.settings.theme ?? 'system'
  useEffect(() => {
    const media = window.matchMedia('(prefers-color-scheme: light)')
    const apply = (): void => {
      document.documentElement.dataset.theme =
        theme === 'system' ? (media.matches ? 'light' : 'dark') : theme
    }
    apply()
    media.addEventListener('change', apply)
    return () => media.removeEventListener('change', apply)
  }, [theme])
  const defaults = settingsView?.settings
  defaultsRef.current = defaults
  const unitScale = defaults?.assumedUnit === 'inch' ? 25.4 : 1

  const loadPrinters = useCallback(async (refresh = false) => {
    const r = await window.api.printers.list({ refresh })
    if (r.ok) {
      setPrinters(r.value)
      setPrintersError(r.value.stale ?? null)
    } else setPrintersError(r.error)
  }, [])

  useEffect(() => {
    if (!store || store.kind === 'none') return
    void loadPrinters()
    const timer = setInterval(() => void loadPrinters(), PRINTER_REFRESH_MS)
    const off = window.api.printers.onChanged((list) => setPrinters(list))
    return () => {
      clearInterval(timer)
      off()
    }
  }, [store, loadPrinters])

  useEffect(() => {
    const offProgress = window.api.send.onProgress((p) =>
      setSend((s) =>
        s.jobId === p.jobId ? { ...s, progress: { ...s.progress, [p.index]: p } } : s
      )
    )
    const offFinished = window.api.send.onFinished((done) => {
      setSend((s) => {
        if (s.jobId !== done.jobId) return s
        const at = Date.now()
        setFiles((fs) =>
          fs.map((f) => {
            const idx = s.keys.indexOf(f.key)
            const sent = idx >= 0 ? done.files.find((x) => x.file === f.path) : undefined
            return sent
              ? { ...f, sent: { partBuildId: sent.partBuildId, at, reusedPart: sent.reusedPart } }
              : f
          })
        )
        // Cancel only stops what has not reached Printago; say so when it came too late.
        const notice =
          s.cancelRequested && done.files.length > 0
            ? `Too late to cancel ${done.files.length === 1 ? 'one file' : `${done.files.length} files`}: already queued on Printago. Cancel the print jobs from History.`
            : null
        return { ...s, running: false, error: done.error ?? null, doneAt: at, notice }
      })
    })
    return () => {
      offProgress()
      offFinished()
    }
  }, [])

  const updateFile = (key: string, patch: Partial<LoadedFile>): void =>
    setFiles((fs) => fs.map((f) => (f.key === key ? { ...f, ...patch } : f)))

  const addFiles = useCallback(async (incoming: File[], skippedNow: SkippedEntry[] = []) => {
    if (skippedNow.length) setSkipped((s) => [...skippedNow, ...s].slice(0, 50))
    for (const file of incoming) {
      const key = newKey()
      const entry: LoadedFile = {
        key,
        name: file.name,
        size: file.size,
        path: null,
        sha256: null,
        status: 'parsing',
        options: {
          label: defaultLabel(file.name),
          quantity: defaultsRef.current?.defaultQuantity ?? 1,
          priority: 'normal',
          position: 'back'
        }
      }
      setFiles((fs) => [...fs, entry])
      setSelectedKey((k) => k ?? key)
      void (async () => {
        // Main needs the file on disk (to hash and upload); the preview parses the bytes here.
        const located = window.api.files.pathFor(file).then(async (path) => {
          if (!path)
            return {
              error:
                'This file has no location on disk (was it dragged from another app?). Save it to a folder first.'
            }
          const dupPath = filesRef.current.find((f) => f.key !== key && f.path === path)
          if (dupPath) return { duplicate: dupPath.name }
          updateFile(key, { path })
          const h = await window.api.files.hash({ path })
          if (!h.ok) return { error: h.error.message }
          const dupHash = filesRef.current.find((f) => f.key !== key && f.sha256 === h.value.sha256)
          if (dupHash) return { duplicate: dupHash.name }
          updateFile(key, { sha256: h.value.sha256 })
          return {}
        })
        const parsed = parseInWorker(file)
        const [loc, res] = await Promise.all([
          located.catch((e: Error) => ({ error: e.message })),
          parsed.catch((e: Error) => e)
        ])
        if ('duplicate' in loc && loc.duplicate) {
          setFiles((fs) => fs.filter((f) => f.key !== key))
          setSelectedKey((k) =>
            k === key ? (filesRef.current.find((f) => f.key !== key)?.key ?? null) : k
          )
          setNotices((n) =>
            [
              `${file.name} is already in the list (same file as ${loc.duplicate}); not added twice.`,
              ...n
            ].slice(0, 5)
          )
          return
        }
        if (res instanceof Error) {
          updateFile(key, {
            status: 'error',
            error: { code: 'unreadable', message: `Could not read this file: ${res.message}` }
          })
          return
        }
        if (!res.ok) {
          updateFile(key, { status: 'error', error: res.error })
          return
        }
        if ('error' in loc && loc.error) {
          updateFile(key, { status: 'error', error: { code: 'unreadable', message: loc.error } })
          return
        }
        updateFile(key, {
          status: 'ready',
          positions: res.positions,
          report: res.report,
          parseMs: res.parseMs,
          thumbnail: res.thumbnail ?? undefined
        })
      })()
    }
  }, [])

  // Drop anywhere: the window must never navigate to a dropped file.
  useEffect(() => {
    let depth = 0
    const over = (e: DragEvent): void => {
      e.preventDefault()
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy'
    }
    const enter = (e: DragEvent): void => {
      e.preventDefault()
      depth++
      setDragging(true)
    }
    const leave = (): void => {
      depth = Math.max(0, depth - 1)
      if (depth === 0) setDragging(false)
    }
    const drop = (e: DragEvent): void => {
      e.preventDefault()
      depth = 0
      setDragging(false)
      if (!e.dataTransfer) return
      setTab('send')
      void collectDropped(e.dataTransfer).then(({ files: f, skipped: s }) => addFiles(f, s))
    }
    window.addEventListener('dragover', over)
    window.addEventListener('dragenter', enter)
    window.addEventListener('dragleave', leave)
    window.addEventListener('drop', drop)
    return () => {
      window.removeEventListener('dragover', over)
      window.removeEventListener('dragenter', enter)
      window.removeEventListener('dragleave', leave)
      window.removeEventListener('drop', drop)
    }
  }, [addFiles])

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === 'o') {
        e.preventDefault()
        inputRef.current?.click()
      }
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [])

  const removeFile = (key: string): void => {
    setFiles((fs) => {
      const i = fs.findIndex((f) => f.key === key)
      const next = fs.filter((f) => f.key !== key)
      setSelectedKey((k) => (k === key ? (next[Math.min(i, next.length - 1)]?.key ?? null) : k))
      return next
    })
  }

  const onOptionsChange = (key: string, options: Partial<FileOptions>): void =>
    setFiles((fs) =>
      fs.map((f) => (f.key === key ? { ...f, options: { ...f.options, ...options } } : f))
    )

  const onSend = async (routing: Routing): Promise<void> => {
    const ready = files.filter(
      (f) => f.status === 'ready' && f.report?.verdict !== 'error' && f.path && !f.sent
    )
    const jobId = crypto.randomUUID()
    setSend({ ...idleSend, jobId, running: true, keys: ready.map((f) => f.key) })
    const res = await window.api.send.start({
      jobId,
      routing,
      items: ready.map((f) => ({
        path: f.path!,
        label: f.options.label.trim(),
        quantity: f.options.quantity,
        priority: f.options.priority,
        position: f.options.position,
        meta: {
          size: sizeMm(f, unitScale)!,
          triangles: f.report!.triangles,
          bytes: f.size,
          ...(f.thumbnail && f.thumbnail.length <= MAX_THUMBNAIL_CHARS
            ? { thumbnail: f.thumbnail }
            : {})
        }
      }))
    })
    if (!res.ok) setSend((s) => ({ ...s, running: false, error: res.error }))
  }

  const onCancel = (): void => {
    if (!send.jobId) return
    setSend((s) => ({ ...s, cancelRequested: true }))
    void window.api.send.cancel({ jobId: send.jobId })
  }

  const selected = files.find((f) => f.key === selectedKey) ?? null
  const fitText = useMemo(() => {
    if (!selected?.report || !printers?.printers.length) return null
    const list = printers.printers
    const fit = list.filter((p) => printerFit(p, [sizeMm(selected, unitScale)!]) === 'fits').length
    return `fits ${fit} of ${list.length} printers`
  }, [selected, printers, unitScale])

  if (!store) return <div className="loading">Starting…</div>
  if (store.kind === 'none') return <FirstRun onStore={changeStore} />

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
        <aside className="files-col" aria-label="Files">
          <div className="files-head">
            <button
              type="button"
              className="primary"
              onClick={() => inputRef.current?.click()}
              data-testid="add-files"
              title="Add files (Ctrl+O)"
            >
              Add files…
            </button>
            <input
              ref={inputRef}
              type="file"
              multiple
              accept=".stl,model/stl"
              className="sr-only"
              tabIndex={-1}
              aria-hidden="true"
              data-testid="file-input"
              onChange={(e) => {
                void addFiles(Array.from(e.target.files ?? []))
                e.target.value = ''
              }}
            />
          </div>
          {notices.map((n) => (
            <p key={n} className="notice" role="status" data-testid="notice">
              {n}
            </p>
          ))}
          <FileList
            files={files}
            unitScale={unitScale}
            selectedKey={selectedKey}
            onSelect={setSelectedKey}
            onRemove={removeFile}
          />
          {skipped.length > 0 && (
            <details className="skipped" data-testid="skipped">
              <summary>{skipped.length} skipped</summary>
              <ul>
                {skipped.map((s) => (
                  <li key={s.name}>
                    {s.name}: {s.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </aside>
        <main className="center-col">
          <Viewer
            fileKey={selected?.key ?? null}
            fileKeys={files.map((f) => f.key)}
            positions={selected?.positions ?? null}
            bbox={selected?.report?.bbox ?? null}
            size={selected ? sizeMm(selected, unitScale) : null}
            name={selected?.name ?? null}
            placeholder={
              selected?.status === 'parsing'
                ? `Reading ${selected.name}…`
                : selected?.status === 'error'
                  ? `${selected.name} cannot be previewed: see below.`
                  : null
            }
          />
          <ReportPanel file={selected} fitText={fitText} unitScale={unitScale} />
        </main>
        <aside className="send-col">
          <SendPanel
            files={files}
            unitScale={unitScale}
            defaultRoutingMode={defaults?.defaultRoutingMode ?? 'any'}
            defaultTags={defaults?.defaultTags ?? NO_TAGS}
            printers={printers}
            printersError={printersError}
            onRefreshPrinters={() => void loadPrinters(true)}
            onOptionsChange={onOptionsChange}
            onSend={(r) => void onSend(r)}
            onCancel={onCancel}
            onOpenSettings={() => setSettingsOpen(true)}
            send={send}
          />
        </aside>
      </div>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          Drop STL files or folders
        </div>
      )}
    </div>
  )
}
