// The detail pane of one history entry: facts, routing, material, every copy, sync age, and the
// actions (Print again, Cancel — all open copies or one, after a confirmation — Retry, Why is it
// waiting?, Open in Printago where Printago has the part).
import { useEffect, useId, useRef, useState, type ReactElement } from 'react'

import { formatBytes, formatCount, formatSize, timeAgo } from '../../../../shared/format'
import type { BedWait } from '../../../../shared/fleet'
import {
  estimateText,
  printagoPartUrl,
  waitingHint,
  type HistoryEntry,
  type HistorySnapshot
} from '../../../../shared/history'
import type { PrinterSummary } from '../../../../shared/ipc'
import { materialWords, UNIT_WORDS } from '../../../../shared/send'
import { askBedClear } from '../fleet/bed-clear-bus'
import { QueueActions } from './QueueActions'
import { useQueueActions } from './useQueueActions'
import { actionable, deletedNote, projectWords, routingLabel } from '../../lib/history-view'
import { ErrorNotice } from '../ErrorNotice'
import { ActionFeedback } from './ActionFeedback'
import { CancelDialog } from './CancelDialog'
import { CopiesTable } from './CopiesTable'
import { ReprintForm } from './ReprintForm'
import { StatusChip } from './StatusChip'
import { useEntryActions } from './useEntryActions'

interface DetailProps {
  entry: HistoryEntry
  sync: HistorySnapshot['sync']
  now: number
  printerName: (id: string) => string | undefined
  /** The fleet, for Print again's routing choice. */
  printers?: PrinterSummary[]
  /** False for the demo store: its parts exist only in this app. */
  canOpenInPrintago?: boolean
  /** Called with the new entry after "Print again" succeeded. */
  onReprinted: (entry: HistoryEntry) => void
  /** Its queued copies wait for a bed to be cleared (from the printer list). */
  bedWait?: BedWait | null
}

function syncText(entry: HistoryEntry, sync: HistorySnapshot['sync'], now: number): string {
  const at = entry.syncedAt ?? null
  if (sync.mode === 'realtime' && !sync.error) return 'Live updates'
  if (sync.error)
    return `Last known state${at ? `, synced ${timeAgo(at, now)}` : ''} — ${sync.error}`
  return at ? `Synced ${timeAgo(at, now)}` : 'Not synced yet'
}

