// The copies (print jobs) of one history entry: status, printer, progress, last update, and a
// Cancel per open copy (it asks first: see CancelDialog).
import type { ReactElement } from 'react'

import { timeAgo } from '../../../../shared/format'
import { isOpenCopy, type HistoryEntry } from '../../../../shared/history'
import { copyChip, noJobsText, stateLabel } from '../../lib/history-view'
import { copyLiveText, tookText } from '../../lib/operator-view'

interface CopiesTableProps {
  entry: HistoryEntry
  now: number
  printerName: (id: string) => string | undefined
  /** Asks to cancel one copy (absent: no per-copy action). */
  onCancelCopy?: (printJobId: string) => void
  /** Actions wait while another one runs. */
  busy?: boolean
  /** Opens Printago's slicer log of a failed copy (fetched by main). */
  onOpenLog?: (printJobId: string) => void
}

/** One row per copy; a line saying why there are none yet. */
export function CopiesTable({
  entry,
  now,
  printerName,
  onCancelCopy,
  busy = false,
  onOpenLog
}: CopiesTableProps): ReactElement {
  const cols = onCancelCopy ? 5 : 4
  return (
    <table className="history-copies" aria-label="Copies">
      <thead>
        <tr>
          <th scope="col">#</th>
          <th scope="col">Status</th>
          <th scope="col">Printer</th>
          <th scope="col">Updated</th>
          {onCancelCopy && (
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          )}
        </tr>
      </thead>
      <tbody>
        {entry.copies.length === 0 && (
          <tr>
            <td colSpan={cols} className="muted" data-testid="history-no-jobs">
              {noJobsText(entry, now)}
            </td>
          </tr>
        )}
        {entry.copies.map((c, i) => {
          const chip = copyChip(c)
          return (
            <tr
              key={c.printJobId}
              data-testid="history-copy"
              data-state={c.status}
              data-deleted={c.deletedOnServer ? 'true' : undefined}
              className={c.deletedOnServer ? 'deleted' : undefined}
            >
              <td>{i + 1}</td>
              <td>
                <span className={`history-chip small ${chip.tone}`}>{chip.label}</span>
                {c.deletedOnServer && (
                  <span className="muted small"> last known: {stateLabel(c.status)}</span>
                )}
                {!c.deletedOnServer &&
                  c.status === 'printing' &&
                  typeof c.progress === 'number' && (
                    <progress
                      className="history-progress"
                      max={100}
                      value={c.progress}
                      aria-label={`Copy ${i + 1} progress`}
                    >
                      {Math.round(c.progress)}%
                    </progress>
                  )}
                {copyLiveText(c) && (
                  <div className="muted small" data-testid="history-copy-live">
                    {copyLiveText(c)}
                  </div>
                )}
                {tookText(c) && c.status === 'completed' && (
                  <div className="muted small" data-testid="history-copy-took">
                    {tookText(c)}
                  </div>
                )}
                {c.errorMessage && <div className="error small">{c.errorMessage}</div>}
                {c.status === 'failed' && onOpenLog && !c.deletedOnServer && (
                  <button
                    type="button"
                    className="link-button small"
                    onClick={() => onOpenLog(c.printJobId)}
                    data-testid="history-slicer-log"
                  >
                    Slicer log
                  </button>
                )}
              </td>
              <td>
                {c.printerName ?? (c.printerId ? (printerName(c.printerId) ?? c.printerId) : '—')}
              </td>
              <td className="muted small">{c.updatedAt ? timeAgo(c.updatedAt, now) : ''}</td>
              {onCancelCopy && (
                <td>
                  {isOpenCopy(c) && (
                    <button
                      type="button"
                      className="small"
                      disabled={busy}
                      aria-label={`Cancel copy ${i + 1}`}
                      onClick={() => onCancelCopy(c.printJobId)}
                      data-testid="copy-cancel"
                    >
                      Cancel
                    </button>
                  )}
                </td>
              )}
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}
