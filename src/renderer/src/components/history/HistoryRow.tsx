// One row of the history list: thumbnail, name, facts, progress, status chip and notes.
import type { ReactElement } from 'react'

import { timeAgo } from '../../../../shared/format'
import type { BedWait } from '../../../../shared/fleet'
import type { HistoryEntry } from '../../../../shared/history'
import { printersOf, progressValue, rowAccessibleName, rowNotes } from '../../lib/history-view'
import { entryQueueText } from '../../lib/operator-view'
import { StatusChip } from './StatusChip'

/** One option of the history listbox: thumbnail, name, facts, progress, status chip and notes. */
export function HistoryRow({
  entry: e,
  selected,
  now,
  onSelect,
  bedWait = null
}: {
  entry: HistoryEntry
  selected: boolean
  now: number
  onSelect: () => void
  /** Its queued copies wait for a bed to be cleared. */
  bedWait?: BedWait | null
}): ReactElement {
  const pct = progressValue(e)
  const place = entryQueueText(e)
  const notes = [
    ...(bedWait ? [`waiting for a bed clear on ${bedWait.printers[0]!.name}`] : []),
    ...(place ? [`${place} in the queue`] : []),
    ...rowNotes(e)
  ]
  const thumbnail = e.thumbnail ?? e.remoteThumbnail
  const names = printersOf(e)
  return (
    <li
      id={`history-${e.id}`}
      role="option"
      aria-selected={selected}
      aria-label={rowAccessibleName(e, now)}
      className={`history-row${selected ? ' selected' : ''}`}
      onClick={onSelect}
      data-testid="history-row"
      data-entry-id={e.id}
      data-status={e.status}
    >
      <div className="history-thumb" aria-hidden="true">
        {thumbnail ? <img src={thumbnail} alt="" width={40} height={40} /> : <span>STL</span>}
      </div>
      <div className="history-row-main">
        <div className="history-row-name" title={e.fileName}>
          {e.label}
          {e.label !== e.fileName.replace(/\.[^.]+$/, '') && (
            <span className="muted small"> · {e.fileName}</span>
          )}
        </div>
        <div className="history-row-facts">
          <span title={`${e.quantity} ${e.quantity === 1 ? 'copy' : 'copies'}`}>×{e.quantity}</span>
          {names.length > 0 && <span className="history-row-printer">{names.join(', ')}</span>}
          <span className="muted">{timeAgo(e.sentAt, now)}</span>
        </div>
        {pct !== null && (
          <progress
            className="history-progress"
            max={100}
            value={pct}
            aria-label={`Progress of ${e.label}`}
          >
            {Math.round(pct)}%
          </progress>
        )}
      </div>
      <div className="history-row-status">
        <StatusChip entry={e} />
        {notes.map((n) => (
          <span key={n} className="muted small" data-testid="history-row-note">
            {n}
          </span>
        ))}
      </div>
    </li>
  )
}