/** The right-hand pane for the selected entry. */
export function HistoryDetail({
  entry,
  sync,
  now,
  printerName,
  printers = [],
  canOpenInPrintago = true,
  onReprinted,
  bedWait = null
}: DetailProps): ReactElement {
  const formId = useId()
  const a = useEntryActions(entry, onReprinted)
  const q = useQueueActions(entry)
  // The app's own 3D view first; Printago's picture beside it (or alone when there is no other).
  const thumbnail = entry.thumbnail ?? entry.remoteThumbnail
  const printagoThumbnail = entry.thumbnail ? entry.remoteThumbnail : undefined
  // The copies a confirmation is open for (null: none).
  const [confirming, setConfirming] = useState<string[] | null>(null)
  // An action ended and took the focused button with it (disabled, or the form closed): the
  // pane's feedback is the next thing to read, so focus goes there, not to the page.
  const feedbackRef = useRef<HTMLDivElement>(null)
  const wasBusy = useRef(a.busy)
  useEffect(() => {
    const ended = wasBusy.current !== null && a.busy === null
    wasBusy.current = a.busy
    const lost = document.activeElement === document.body || document.activeElement === null
    if (ended && lost) feedbackRef.current?.focus()
  }, [a.busy])
  const { cancel, retry, queued } = actionable(entry)
  const hint = waitingHint(entry, now)
  const deleted = deletedNote(entry)
  const busy = a.busy !== null || q.busy !== null

  return (
    <section
      className="history-detail"
      aria-labelledby={`${formId}-title`}
      data-testid="history-detail"
    >
      <header className="history-detail-head">
        <div className="history-thumb large" aria-hidden="true">
          {thumbnail ? <img src={thumbnail} alt="" width={96} height={96} /> : <span>STL</span>}
        </div>
        {printagoThumbnail && (
          <figure className="history-printago-thumb" data-testid="history-printago-thumb">
            <img
              src={printagoThumbnail}
              alt="Printago's thumbnail of the part"
              width={64}
              height={64}
            />
            <figcaption className="muted small">Printago</figcaption>
          </figure>
        )}
        <div className="history-detail-title">
          <h3 id={`${formId}-title`} className="wrap">
            {entry.label}
          </h3>
          <p className="muted small wrap">{entry.fileName}</p>
          <StatusChip entry={entry} />
          {entry.reprintOf && <span className="history-reprint-badge">Printed again</span>}
        </div>
      </header>

      <dl className="history-facts">
        <dt>Sent</dt>
        <dd title={new Date(entry.sentAt).toLocaleString()}>{timeAgo(entry.sentAt, now)}</dd>
        <dt>Routing</dt>
        <dd data-testid="history-routing">{routingLabel(entry, printerName)}</dd>
        {(entry.material || entry.printerModels) && (
          <>
            <dt>Material</dt>
            <dd data-testid="history-material">
              {materialWords(entry.material)}
              {entry.printerModels?.length
                ? ` · only ${entry.printerModels.join(', ')} printers`
                : ''}
            </dd>
          </>
        )}
        {entry.project && (
          <>
            <dt>Plates</dt>
            <dd data-testid="history-project">{projectWords(entry.project)}</dd>
          </>
        )}
        {entry.original && (
          <>
            <dt>Sent as</dt>
            <dd data-testid="history-original">
              a millimetre copy of {entry.original.fileName}, read in{' '}
              {UNIT_WORDS[entry.original.unit]}
            </dd>
          </>
        )}
        <dt>Copies</dt>
        <dd>
          {entry.quantity} · {entry.priority === 'low' ? 'low priority' : 'normal priority'}
          {entry.position === 'front' ? ' · front of queue' : ''}
        </dd>
        <dt>Size</dt>
        <dd>
          {formatBytes(entry.size)}
          {entry.dimensions ? ` · ${formatSize(entry.dimensions)}` : ''}
          {entry.triangles !== undefined ? ` · ${formatCount(entry.triangles)} triangles` : ''}
        </dd>
        <dt>SHA-256</dt>
        <dd className="mono small history-hash" title={entry.sha256}>
          {entry.sha256}
        </dd>
        <dt>Estimate</dt>
        <dd data-testid="history-estimate" title="Printago's slicing estimate of the part">
          {entry.estimate ? (
            `${estimateText(entry.estimate)} per copy`
          ) : (
            <span className="muted">Not from Printago yet</span>
          )}
        </dd>
        <dt>Part</dt>
        <dd className="mono small">{entry.partId}</dd>
        <dt>Sync</dt>
        <dd className={sync.error ? 'warning' : 'muted'} data-testid="history-sync-age">
          {syncText(entry, sync, now)}
        </dd>
      </dl>

      {bedWait && (
        <p className="history-hint bed" data-testid="history-bed-wait">
          Waiting for the bed of {bedWait.printers[0]!.name} to be cleared
          {bedWait.printers.length > 1 ? ` (or ${bedWait.printers.length - 1} more)` : ''}.{' '}
          <button
            type="button"
            className="fleet-action"
            onClick={() => askBedClear(bedWait.printers[0]!)}
            data-testid="history-clear-bed"
          >
            Mark bed clear
          </button>
        </p>
      )}
      {hint && !bedWait && (
        <p className="history-hint" data-testid="history-waiting-hint">
          {hint}
        </p>
      )}
      {entry.notes?.map((n) => (
        <p key={n} className="history-hint" data-testid="history-note">
          {n}
        </p>
      ))}
      {deleted && (
        <p className="history-hint deleted" data-testid="history-deleted-note">
          {deleted}
        </p>
      )}

      <CopiesTable
        entry={entry}
        now={now}
        printerName={printerName}
        busy={busy}
        onCancelCopy={(id) => setConfirming([id])}
        onOpenLog={q.openLog}
      />

      <div className="history-actions" role="group" aria-label={`Actions for ${entry.label}`}>
        <button
          type="button"
          className="primary"
          aria-expanded={a.formOpen}
          aria-controls={`${formId}-form`}
          onClick={a.toggleForm}
          disabled={busy}
          data-testid="history-reprint"
        >
          Print again
        </button>
        <button
          type="button"
          onClick={() => setConfirming(cancel.map((c) => c.printJobId))}
          disabled={busy || cancel.length === 0}
          data-testid="history-cancel"
        >
          {a.busy === 'cancel' ? 'Cancelling…' : cancel.length > 1 ? 'Cancel all…' : 'Cancel…'}
        </button>
        <button
          type="button"
          onClick={a.retry}
          disabled={busy || retry.length === 0}
          data-testid="history-retry"
        >
          {a.busy === 'retry' ? 'Retrying…' : 'Retry'}
        </button>
        <button
          type="button"
          onClick={a.askWhy}
          disabled={busy || queued.length === 0}
          data-testid="history-troubleshoot"
        >
          {a.busy === 'troubleshoot' ? 'Asking…' : 'Why is it waiting?'}
        </button>
        {canOpenInPrintago && (
          <button
            type="button"
            onClick={a.openInPrintago}
            disabled={busy}
            data-testid="history-open"
            title={printagoPartUrl(entry)}
          >
            Open in Printago
          </button>
        )}
      </div>

      <QueueActions entry={entry} q={q} disabled={busy} />

      {a.formOpen && (
        <ReprintForm
          id={`${formId}-form`}
          entry={entry}
          printers={printers}
          values={a.form}
          onChange={a.editForm}
          onSubmit={a.reprint}
          busy={busy}
          queuing={a.busy === 'reprint'}
        />
      )}

      {a.error && <ErrorNotice error={a.error} what="It" testId="history-action-error" />}
      {confirming && (
        <CancelDialog
          entry={entry}
          copies={entry.copies.filter((c) => confirming.includes(c.printJobId))}
          printerName={printerName}
          onConfirm={() => {
            setConfirming(null)
            a.cancel(confirming)
          }}
          onClose={() => setConfirming(null)}
        />
      )}
      <div ref={feedbackRef} tabIndex={-1} className="history-feedback-wrap">
        <ActionFeedback entry={entry} now={now} notice={a.notice} openUrl={a.openUrl} why={a.why} />
      </div>
    </section>
  )
}
