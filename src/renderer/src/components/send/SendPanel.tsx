// Job setup and send, the right-hand column: routing (any / this printer / tags), the live
// printer list with bed fit, per-file options, a summary, then per-file progress with cancel.
// The rules are in send-rules.ts; this file holds the choices and lays out the parts.
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react'

import type { PrinterList } from '../../../../shared/ipc'
import type { AppError } from '../../../../shared/result'
import type { Routing } from '../../../../shared/send'
import type { SendState } from '../../hooks/useSend'
import type { FileOptions, LoadedFile } from '../../lib/files'
import { fleetTags } from '../../lib/routing'
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
  onRefreshPrinters: () => void
  onOptionsChange: (key: string, options: Partial<FileOptions>) => void
  onSend: (routing: Routing) => void
  onCancel: () => void
  onOpenSettings: () => void
  send: SendState
}

/** The right-hand column. */
export function SendPanel(props: SendPanelProps): ReactElement {
  const { files, printers, send } = props
  const [mode, setModeState] = useState<Mode>(props.defaultRoutingMode)
  const [printerId, setPrinterId] = useState<string | null>(null)
  const [tags, setTagsState] = useState<string[]>([])
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
  const check = checkSend({
    files,
    unitScale: props.unitScale,
    printers: list,
    mode,
    printerId,
    tags
  })
  const { routing } = check

  return (
    <section className="send-panel" aria-label="Send to Printago">
      <h2>Where to print</h2>
      <RoutingPicker
        mode={mode}
        onMode={setMode}
        allTags={allTags}
        tags={tags}
        onToggleTag={toggleTag}
        tagMatches={check.tagMatches}
        tagFitting={check.tagFitting}
        fits={check.fits}
      />
      <PrinterTable
        printers={printers}
        error={props.printersError}
        fits={check.fits}
        choosing={mode === 'printer'}
        chosenId={printerId}
        onChoose={setPrinterId}
        onRefresh={props.onRefreshPrinters}
      />

      <h2>Copies and labels</h2>
      <FileOptionsGrid files={check.sendable} onOptionsChange={props.onOptionsChange} />

      <SendBox
        summary={check.summary}
        leftOut={check.leftOut}
        problems={check.problems}
        sendableCount={check.sendable.length}
        canSend={check.problems.length === 0 && routing !== null}
        send={send}
        files={files}
        onSend={() => routing && props.onSend(routing)}
        onCancel={props.onCancel}
        onOpenSettings={props.onOpenSettings}
      />
    </section>
  )
}
