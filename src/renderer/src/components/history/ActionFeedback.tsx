// What an action of the detail pane answered: a notice, the Printago address to open by hand (the
// browser bridge has no shell), or why a job is still waiting. Always present, so screen readers
// announce what appears in it.
import { useRef, useState, type ReactElement } from 'react'

import { timeAgo } from '../../../../shared/format'
import type { HistoryEntry } from '../../../../shared/history'
import type { WhyAnswer } from './useEntryActions'

interface ActionFeedbackProps {
  entry: HistoryEntry
  now: number
  notice: string | null
  openUrl: string | null
  why: WhyAnswer | null
}

/** The live region under the actions. */
export function ActionFeedback({
  entry,
  now,
  notice,
  openUrl,
  why
}: ActionFeedbackProps): ReactElement {
  return (
    <div className="history-feedback" aria-live="polite">
      {notice && (
        <p className="notice" data-testid="history-action-notice">
          {notice}
        </p>
      )}
      {openUrl && <OpenUrlNote url={openUrl} />}
      {why && (
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
  )
}

/** The address with a copy button; where the clipboard is not allowed, it selects the address. */
function OpenUrlNote({ url }: { url: string }): ReactElement {
  const linkRef = useRef<HTMLAnchorElement>(null)
  const [copyNote, setCopyNote] = useState<string | null>(null)
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(url)
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
  return (
    <p className="notice history-open-url" data-testid="history-open-url">
      Open this address in your browser:{' '}
      <a
        ref={linkRef}
        href={url}
        target="_blank"
        rel="noopener noreferrer"
        draggable={false}
        data-testid="history-open-url-link"
      >
        {url}
      </a>{' '}
      <button type="button" className="small" onClick={() => void copy()}>
        Copy address
      </button>
      {copyNote && <span className="muted small"> {copyNote}</span>}
    </p>
  )
}
