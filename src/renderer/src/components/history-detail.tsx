// The detail pane of one history entry: facts, routing, every copy, sync age, and the actions
// (Print again, Cancel, Retry, Why is it waiting?, Open in Printago).
import { labelProblem, MAX_LABEL_LENGTH, MAX_QUANTITY, quantityProblem } from '../../../shared/send'
import { timeAgo } from '../../../shared/format'
import { useEffect, useId, useRef, useState, type FormEvent, type ReactElement } from 'react'

import {
  printagoPartUrl,
  waitingHint,
  type HistoryEntry,
  type HistorySnapshot
} from '../../../shared/history'
import type { Troubleshoot } from '../../../shared/ipc'
import type { Priority } from '../../../shared/send'
import { formatBytes, formatCount, formatSize } from '../../../shared/format'
import {
  actionable,
  copyChip,
  deletedNote,
  entryChip,
  noJobsText,
  routingLabel,
  stateLabel,
  troubleshootKey,
  type Chip
} from '../lib/history-view'

interface DetailProps {
  entry: HistoryEntry
  sync: HistorySnapshot['sync']
  now: number
  printerName: (id: string) => string | undefined
  /** Called with the new entry after "Print again" succeeded. */
  onReprinted: (entry: HistoryEntry) => void
}

type Busy = null | 'reprint' | 'cancel' | 'retry' | 'troubleshoot' | 'open'

/** A "Why is it waiting?" answer and what it was about (see `troubleshootKey`). */
interface WhyAnswer {
  key: string
  printJobId: string
  askedAt: number
  answer: Troubleshoot
}

/**
 * An entry's status chip (also used by the list). `data-status` is always the entry's status
 * (an entry deleted in Printago is `cancelled`); the words and look come from `entryChip`.
 */
