// The fleet: search and state filter, refresh, each printer's state, tags and bed fit. In "this
// printer" routing each row has a radio; a printer the model does not fit cannot be chosen.
import { useState, type ReactElement } from 'react'

import { timeAgo } from '../../../../shared/format'
import type { PrinterList, PrinterSummary } from '../../../../shared/ipc'
import type { AppError } from '../../../../shared/result'
import type { Fit } from '../../lib/routing'
import { fitLabel, STATE_LABEL } from './send-words'
import { PrinterNow } from '../fleet/PrinterNow'

interface PrinterTableProps {
  printers: PrinterList | null
  error: AppError | null
  fits: Map<string, Fit>
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
        <p className="warning" role="alert">
          {props.error.message}
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
            {choosing && (
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
                className={`${chosenId === p.id && choosing ? 'chosen' : ''} ${blocked ? 'blocked' : ''}`}
                data-testid="printer-row"
                data-printer-id={p.id}
              >
                {choosing && (
                  <td>
                    <input
                      type="radio"
                      name="printer"
                      aria-label={`Send to ${p.name}${blocked ? ' (model too big)' : ''}`}
                      checked={chosenId === p.id}
                      disabled={blocked}
                      onChange={() => props.onChoose(p.id)}
                    />
                  </td>
                )}
                <td>
                  <div className="printer-name">{p.name}</div>
                  <div className="muted small">{p.model}</div>
                </td>
                <td>
                  <span className={`state ${p.state}`}>{STATE_LABEL[p.state]}</span>
                  <PrinterNow printer={p} />
                </td>
                <td className="small">{p.tags.join(', ')}</td>
                <td
                  className={`fit ${fit}`}
                  title={blocked ? 'The model does not fit this printer’s build volume' : undefined}
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
