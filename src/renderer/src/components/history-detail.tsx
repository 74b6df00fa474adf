// The detail pane of one history entry: facts, routing, every copy, sync age, and the actions
// (Print again, Cancel, Retry, Why is it waiting?, Open in Printago).
import { useEffect, useId, useState, type FormEvent, type ReactElement } from 'react'

import {
  jobStatusOf,
  printagoPartUrl,
  waitingHint,
  type HistoryEntry,
  type HistorySnapshot
} from '../../../shared/history'
import type { Troubleshoot } from '../../../shared/ipc'
import type { Priority } from '../../../shared/send'
import { formatBytes, formatInt, formatSize } from '../lib/format'
import { actionable, routingLabel, stateLabel, STATUS_LABEL, timeAgo } from '../lib/history-view'

interface DetailProps {
  entry: HistoryEntry
  sync: HistorySnapshot['sync']
  now: number
  printerName: (id: string) => string | undefined
  /** Called with the new entry after "Print again" succeeded. */
  onReprinted: (entry: HistoryEntry) => void
}

type Busy = null | 'reprint' | 'cancel' | 'retry' | 'troubleshoot' | 'open'

/** A status chip (also used by the list). */
export function StatusChip({ status }: { status: HistoryEntry['status'] }): ReactElement {
  return (
    <span className={`history-chip ${status}`} data-testid="history-status" data-status={status}>
      {STATUS_LABEL[status]}
    </span>
  )
}