export function StatusChip({
  entry
}: {
  entry: Pick<HistoryEntry, 'status' | 'copies'>
}): ReactElement {
  const chip: Chip = entryChip(entry)
  return (
    <span
      className={`history-chip ${chip.tone}`}
      data-testid="history-status"
      data-status={entry.status}
      data-tone={chip.tone}
    >
      {chip.label}
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
  const [why, setWhy] = useState<WhyAnswer | null>(null)
  /** Set when "Open in Printago" could not open a browser itself (the browser bridge). */
  const [openUrl, setOpenUrl] = useState<string | null>(null)
  const [copyNote, setCopyNote] = useState<string | null>(null)
  const linkRef = useRef<HTMLAnchorElement>(null)
  const [quantity, setQuantity] = useState(String(entry.quantity))
  const [label, setLabel] = useState(entry.label)
  const [priority, setPriority] = useState<Priority>(entry.priority)
  const formId = useId()
  // The entry shown now: answers that arrive for an entry no longer shown are dropped.
  const shownId = useRef(entry.id)
  shownId.current = entry.id

  // A different entry: reset the pane.
  useEffect(() => {
    setBusy(null)
    setError(null)
    setNotice(null)
    setFormOpen(false)
    setWhy(null)
    setOpenUrl(null)
    setCopyNote(null)
    setQuantity(String(entry.quantity))
    setLabel(entry.label)
    setPriority(entry.priority)
  }, [entry.id]) // eslint-disable-line react-hooks/exhaustive-deps

  const { cancel, retry, queued } = actionable(entry)
  const hint = waitingHint(entry, now)
  const deleted = deletedNote(entry)

  // A "Why is it waiting?" answer is about one state of one job: once the entry's status or
  // that job's state changed (taken by a printer, printed, cancelled…) it is stale — drop it.
  const whyKey = why ? troubleshootKey(entry, why.printJobId) : null
  const whyCurrent = why !== null && why.key === whyKey
  useEffect(() => {
    if (why && !whyCurrent) setWhy(null)
  }, [why, whyCurrent])
  const qty = Number(quantity)
  const qtyValid = quantityProblem(qty) === null
  const labelValid = labelProblem(label) === null

  async function run<T>(
    kind: Exclude<Busy, null>,
    fn: () => Promise<{ ok: true; value: T } | { ok: false; error: { message: string } }>,
    done: (v: T) => void
  ): Promise<void> {
    const forId = entry.id
    setBusy(kind)
    setError(null)
    setNotice(null)
    setOpenUrl(null)
    setCopyNote(null)
    try {
      const r = await fn()
      if (shownId.current !== forId) return // another entry is shown now
      if (r.ok) done(r.value)
      else setError(r.error.message)
    } catch (e) {
      if (shownId.current === forId) setError((e as Error).message)
    } finally {
      if (shownId.current === forId) setBusy(null)
    }
  }

  const askWhy = (): void => {
    const copy = queued[0]
    if (!copy) return
    const key = troubleshootKey(entry, copy.printJobId)
    void run(
      'troubleshoot',
      () => window.api.history.troubleshoot({ printJobId: copy.printJobId }),
      (answer) => {
        setWhy({ key, printJobId: copy.printJobId, askedAt: Date.now(), answer })
      }
    )
  }

  /** Copies the shown address; where the clipboard is not allowed, selects it for Ctrl+C. */
  const copyOpenUrl = async (): Promise<void> => {
    if (!openUrl) return
    try {
      await navigator.clipboard.writeText(openUrl)
      setCopyNote('Copied.')
    } catch {
      const link = linkRef.current
      const selection = window.getSelection()
      if (link && selection) {
        const range = document.createRange()
        range.selectNodeContents(link)
        selection.removeAllRanges()
        selection.addRange(range)
      }
      setCopyNote('Selected: press Ctrl+C (⌘C on a Mac) to copy it.')
    }
  }

  const openInPrintago = (): void => {
    const url = printagoPartUrl(entry)
    void run(
      'open',
      () => window.api.shell.openExternal({ url }),
      (v) => {
        // Without a desktop shell (the browser bridge) nothing opened: show the address instead.
        if (v.opened) setNotice('Opened in your browser.')
        else setOpenUrl(url)
      }
    )
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
          {syncText}
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
              <td colSpan={4} className="muted" data-testid="history-no-jobs">
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
                  {c.errorMessage && <div className="error small">{c.errorMessage}</div>}
                </td>
                <td>
                  {c.printerName ?? (c.printerId ? (printerName(c.printerId) ?? c.printerId) : '—')}
                </td>
                <td className="muted small">{c.updatedAt ? timeAgo(c.updatedAt, now) : ''}</td>
              </tr>
            )
          })}
        </tbody>
      </table>

      <div className="history-actions" role="group" aria-label={`Actions for ${entry.label}`}>
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
          onClick={askWhy}
          disabled={busy !== null || queued.length === 0}
          data-testid="history-troubleshoot"
        >
          {busy === 'troubleshoot' ? 'Asking…' : 'Why is it waiting?'}
        </button>
        <button
          type="button"
          onClick={openInPrintago}
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
              max={MAX_QUANTITY}
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
              maxLength={MAX_LABEL_LENGTH}
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
      {/* Always present, so screen readers announce what appears in it. */}
      <div className="history-feedback" aria-live="polite">
        {notice && (
          <p className="notice" data-testid="history-action-notice">
            {notice}
          </p>
        )}
        {openUrl && (
          <p className="notice history-open-url" data-testid="history-open-url">
            Open this address in your browser:{' '}
            <a
              ref={linkRef}
              href={openUrl}
              target="_blank"
              rel="noopener noreferrer"
              draggable={false}
              data-testid="history-open-url-link"
            >
              {openUrl}
            </a>{' '}
            <button type="button" className="small" onClick={() => void copyOpenUrl()}>
              Copy address
            </button>
            {copyNote && <span className="muted small"> {copyNote}</span>}
          </p>
        )}
        {why && whyCurrent && (
          <div className="history-why" data-testid="history-troubleshoot-result">
            <p className="history-why-summary">{why.answer.summary}</p>
            <ul>
              {why.answer.printers.map((p) => (
                <li key={p.printerId} className={p.matched ? 'ok' : ''}>
                  <strong>{p.printerName}</strong>: {p.matched ? 'can take it' : p.reason}
                </li>
              ))}
            </ul>
            <p className="muted small">
              About copy {entry.copies.findIndex((c) => c.printJobId === why.printJobId) + 1}, asked{' '}
              {timeAgo(why.askedAt, now)}.
            </p>
          </div>
        )}
      </div>
    </section>
  )
}
