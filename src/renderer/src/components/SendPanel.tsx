// Job setup and send: routing (any / this printer / tags), the live printer list with bed fit,
// per-file options, a summary, then per-file progress through the pipeline with cancel.
import { labelProblem, MAX_QUANTITY, quantityProblem } from '../../../shared/send'
import { useEffect, useMemo, useRef, useState, type ReactElement } from 'react'

import type { PrinterList, PrinterSummary } from '../../../shared/ipc'
import type { AppError } from '../../../shared/result'
import type { Routing, SendProgress } from '../../../shared/send'
import { timeAgo } from '../../../shared/format'
import { sizeMm, type FileOptions, type LoadedFile } from '../lib/files'
import { fleetTags, matchingPrinters, printerFit, sendSummary, type Fit } from '../lib/routing'

type Mode = Routing['mode']

export interface SendState {
  jobId: string | null
  running: boolean
  progress: Record<number, SendProgress>
  /** Keys of the files in this send, by request index. */
  keys: string[]
  error: AppError | null
  doneAt: number | null
  /** The user pressed Cancel during this send. */
  cancelRequested?: boolean
  /** A sentence about how the send ended, e.g. "Too late to cancel: …". */
  notice?: string | null
}

interface SendPanelProps {
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

const STATE_LABEL: Record<PrinterSummary['state'], string> = {
  ready: 'Ready',
  'waiting-bed-clear': 'Bed not cleared',
  printing: 'Printing',
  offline: 'Offline',
  disabled: 'Disabled'
}

const STEP_LABEL: Record<string, string> = {
  'queued-locally': 'Waiting',
  hashing: 'Hashing',
  'requesting-upload': 'Preparing upload',
  uploading: 'Uploading',
  'creating-part': 'Creating part',
  queuing: 'Queuing print',
  'waiting-rate-limit': 'Waiting for rate limit',
  retrying: 'Retrying',
  done: 'Queued ✓',
  failed: 'Failed',
  cancelled: 'Cancelled'
}

function fitLabel(fit: Fit): string {
  return fit === 'fits' ? 'fits' : fit === 'too-big' ? 'too big' : 'bed size unknown'
}

function validateOptions(o: FileOptions): string | null {
  return labelProblem(o.label) ?? quantityProblem(o.quantity)
}

/** Ends a server message with a full stop so it can be followed by advice. */
function sentence(text: string): string {
  const t = text.trim()
  return /[.!?…]$/.test(t) ? t : `${t}.`
}

/** Words a user can act on for a send error. */
export function describeSendError(e: AppError): string {
  switch (e.code) {
    case 'auth':
      return 'Printago refused the API key or store id. Open settings to check them.'
    case 'forbidden':
      return `${sentence(e.message)} Ask the store owner to grant it to this key.`
    case 'rate-limited':
      return `Printago's rate limit was reached. ${sentence(e.message)}`
    case 'network':
    case 'timeout':
      return 'Printago cannot be reached (offline?). When the connection is back, press Send again: only the files not yet queued are sent.'
    case 'outcome-unknown':
      return 'Printago did not confirm the job yet. The app checks again shortly and never queues it twice.'
    default:
      return e.message
  }
}

/** The right-hand column. */
export function SendPanel(props: SendPanelProps): ReactElement {
  const { files, printers, send } = props
  const [mode, setModeState] = useState<Mode>(props.defaultRoutingMode)
  // The user's defaults apply until they choose routing themselves (settings load after mount).
  const touched = useRef(false)
  const setMode = (m: Mode): void => {
    touched.current = true
    setModeState(m)
  }
  const defaultTagsKey = props.defaultTags.join('|')
  useEffect(() => {
    if (touched.current) return
    setModeState(props.defaultRoutingMode)
    setTagsState(defaultTagsKey ? defaultTagsKey.split('|') : [])
  }, [props.defaultRoutingMode, defaultTagsKey])
  const [printerId, setPrinterId] = useState<string | null>(null)
  const [tags, setTagsState] = useState<string[]>([])
  const setTags = (update: (cur: string[]) => string[]): void => {
    touched.current = true
    setTagsState(update)
  }
  const [search, setSearch] = useState('')
  const [stateFilter, setStateFilter] = useState<'all' | PrinterSummary['state']>('all')
  const [applyAll, setApplyAll] = useState({ quantity: '', priority: '', position: '' })

  // A file the engine judged unprintable (flat, no usable triangles) is never sent.
  // Files already queued are not sent again from here (History → Print again does that), so a
  // retry after a partial failure can never queue a file twice.
  const sendable = files.filter(
    (f) => f.status === 'ready' && f.report?.verdict !== 'error' && !f.sent
  )
  const alreadySent = files.filter((f) => f.sent).length
  const unprintable = files.filter((f) => f.status === 'ready' && f.report?.verdict === 'error')
  const sizes = sendable.map((f) => sizeMm(f, props.unitScale)!)
  const list = useMemo(() => printers?.printers ?? [], [printers])
  const allTags = useMemo(() => fleetTags(list), [list])
  const fits = useMemo(() => new Map(list.map((p) => [p.id, printerFit(p, sizes)])), [list, sizes])

  const visible = list.filter((p) => {
    if (stateFilter !== 'all' && p.state !== stateFilter) return false
    const q = search.trim().toLowerCase()
    return (
      !q ||
      p.name.toLowerCase().includes(q) ||
      p.model.toLowerCase().includes(q) ||
      p.tags.some((t) => t.toLowerCase().includes(q))
    )
  })

  const routing: Routing | null =
    mode === 'any'
      ? { mode }
      : mode === 'printer'
        ? printerId
          ? { mode, printerId }
          : null
        : tags.length
          ? { mode, tags }
          : null

  const tagMatches = mode === 'tags' ? matchingPrinters(list, tags) : []
  const tagFitting = tagMatches.filter((p) => fits.get(p.id) !== 'too-big')

  // Every reason the Send button is disabled, in words.
  const problems: string[] = []
  if (sendable.length === 0)
    problems.push(
      alreadySent > 0
        ? 'Every file here is already sent. Add files, or use History → Print again.'
        : 'Add at least one readable STL file.'
    )
  const leftOut = [
    ...(alreadySent > 0 && sendable.length > 0
      ? [
          `${alreadySent} already sent file${alreadySent === 1 ? ' is' : 's are'} skipped (History → Print again prints more).`
        ]
      : []),
    ...unprintable.map(
      (f) => `${f.name} is left out: ${f.report?.notes[0] ?? 'it cannot be printed'}`
    )
  ]
  for (const f of sendable) {
    const err = validateOptions(f.options)
    if (err) problems.push(`${f.name}: ${err}`)
  }
  if (mode === 'printer' && !printerId) problems.push('Choose a printer.')
  if (mode === 'printer' && printerId && !list.some((p) => p.id === printerId))
    problems.push('The chosen printer is no longer in the list.')
  const chosen = mode === 'printer' ? list.find((p) => p.id === printerId) : undefined
  if (chosen && !chosen.enabled)
    problems.push(`${chosen.name} is disabled in Printago: it takes no jobs until it is enabled.`)
  if (mode === 'printer' && printerId && fits.get(printerId) === 'too-big')
    problems.push('The model is too big for this printer’s bed.')
  if (mode === 'tags' && tags.length === 0) problems.push('Choose at least one tag.')
  if (mode === 'tags' && tags.length > 0 && tagMatches.length === 0)
    problems.push('No printer carries all of these tags.')
  if (mode === 'tags' && tagMatches.length > 0 && tagFitting.length === 0)
    problems.push('None of the matching printers has a bed big enough.')
  if (mode === 'any' && list.length > 0 && list.every((p) => fits.get(p.id) === 'too-big'))
    problems.push('The model is too big for every printer.')

  const copies = sendable.reduce(
    (n, f) => n + (Number.isInteger(f.options.quantity) ? f.options.quantity : 0),
    0
  )
  const summary = routing ? sendSummary(sendable.length, copies, routing, list) : null

  const applyToAll = (): void => {
    for (const f of sendable) {
      const patch: Partial<FileOptions> = {}
      if (applyAll.quantity) patch.quantity = Number(applyAll.quantity)
      if (applyAll.priority) patch.priority = applyAll.priority as FileOptions['priority']
      if (applyAll.position) patch.position = applyAll.position as FileOptions['position']
      props.onOptionsChange(f.key, patch)
    }
  }

  return (
    <section className="send-panel" aria-label="Send to Printago">
      <h2>Where to print</h2>
      <div role="radiogroup" aria-label="Routing" className="segmented">
        {(['any', 'printer', 'tags'] as Mode[]).map((m) => (
          <label key={m} className={mode === m ? 'active' : ''}>
            <input
              type="radio"
              name="routing"
              value={m}
              checked={mode === m}
              onChange={() => setMode(m)}
            />
            {m === 'any' ? 'Any printer' : m === 'printer' ? 'This printer' : 'Printers with tags'}
          </label>
        ))}
      </div>

      {mode === 'tags' && (
        <div className="tags" data-testid="tag-picker">
          <div
            className="chips"
            role="group"
            aria-label="Tags (a printer must carry all chosen tags)"
          >
            {allTags.length === 0 && <span className="muted">The fleet has no tags.</span>}
            {allTags.map((t) => {
              const expressible = !t.includes('|')
              const on = tags.includes(t)
              return (
                <button
                  key={t}
                  type="button"
                  className={`chip ${on ? 'on' : ''}`}
                  aria-pressed={on}
                  disabled={!expressible}
                  title={
                    expressible
                      ? `Require tag ${t}`
                      : 'This tag contains "|", which Printago’s tag routing cannot express'
                  }
                  onClick={() => setTags((cur) => (on ? cur.filter((x) => x !== t) : [...cur, t]))}
                >
                  {t}
                </button>
              )
            })}
          </div>
          {allTags.some((t) => t.includes('|')) && (
            <p className="muted small" data-testid="tag-pipe-note">
              Tags containing “|” ({allTags.filter((t) => t.includes('|')).join(', ')}) cannot be
              chosen: Printago’s tag routing uses “|” to separate tags. Rename them in Printago to
              route by them.
            </p>
          )}
          {tags.length > 0 && (
            <p
              className={tagMatches.length ? 'match-readout' : 'match-readout warning'}
              data-testid="tag-match"
              aria-live="polite"
            >
              {tagMatches.length === 0
                ? 'No printer carries all of these tags — the job would wait forever.'
                : `${tagMatches.length} match, ${tagMatches.filter((p) => p.state === 'ready').length} ready now: ${tagMatches.map((p) => p.name).join(', ')}`}
              {tagMatches.length > tagFitting.length && tagFitting.length > 0 && (
                <span className="warning">
                  {' '}
                  — {tagMatches.length - tagFitting.length} of them too small for this model (
                  {tagMatches
                    .filter((p) => fits.get(p.id) === 'too-big')
                    .map((p) => p.name)
                    .join(', ')}
                  ): Printago may still send it there.
                </span>
              )}
            </p>
          )}
        </div>
      )}

      <div className="printers" data-testid="printer-list">
        <div className="printers-head">
          <input
            type="search"
            placeholder="Search printers"
            aria-label="Search printers"
            value={search}
            onChange={(e) => setSearch(e.target.value)}
          />
          <select
            aria-label="Filter by state"
            value={stateFilter}
            onChange={(e) => setStateFilter(e.target.value as typeof stateFilter)}
          >
            <option value="all">All states</option>
            {Object.entries(STATE_LABEL).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
          <button
            type="button"
            onClick={props.onRefreshPrinters}
            title="Refresh the printer list"
            aria-label="Refresh printers"
          >
            ↻
          </button>
        </div>
        {props.printersError && (
          <p className="warning" role="alert">
            {props.printersError.message}
            {printers && ` Showing the list from ${timeAgo(printers.fetchedAt, Date.now())}.`}
          </p>
        )}
        {printers && list.length === 0 && (
          <p className="muted">This store has no printers yet. Jobs will wait in the queue.</p>
        )}
        {list.length > 0 && list.every((p) => p.state === 'offline') && (
          <p className="warning">
            All printers are offline: jobs will wait in the queue until one comes back.
          </p>
        )}
        <table className="printer-table">
          <thead>
            <tr>
              {mode === 'printer' && (
                <th scope="col">
                  <span className="sr-only">Choose</span>
                </th>
              )}
              <th scope="col">Printer</th>
              <th scope="col">State</th>
              <th scope="col">Tags</th>
              <th scope="col">Bed</th>
            </tr>
          </thead>
          <tbody>
            {visible.map((p) => {
              const fit = fits.get(p.id) ?? 'unknown'
              const blocked = fit === 'too-big'
              return (
                <tr
                  key={p.id}
                  className={`${printerId === p.id && mode === 'printer' ? 'chosen' : ''} ${blocked ? 'blocked' : ''}`}
                  data-testid="printer-row"
                  data-printer-id={p.id}
                >
                  {mode === 'printer' && (
                    <td>
                      <input
                        type="radio"
                        name="printer"
                        aria-label={`Send to ${p.name}${blocked ? ' (model too big)' : ''}`}
                        checked={printerId === p.id}
                        disabled={blocked}
                        onChange={() => setPrinterId(p.id)}
                      />
                    </td>
                  )}
                  <td>
                    <div className="printer-name">{p.name}</div>
                    <div className="muted small">{p.model}</div>
                  </td>
                  <td>
                    <span className={`state ${p.state}`}>{STATE_LABEL[p.state]}</span>
                  </td>
                  <td className="small">{p.tags.join(', ')}</td>
                  <td
                    className={`fit ${fit}`}
                    title={
                      blocked ? 'The model does not fit this printer’s build volume' : undefined
                    }
                  >
                    {fitLabel(fit)}
                  </td>
                </tr>
              )
            })}
          </tbody>
        </table>
        {printers && (
          <p className="muted small">Updated {timeAgo(printers.fetchedAt, Date.now())}</p>
        )}
      </div>

      <h2>Copies and labels</h2>
      {sendable.length === 0 ? (
        <p className="muted">Readable files appear here.</p>
      ) : (
        <div className="options" data-testid="options-grid">
          <table className="options-table">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Label</th>
                <th scope="col">Qty</th>
                <th scope="col">Priority</th>
                <th scope="col">Queue</th>
              </tr>
            </thead>
            <tbody>
              {sendable.map((f) => {
                const err = validateOptions(f.options)
                return (
                  <tr key={f.key} data-testid="options-row">
                    <td className="small" title={f.name}>
                      {f.name}
                    </td>
                    <td>
                      <input
                        aria-label={`Label for ${f.name}`}
                        value={f.options.label}
                        maxLength={1100}
                        aria-invalid={labelProblem(f.options.label) !== null}
                        onChange={(e) => props.onOptionsChange(f.key, { label: e.target.value })}
                      />
                    </td>
                    <td>
                      <input
                        type="number"
                        min={1}
                        max={MAX_QUANTITY}
                        aria-label={`Quantity for ${f.name}`}
                        value={Number.isFinite(f.options.quantity) ? f.options.quantity : ''}
                        aria-invalid={!!err && err.startsWith('Quantity')}
                        onChange={(e) =>
                          props.onOptionsChange(f.key, {
                            quantity: e.target.value === '' ? NaN : Number(e.target.value)
                          })
                        }
                      />
                    </td>
                    <td>
                      <select
                        aria-label={`Priority for ${f.name}`}
                        value={f.options.priority}
                        onChange={(e) =>
                          props.onOptionsChange(f.key, {
                            priority: e.target.value as FileOptions['priority']
                          })
                        }
                      >
                        <option value="normal">Normal</option>
                        <option value="low">Low</option>
                      </select>
                    </td>
                    <td>
                      <select
                        aria-label={`Queue position for ${f.name}`}
                        value={f.options.position}
                        onChange={(e) =>
                          props.onOptionsChange(f.key, {
                            position: e.target.value as FileOptions['position']
                          })
                        }
                      >
                        <option value="back">Back</option>
                        <option value="front">Front</option>
                      </select>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
          {sendable.length > 1 && (
            <div className="apply-all">
              <span>All files:</span>
              <input
                type="number"
                min={1}
                max={MAX_QUANTITY}
                placeholder="Qty"
                aria-label="Quantity for all files"
                value={applyAll.quantity}
                onChange={(e) => setApplyAll({ ...applyAll, quantity: e.target.value })}
              />
              <select
                aria-label="Priority for all files"
                value={applyAll.priority}
                onChange={(e) => setApplyAll({ ...applyAll, priority: e.target.value })}
              >
                <option value="">Priority…</option>
                <option value="normal">Normal</option>
                <option value="low">Low</option>
              </select>
              <select
                aria-label="Queue position for all files"
                value={applyAll.position}
                onChange={(e) => setApplyAll({ ...applyAll, position: e.target.value })}
              >
                <option value="">Queue…</option>
                <option value="back">Back</option>
                <option value="front">Front</option>
              </select>
              <button type="button" onClick={applyToAll}>
                Apply to all
              </button>
            </div>
          )}
        </div>
      )}

      <div className="send-box">
        {summary && (
          <p className="summary" data-testid="send-summary">
            {summary}
          </p>
        )}
        {leftOut.length > 0 && (
          <ul className="problems" data-testid="send-left-out">
            {leftOut.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        {problems.length > 0 && (
          <ul className="problems" data-testid="send-problems">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        <div className="send-actions">
          <button
            type="button"
            className="primary"
            disabled={problems.length > 0 || !routing || send.running}
            onClick={() => routing && props.onSend(routing)}
            data-testid="send-button"
          >
            {send.running
              ? 'Sending…'
              : `Send ${sendable.length > 1 ? `${sendable.length} files` : ''}`.trim()}
          </button>
          {send.running && (
            <button type="button" onClick={props.onCancel}>
              Cancel
            </button>
          )}
        </div>
        {send.notice && (
          <p className="notice" role="status" data-testid="send-notice">
            {send.notice}
          </p>
        )}
        {send.error && (
          <div className="error-box" role="alert" data-testid="send-error">
            {describeSendError(send.error)}
            {send.error.code === 'auth' && (
              <button type="button" onClick={props.onOpenSettings}>
                Open settings
              </button>
            )}
          </div>
        )}
        {send.keys.length > 0 && (
          <ol className="progress-list" data-testid="send-progress" aria-live="polite">
            {send.keys.map((key, i) => {
              const p = send.progress[i]
              const file = files.find((f) => f.key === key)
              const step = p?.step ?? 'queued-locally'
              return (
                <li key={key} data-step={step} data-testid="progress-row">
                  <span className="small">{file?.name ?? p?.path}</span>
                  <span className={`step ${step}`}>
                    {step === 'waiting-rate-limit' && p?.waitSeconds !== undefined
                      ? `Waiting ${Math.ceil(p.waitSeconds)} s for Printago's rate limit`
                      : (STEP_LABEL[step] ?? step)}
                    {step === 'uploading' &&
                      p?.fraction !== undefined &&
                      ` ${Math.round(p.fraction * 100)}%`}
                    {p?.reusedPart && step !== 'failed' && ' · already uploaded — reusing part'}
                  </span>
                  {(step === 'uploading' || step === 'hashing') && (
                    <progress max={1} value={p?.fraction ?? 0} />
                  )}
                  {p?.error && <span className="error small">{describeSendError(p.error)}</span>}
                </li>
              )
            })}
          </ol>
        )}
      </div>
    </section>
  )
}