/** The right-hand pane for the selected entry. */
export function HistoryDetail({
  entry,
  sync,
  now,
  printerName,
  onReprinted
}: DetailProps): ReactElement {
  const [busy, setBusy] = useState<Busy>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [formOpen, setFormOpen] = useState(false)
  const [why, setWhy] = useState<Troubleshoot | null>(null)
  const [quantity, setQuantity] = useState(String(entry.quantity))
  const [label, setLabel] = useState(entry.label)
  const [priority, setPriority] = useState<Priority>(entry.priority)
  const formId = useId()

  // A different entry: reset the pane.
  useEffect(() => {
    setBusy(null)
    setError(null)
    setNotice(null)
    setFormOpen(false)
    setWhy(null)
    setQuantity(String(entry.quantity))
    setLabel(entry.label)
    setPriority(entry.priority)
  }, [entry.id]) // eslint-disable-line react-hooks/exhaustive-deps

  const { cancel, retry, queued } = actionable(entry)
  const hint = waitingHint(entry, now)
  const qty = Number(quantity)
  const qtyValid = Number.isInteger(qty) && qty >= 1 && qty <= 500
  const labelValid = label.trim().length >= 1 && label.length <= 1024

  async function run<T>(
    kind: Exclude<Busy, null>,
    fn: () => Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>,
    done: (v: T) => void
  ): Promise<void> {
    setBusy(kind)
    setError(null)
    setNotice(null)
    try {
      const r = await fn()
      if (r.ok) done(r.value)
      else setError(r.error.message)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setBusy(null)
    }
  }

  const reprint = (e: FormEvent): void => {
    e.preventDefault()
    if (!qtyValid || !labelValid) return
    void run(
      'reprint',
      () =>
        window.api.history.reprint({
          entryId: entry.id,
          quantity: qty,
          label: label.trim(),
          priority
        }),
      (v) => {
        setFormOpen(false)
        setNotice(`Queued again: ${qty} ${qty === 1 ? 'copy' : 'copies'}.`)
        onReprinted(v.entry)
      }
    )
  }

  const syncText = ((): string => {
    const at = entry.syncedAt ?? null
    if (sync.mode === 'realtime' && !sync.error) return 'Live updates'
    if (sync.error)
      return `Last known state${at ? `, synced ${timeAgo(at, now)}` : ''} — ${sync.error}`
    return at ? `Synced ${timeAgo(at, now)}` : 'Not synced yet'
  })()

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
          <StatusChip status={entry.status} />
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
          {entry.triangles !== undefined ? ` · ${formatInt(entry.triangles)} triangles` : ''}
        </dd>
        <dt>SHA-256</dt>
        <dd className="mono small history-hash" title={entry.sha256}>
          {entry.sha256}
        </dd>
        <dt>Part</dt>
        <dd className="mono small">{entry.partId}</dd>
        <dt>Sync</dt>
        <dd className={sync.error ? 'warning' : 'muted'} data-testid="history-sync-age">
          {syncText}
        </dd>
      </dl>

      {hint && (
        <p className="history-hint" data-testid="history-waiting-hint">
          {hint}
        </p>
      )}

      <table className="history-copies" aria-label="Copies">
        <thead>
          <tr>
            <th scope="col">#</th>
            <th scope="col">Status</th>
            <th scope="col">Printer</th>
            <th scope="col">Updated</th>
          </tr>
        </thead>
        <tbody>
          {entry.copies.length === 0 && (
            <tr>
              <td colSpan={4} className="muted">
                Waiting for Printago to create the print jobs…
              </td>
            </tr>
          )}
          {entry.copies.map((c, i) => (
            <tr key={c.printJobId} data-testid="history-copy" data-state={c.status}>
              <td>{i + 1}</td>
              <td>
                <span className={`history-chip small ${jobStatusOf(c.status)}`}>
                  {stateLabel(c.status)}
                </span>
                {c.status === 'printing' && typeof c.progress === 'number' && (
                  <progress
                    className="history-progress"
                    max={100}
                    value={c.progress}
                    aria-label={`Copy ${i + 1} progress`}
                  >
                    {Math.round(c.progress)}%
                  </progress>
                )}
                {c.deletedOnServer && <span className="warning small"> deleted in Printago</span>}
                {c.errorMessage && <div className="error small">{c.errorMessage}</div>}
              </td>
              <td>
                {c.printerName ?? (c.printerId ? (printerName(c.printerId) ?? c.printerId) : '—')}
              </td>
              <td className="muted small">{c.updatedAt ? timeAgo(c.updatedAt, now) : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>

      <div className="history-actions" role="group" aria-label="Actions">
        <button
          type="button"
          className="primary"
          aria-expanded={formOpen}
          aria-controls={`${formId}-form`}
          onClick={() => setFormOpen((o) => !o)}
          disabled={busy !== null}
          data-testid="history-reprint"
        >
          Print again
        </button>
        <button
          type="button"
          onClick={() =>
            void run(
              'cancel',
              () => window.api.history.cancel({ entryId: entry.id }),
              (v) =>
                setNotice(
                  v.affected.length
                    ? `Cancelled ${v.affected.length} ${v.affected.length === 1 ? 'copy' : 'copies'}.`
                    : 'Nothing left to cancel.'
                )
            )
          }
          disabled={busy !== null || cancel.length === 0}
          data-testid="history-cancel"
        >
          {busy === 'cancel' ? 'Cancelling…' : 'Cancel'}
        </button>
        <button
          type="button"
          onClick={() =>
            void run(
              'retry',
              () => window.api.history.retry({ entryId: entry.id }),
              (v) =>
                setNotice(
                  v.affected.length
                    ? `Sent ${v.affected.length} ${v.affected.length === 1 ? 'copy' : 'copies'} back to the queue.`
                    : 'Nothing to retry.'
                )
            )
          }
          disabled={busy !== null || retry.length === 0}
          data-testid="history-retry"
        >
          {busy === 'retry' ? 'Retrying…' : 'Retry'}
        </button>
        <button
          type="button"
          onClick={() =>
            void run(
              'troubleshoot',
              () => window.api.history.troubleshoot({ printJobId: queued[0]!.printJobId }),
              setWhy
            )
          }
          disabled={busy !== null || queued.length === 0}
          data-testid="history-troubleshoot"
        >
          {busy === 'troubleshoot' ? 'Asking…' : 'Why is it waiting?'}
        </button>
        <button
          type="button"
          onClick={() =>
            void run(
              'open',
              () => window.api.shell.openExternal({ url: printagoPartUrl(entry) }),
              () => undefined
            )
          }
          disabled={busy !== null}
          data-testid="history-open"
          title={printagoPartUrl(entry)}
        >
          Open in Printago
        </button>
      </div>

      {formOpen && (
        <form
          id={`${formId}-form`}
          className="history-reprint-form"
          onSubmit={reprint}
          aria-label="Print again"
          data-testid="history-reprint-form"
        >
          <label>
            Quantity
            <input
              type="number"
              min={1}
              max={500}
              step={1}
              value={quantity}
              onChange={(e) => setQuantity(e.target.value)}
              aria-invalid={!qtyValid}
              data-testid="history-reprint-quantity"
            />
          </label>
          <label className="grow">
            Label
            <input
              value={label}
              maxLength={1024}
              onChange={(e) => setLabel(e.target.value)}
              aria-invalid={!labelValid}
              data-testid="history-reprint-label"
            />
          </label>
          <label>
            Priority
            <select
              value={priority}
              onChange={(e) => setPriority(e.target.value as Priority)}
              data-testid="history-reprint-priority"
            >
              <option value="normal">Normal</option>
              <option value="low">Low</option>
            </select>
          </label>
          <button
            type="submit"
            className="primary"
            disabled={busy !== null || !qtyValid || !labelValid}
            data-testid="history-reprint-submit"
          >
            {busy === 'reprint'
              ? 'Queuing…'
              : `Queue ${qtyValid ? qty : ''} ${qty === 1 ? 'copy' : 'copies'}`}
          </button>
        </form>
      )}

      {error && (
        <p className="error-box" role="alert" data-testid="history-action-error">
          {error}
        </p>
      )}
      {notice && (
        <p className="notice" role="status" data-testid="history-action-notice">
          {notice}
        </p>
      )}
      {why && (
        <div className="history-why" data-testid="history-troubleshoot-result" aria-live="polite">
          <p className="history-why-summary">{why.summary}</p>
          <ul>
            {why.printers.map((p) => (
              <li key={p.printerId} className={p.matched ? 'ok' : ''}>
                <strong>{p.printerName}</strong>: {p.matched ? 'can take it' : p.reason}
              </li>
            ))}
          </ul>
        </div>
      )}
    </section>
  )
}
