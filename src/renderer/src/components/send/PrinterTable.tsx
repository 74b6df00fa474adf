// The fleet: search and state filter, refresh, each printer's state, tags, what it has loaded and
// bed fit (of the selected file). In "this printer" routing each row has a radio; a printer the
// model does not fit cannot be chosen.
import { useState, type ReactElement } from 'react'

import { timeAgo } from '../../../../shared/format'
import type { LoadedSlot, PrinterList, PrinterSummary } from '../../../../shared/ipc'
import type { AppError } from '../../../../shared/result'
import type { Fit } from '../../lib/routing'
import { ErrorNotice } from '../ErrorNotice'
import { fitLabel, STATE_LABEL } from './send-words'
import { PrinterNow } from '../fleet/PrinterNow'

interface PrinterTableProps {
  printers: PrinterList | null
  error: AppError | null
  fits: Map<string, Fit>
  /** The file the Bed column is about (null: every file of the send). */
  fitsFor?: string | null
  /** What each printer has loaded (null: not known). */
  loaded?: Record<string, LoadedSlot[]> | null
  /** Radios to choose one printer (routing "this printer"). */
  choosing: boolean
  chosenId: string | null
  onChoose: (id: string) => void
  onRefresh: () => void
}

type StateFilter = 'all' | PrinterSummary['state']

function matches(p: PrinterSummary, state: StateFilter, search: string): boolean {
  if (state !== 'all' && p.state !== state) return false
  const q = search.trim().toLowerCase()
  return (
    !q ||
    p.name.toLowerCase().includes(q) ||
    p.model.toLowerCase().includes(q) ||
    p.tags.some((t) => t.toLowerCase().includes(q))
  )
}

/** The printer list of the send panel. */
export function PrinterTable(props: PrinterTableProps): ReactElement {
  const { printers, fits, choosing, chosenId } = props
  const [search, setSearch] = useState('')
  const [stateFilter, setStateFilter] = useState<StateFilter>('all')
  const list = printers?.printers ?? []
  const visible = list.filter((p) => matches(p, stateFilter, search))

  return (
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
          onChange={(e) => setStateFilter(e.target.value as StateFilter)}
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
          onClick={props.onRefresh}
          title="Refresh the printer list"
          aria-label="Refresh printers"
        >
          ↻
        </button>
      </div>
      {props.error && (
        <ErrorNotice
          error={props.error}
          what="Refreshing the printers"
          role="status"
          tone="warning"
          testId="printers-error"
        >
          {printers && `Showing the list from ${timeAgo(printers.fetchedAt, Date.now())}.`}
        </ErrorNotice>
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
            {choosing && (
              <th scope="col">
                <span className="sr-only">Choose</span>
              </th>
            )}
            <th scope="col">Printer</th>
            <th scope="col">State</th>
            <th scope="col" className="col-tags">
              Tags
            </th>
            <th scope="col">Loaded</th>
            <th scope="col">
              Bed
              {props.fitsFor && (
                <span className="muted small wrap" data-testid="bed-for">
                  {' '}
                  ({props.fitsFor})
                </span>
              )}
            </th>
          </tr>
        </thead>
        <tbody>
          {visible.map((p) => {
            const fit = fits.get(p.id) ?? 'unknown'
            const blocked = fit === 'too-big' || fit === 'other-model'
            return (
              <tr
                key={p.id}
                className={`${chosenId === p.id && choosing ? 'chosen' : ''} ${blocked ? 'blocked' : ''}`}
                data-testid="printer-row"
                data-printer-id={p.id}
              >
                {choosing && (
                  <td>
                    <input
                      type="radio"
                      name="printer"
                      aria-label={`Send to ${p.name}${fit === 'too-big' ? ' (model too big)' : fit === 'other-model' ? ' (sliced for another model)' : ''}`}
                      checked={chosenId === p.id}
                      disabled={blocked}
                      onChange={() => props.onChoose(p.id)}
                    />
                  </td>
                )}
                <td>
                  <div className="printer-name">{p.name}</div>
                  <div className="muted small">{p.model}</div>
                  {p.tags.length > 0 && (
                    <div className="muted small printer-tags-inline">{p.tags.join(', ')}</div>
                  )}
                </td>
                <td>
                  <span className={`state ${p.state}`}>{STATE_LABEL[p.state]}</span>
                  <PrinterNow printer={p} />
                </td>
                <td className="small col-tags">{p.tags.join(', ')}</td>
                <td className="small">
                  <LoadedCell slots={props.loaded?.[p.id]} known={props.loaded != null} />
                </td>
                <td
                  className={`fit ${fit}`}
                  title={
                    fit === 'too-big'
                      ? 'The model does not fit this printer’s build volume'
                      : fit === 'other-model'
                        ? 'The file was sliced for another printer model: its G-code never goes here'
                        : undefined
                  }
                >
                  {fitLabel(fit)}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {printers && <p className="muted small">Updated {timeAgo(printers.fetchedAt, Date.now())}</p>}
    </div>
  )
}

/** "PLA 4 · PETG 2" with a colour swatch per slot; every slot named in the tooltip. */
function LoadedCell({ slots, known }: { slots?: LoadedSlot[]; known: boolean }): ReactElement {
  if (!known) return <span className="muted">…</span>
  if (!slots || slots.length === 0) return <span className="muted">nothing</span>
  const counts = new Map<string, number>()
  for (const s of slots) counts.set(s.type, (counts.get(s.type) ?? 0) + 1)
  return (
    <span
      className="loaded"
      title={slots.map((s) => `${s.name} (${s.where})`).join('\n')}
      data-testid="printer-loaded"
    >
      <span className="swatches" aria-hidden="true">
        {slots.map((s, i) => (
          <span
            key={i}
            className="swatch"
            style={s.color ? { background: s.color.slice(0, 7) } : undefined}
          />
        ))}
      </span>
      <span className="sr-only">{slots.map((s) => s.name).join(', ')}</span>
      <span aria-hidden="true" className="loaded-text">
        {[...counts].map(([t, n]) => (n > 1 ? `${t} ${n}` : t)).join(' · ')}
      </span>
    </span>
  )
}
