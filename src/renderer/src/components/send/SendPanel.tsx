// Job setup and send, the right-hand column: routing (any / this printer / tags), the live
// printer list with bed fit (for the selected file) and loaded materials, per-file options and
// verdicts, a summary, the dry run, then per-file progress with cancel.
// The rules are in send-rules.ts; this file holds the choices and lays out the parts.
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react'

import type { MaterialsView, PrinterList } from '../../../../shared/ipc'
import type { AppError, Result } from '../../../../shared/result'
import type { Routing, SendPreview } from '../../../../shared/send'
import type { SendPick, SendState } from '../../hooks/useSend'
import type { FileOptions, LoadedFile } from '../../lib/files'
import { fleetTags } from '../../lib/routing'
import { DryRunDialog, type DryRun } from './DryRunDialog'
import { FileOptionsGrid } from './FileOptionsGrid'
import { PrinterTable } from './PrinterTable'
import { RoutingPicker } from './RoutingPicker'
import { SendBox } from './SendBox'
import { checkSend, type Mode } from './send-rules'

export interface SendPanelProps {
  files: LoadedFile[]
  unitScale: number
  defaultRoutingMode: 'any' | 'tags'
  defaultTags: string[]
  printers: PrinterList | null
  printersError: AppError | null
  /** The store's materials and loaded slots (null until known). */
  materials?: MaterialsView | null
  /** The file shown in the preview: the Bed column follows it. */
  selectedKey?: string | null
  onRefreshPrinters: () => void
  onOptionsChange: (key: string, options: Partial<FileOptions>) => void
  onSend: (routing: Routing, picks: SendPick[]) => void
  /** The dry run (`send:preview`) of the same send. */
  onPreview?: (routing: Routing, picks: SendPick[]) => Promise<Result<SendPreview>>
  onCancel: () => void
  onOpenSettings: () => void
  send: SendState
  /** Where the routing choice goes when the send is done (e.g. the chosen printer). */
  onRoutingChange?: (routing: Routing | null) => void
}

/** The right-hand column. */
export function SendPanel(props: SendPanelProps): ReactElement {
  const { files, printers, send } = props
  const [mode, setModeState] = useState<Mode>(props.defaultRoutingMode)
  const [printerId, setPrinterId] = useState<string | null>(null)
  const [tags, setTagsState] = useState<string[]>([])
  const [dryRun, setDryRun] = useState<DryRun | null>(null)
  // "Leave out" and "Put back" move a file between lists: its button goes with it, so focus
  // follows to the button that undoes it (or to Send), never to the page.
  const refocus = useRef<string | null>(null)
  const onOptionsChange = (key: string, options: Partial<FileOptions>): void => {
    if (options.excluded !== undefined) refocus.current = key
    props.onOptionsChange(key, options)
  }
  useEffect(() => {
    const key = refocus.current
    if (!key) return
    refocus.current = null
    const target =
      document.querySelector<HTMLElement>(`[data-refocus="${CSS.escape(key)}"]`) ??
      document.querySelector<HTMLElement>('[data-testid="send-button"]:not([disabled])')
    target?.focus()
  })
  // The user's defaults apply until they choose routing themselves (settings load after mount).
  const touched = useRef(false)
  const defaultTagsKey = props.defaultTags.join('|')
  useEffect(() => {
    if (touched.current) return
    setModeState(props.defaultRoutingMode)
    setTagsState(defaultTagsKey ? defaultTagsKey.split('|') : [])
  }, [props.defaultRoutingMode, defaultTagsKey])
  const setMode = (m: Mode): void => {
    touched.current = true
    setModeState(m)
  }
  const toggleTag = (t: string): void => {
    touched.current = true
    setTagsState((cur) => (cur.includes(t) ? cur.filter((x) => x !== t) : [...cur, t]))
  }

  const list = useMemo(() => printers?.printers ?? [], [printers])
  const allTags = useMemo(() => fleetTags(list), [list])
  const materials = props.materials ?? null
  const check = checkSend({
    files,
    unitScale: props.unitScale,
    printers: list,
    mode,
    printerId,
    tags,
    loaded: materials?.loaded ?? null,
    selectedKey: props.selectedKey ?? null
  })
  const { routing } = check
  const onRoutingChange = props.onRoutingChange
  const routingKey = JSON.stringify(routing)
  useEffect(() => onRoutingChange?.(routing), [routingKey]) // eslint-disable-line react-hooks/exhaustive-deps
  const canSend = check.problems.length === 0 && check.blocked.length === 0 && routing !== null
  const picks: SendPick[] = check.sendable.map((f) => ({
    key: f.key,
    printerModels: check.verdicts.get(f.key)?.printerModels
  }))
  // The same material on every file: the tag read-out counts printers that have it loaded.
  const shared = check.sendable.map((f) => f.options.material ?? null)
  const commonMaterial =
    shared.length > 0 && shared.every((m) => JSON.stringify(m) === JSON.stringify(shared[0]))
      ? shared[0]!
      : null

  const runDryRun = async (): Promise<void> => {
    if (!routing || !props.onPreview) return
    setDryRun({ status: 'loading' })
    const r = await props.onPreview(routing, picks)
    setDryRun(r.ok ? { status: 'done', preview: r.value } : { status: 'error', error: r.error })
  }
  const sendNow = (): void => {
    setDryRun(null)
    if (routing) props.onSend(routing, picks)
  }
  const onSendClick = (): void => {
    // Several files or copies: Printago says first what it would create.
    if (props.onPreview && (check.sendable.length > 1 || check.copies > 1)) void runDryRun()
    else sendNow()
  }
  const nameOf = (path: string): string =>
    files.find((f) => f.path === path)?.name ?? path.split(/[\\/]/).pop() ?? path

  return (
    <section className="send-panel" aria-label="Send to Printago">
      <div className="send-scroll">
        <h2>Where to print</h2>
        <RoutingPicker
          mode={mode}
          onMode={setMode}
          allTags={allTags}
          tags={tags}
          onToggleTag={toggleTag}
          tagMatches={check.tagMatches}
          material={commonMaterial}
          loaded={materials?.loaded ?? null}
        />
        <PrinterTable
          printers={printers}
          error={props.printersError}
          fits={check.fits}
          fitsFor={check.fitsFor}
          loaded={materials?.loaded ?? null}
          choosing={mode === 'printer'}
          chosenId={printerId}
          onChoose={setPrinterId}
          onRefresh={props.onRefreshPrinters}
        />

        <h2>Copies and labels</h2>
        <FileOptionsGrid
          files={check.sendable}
          excluded={check.excluded}
          verdicts={check.verdicts}
          materials={materials}
          onOptionsChange={onOptionsChange}
        />
      </div>

      <SendBox
        summary={check.summary}
        leftOut={check.leftOut}
        problems={check.problems}
        blocked={check.blocked}
        sendableCount={check.sendable.length}
        canSend={canSend}
        send={send}
        files={files}
        onSend={onSendClick}
        onPreview={() => void runDryRun()}
        onLeaveOut={(key) => onOptionsChange(key, { excluded: true })}
        onCancel={props.onCancel}
        onOpenSettings={props.onOpenSettings}
      />
      {dryRun && (
        <DryRunDialog
          run={dryRun}
          nameOf={nameOf}
          canSend={canSend && !send.running}
          onSend={sendNow}
          onClose={() => setDryRun(null)}
        />
      )}
    </section>
  )
}
