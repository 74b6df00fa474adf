// "Cancel" asks first: how many copies, on which printers (a running print stops), and which are
// still waiting in the queue. One copy or all open copies of an entry.
import { useRef, type ReactElement } from 'react'

import type { HistoryEntry, JobCopy } from '../../../../shared/history'
import { stateLabel } from '../../lib/history-view'
import { Modal } from '../Modal'

interface CancelDialogProps {
  entry: HistoryEntry
  /** The copies to cancel (open ones). */
  copies: JobCopy[]
  printerName: (id: string) => string | undefined
  onConfirm: () => void
  onClose: () => void
}

const n = (k: number): string => `${k} cop${k === 1 ? 'y' : 'ies'}`

/** The confirmation, naming every copy's printer and state. */
export function CancelDialog({
  entry,
  copies,
  printerName,
  onConfirm,
  onClose
}: CancelDialogProps): ReactElement {
  const keepRef = useRef<HTMLButtonElement>(null)
  const index = (c: JobCopy): number => entry.copies.indexOf(c) + 1
  const where = (c: JobCopy): string =>
    c.printerName ?? (c.printerId ? (printerName(c.printerId) ?? c.printerId) : '')
  const running = copies.filter((c) => c.printerId && c.status !== 'pending')
  const waiting = copies.length - running.length
  const title =
    copies.length === 1
      ? `Cancel copy ${index(copies[0]!)} of ${entry.label}?`
      : `Cancel ${n(copies.length)} of ${entry.label}?`
  return (
    <Modal title={title} onClose={onClose} testId="cancel-dialog" initialFocus={keepRef}>
      <ul className="cancel-list" data-testid="cancel-copies">
        {copies.map((c) => (
          <li key={c.printJobId}>
            Copy {index(c)}: {stateLabel(c.status).toLowerCase()}
            {where(c) ? ` on ${where(c)}` : ''}
            {c.status === 'printing' || c.status === 'paused' ? ' — the print stops' : ''}
          </li>
        ))}
      </ul>
      <p className="muted small">
        {running.length > 0
          ? `${n(running.length)} on a printer${waiting ? `, ${n(waiting)} waiting in the queue` : ''}. `
          : 'All of them are waiting in the queue. '}
        Cancelled copies can be sent back to the queue with Retry.
      </p>
      <div className="row modal-actions">
        <button type="button" className="danger" onClick={onConfirm} data-testid="cancel-confirm">
          Cancel {copies.length === 1 ? 'this copy' : n(copies.length)}
        </button>
        <button type="button" ref={keepRef} onClick={onClose} data-testid="cancel-keep">
          Keep {copies.length === 1 ? 'it' : 'them'}
        </button>
      </div>
    </Modal>
  )
}
