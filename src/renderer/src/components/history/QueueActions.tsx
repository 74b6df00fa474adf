// The operator's queue actions of the detail pane — Move to front, Pause, Resume, Clear finished —
// each enabled only when some copy it applies to exists, with its outcome, and a failed copy's
// slicer log when asked for.
import type { ReactElement } from 'react'

import type { HistoryEntry } from '../../../../shared/history'
import { queueActionable } from '../../lib/operator-view'
import type { QueueActions as Actions } from './useQueueActions'

interface Props {
  entry: HistoryEntry
  q: Actions
  /** Another action of the pane is running. */
  disabled: boolean
}

export function QueueActions({ entry, q, disabled }: Props): ReactElement {
  const act = queueActionable(entry)
  const busy = disabled || q.busy !== null
  const several = (ids: string[]): string => (ids.length > 1 ? ` (${ids.length})` : '')
  return (
    <>
      <div
        className="history-actions queue"
        role="group"
        aria-label={`Queue actions for ${entry.label}`}
      >
        <button
          type="button"
          onClick={q.moveToFront}
          disabled={busy || act.front.length === 0}
          data-testid="history-move-front"
          title="Put the queued copies ahead of their priority tier in Printago's queue"
        >
          {q.busy === 'front' ? 'Moving…' : `Move to front${several(act.front)}`}
        </button>
        <button
          type="button"
          onClick={q.pause}
          disabled={busy || act.pause.length === 0}
          data-testid="history-pause"
        >
          {q.busy === 'pause' ? 'Pausing…' : `Pause${several(act.pause)}`}
        </button>
        <button
          type="button"
          onClick={q.resume}
          disabled={busy || act.resume.length === 0}
          data-testid="history-resume"
        >
          {q.busy === 'resume' ? 'Resuming…' : `Resume${several(act.resume)}`}
        </button>
        <button
          type="button"
          onClick={q.clearFinished}
          disabled={busy || act.clear.length === 0}
          data-testid="history-clear-finished"
          title="Remove the finished copies from Printago's queue (they stay in this history)"
        >
          {q.busy === 'clear' ? 'Clearing…' : 'Clear finished'}
        </button>
      </div>
      <div aria-live="polite">
        {q.notice && (
          <p className="notice" data-testid="history-queue-notice">
            {q.notice}
          </p>
        )}
        {q.error && (
          <p className="error-box" role="alert" data-testid="history-queue-error">
            {q.error}
          </p>
        )}
      </div>
      {q.log && (
        <section
          className="history-log"
          aria-label="Slicer log"
          data-testid="history-slicer-log-panel"
        >
          <header>
            <strong>Slicer log</strong>
            {q.log.truncated && <span className="muted small"> · the end of a longer log</span>}
            <button type="button" onClick={q.closeLog} aria-label="Close the slicer log">
              ×
            </button>
          </header>
          <pre data-testid="history-slicer-log-text">{q.log.text}</pre>
        </section>
      )}
    </>
  )
}
