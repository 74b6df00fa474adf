// The detail pane of one history entry: facts, routing, every copy, sync age, and the actions
// (Print again, Cancel, Retry, Why is it waiting?, Open in Printago).
import { useId, type ReactElement } from 'react'

import { formatBytes, formatCount, formatSize, timeAgo } from '../../../../shared/format'
import {
  printagoPartUrl,
  waitingHint,
  type HistoryEntry,
  type HistorySnapshot
} from '../../../../shared/history'
import { actionable, deletedNote, routingLabel } from '../../lib/history-view'
import { ActionFeedback } from './ActionFeedback'
import { CopiesTable } from './CopiesTable'
import { ReprintForm } from './ReprintForm'
import { StatusChip } from './StatusChip'
import { useEntryActions } from './useEntryActions'

interface DetailProps {
  entry: HistoryEntry
  sync: HistorySnapshot['sync']
  now: number
  printerName: (id: string) => string | undefined
  /** Called with the new entry after "Print again" succeeded. */
  onReprinted: (entry: HistoryEntry) => void
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
  onReprinted
}: DetailProps): ReactElement {
  const formId = useId()
  const a = useEntryActions(entry, onReprinted)
  const { cancel, retry, queued } = actionable(entry)
  const hint = waitingHint(entry, now)
  const deleted = deletedNote(entry)
  const busy = a.busy !== null

  return (
    <section
      className="history-detail"
      aria-labelledby={`${formId}-title`}
      data-testid="history-detail"
    >
      <header className="history-detail-head">
        <div className="history-thumb large" aria-hidden="true">
          {entry.thumbnail ? (
            <img src={entry.thumbnail} alt="" width={96} height={96} />
          ) : (
            <span>STL</span>
          )}
        </div>
        <div className="history-detail-title">
          <h3 id={`${formId}-title`}>{entry.label}</h3>
          <p className="muted small">{entry.fileName}</p>
          <StatusChip entry={entry} />
          {entry.reprintOf && <span className="history-reprint-badge">Printed again</span>}
        </div>
      </header>

      <dl className="history-facts">
        <dt>Sent</dt>
        <dd title={new Date(entry.sentAt).toLocaleString()}>{timeAgo(entry.sentAt, now)}</dd>
        <dt>Routing</dt>
        <dd data-testid="history-routing">{routingLabel(entry, printerName)}</dd>
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
        <dt>Part</dt>
        <dd className="mono small">{entry.partId}</dd>
        <dt>Sync</dt>
        <dd className={sync.error ? 'warning' : 'muted'} data-testid="history-sync-age">
          {syncText(entry, sync, now)}
        </dd>
      </dl>

      {hint && (
        <p className="history-hint" data-testid="history-waiting-hint">
          {hint}
        </p>
      )}
      {deleted && (
        <p className="history-hint deleted" data-testid="history-deleted-note">
          {deleted}
        </p>
      )}

      <CopiesTable entry={entry} now={now} printerName={printerName} />

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
          onClick={a.cancel}
          disabled={busy || cancel.length === 0}
          data-testid="history-cancel"
        >
          {a.busy === 'cancel' ? 'Cancelling…' : 'Cancel'}
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
        <button
          type="button"
          onClick={a.openInPrintago}
          disabled={busy}
          data-testid="history-open"
          title={printagoPartUrl(entry)}
        >
          Open in Printago
        </button>
      </div>

      {a.formOpen && (
        <ReprintForm
          id={`${formId}-form`}
          values={a.form}
          onChange={a.editForm}
          onSubmit={a.reprint}
          busy={busy}
          queuing={a.busy === 'reprint'}
        />
      )}

      {a.error && (
        <p className="error-box" role="alert" data-testid="history-action-error">
          {a.error}
        </p>
      )}
      <ActionFeedback entry={entry} now={now} notice={a.notice} openUrl={a.openUrl} why={a.why} />
    </section>
  )
}
