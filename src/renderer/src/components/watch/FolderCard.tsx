// One hot folder: its state (and why, when it is in error), what it did so far, its rules, the
// files held for review, and pause/resume and remove.
import type { ReactElement } from 'react'

import type { WatchFolderView } from '../../../../shared/watch'
import { rulesSummary, STATE_WORDS } from './watch-words'

interface FolderCardProps {
  folder: WatchFolderView
  onPause: (paused: boolean) => void
  onRemove: () => void
  onRelease: (file?: string) => void
}

export function FolderCard({
  folder,
  onPause,
  onRemove,
  onRelease
}: FolderCardProps): ReactElement {
  const { config, state, message, counts, settling, held } = folder
  const words = STATE_WORDS[state]
  return (
    <li className="card watch-folder" data-testid="watch-folder" data-state={state}>
      <div className="watch-folder-head">
        <h3 className="mono wrap">{config.folder}</h3>
        <span className={`watch-chip ${words.tone}`} data-testid="watch-state">
          {words.label}
        </span>
      </div>
      {message && (
        <p className={state === 'error' ? 'error' : 'muted'} data-testid="watch-message">
          {message}
        </p>
      )}
      <p className="small muted">{rulesSummary(config)}</p>
      <p className="small" data-testid="watch-counts">
        {counts.sent} sent · {counts.failed} failed
        {counts.duplicate > 0 ? ` · ${counts.duplicate} already sent` : ''}
        {settling > 0 ? ` · ${settling} being written` : ''}
      </p>
      {held.length > 0 && (
        <div className="watch-held">
          <p className="small">Held for review:</p>
          <ul>
            {held.map((file) => (
              <li key={file}>
                <span className="mono wrap">{file}</span>
                <button type="button" className="small" onClick={() => onRelease(file)}>
                  Send <span className="sr-only">{file}</span>
                </button>
              </li>
            ))}
          </ul>
          {held.length > 1 && (
            <button type="button" className="small" onClick={() => onRelease()}>
              Send all {held.length}
            </button>
          )}
        </div>
      )}
      <div className="row">
        <button type="button" onClick={() => onPause(!config.paused)} data-testid="watch-pause">
          {config.paused ? 'Resume' : 'Pause'}
        </button>
        <button type="button" className="danger" onClick={onRemove}>
          Stop watching
        </button>
      </div>
    </li>
  )
}
