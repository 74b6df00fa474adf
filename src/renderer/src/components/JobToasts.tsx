// Toasts for jobs that printed or failed, seen from any tab: each says what and where, "Show"
// opens the entry in the history, × dismisses it. A polite live region, so a screen reader hears
// them without losing its place.
import type { ReactElement } from 'react'

import type { JobToast } from '../hooks/useJobAlerts'

interface JobToastsProps {
  toasts: JobToast[]
  onShow: (entryId: string) => void
  onDismiss: (id: string) => void
}

/** The stack of toasts in the window's corner. */
export function JobToasts({ toasts, onShow, onDismiss }: JobToastsProps): ReactElement {
  return (
    <div className="toasts" aria-live="polite" data-testid="toasts">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.tone}`} data-testid="toast" data-tone={t.tone}>
          <span className="wrap">{t.text}</span>
          <button
            type="button"
            onClick={() => {
              onDismiss(t.id)
              onShow(t.entryId)
            }}
          >
            Show
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label="Dismiss"
            onClick={() => onDismiss(t.id)}
          >
            ×
          </button>
        </div>
      ))}
    </div>
  )
}
