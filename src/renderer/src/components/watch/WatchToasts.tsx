// A toast for each file a hot folder could not send, seen from any tab; "Show" opens the Hot
// folders tab. A polite live region, like the job toasts.
import type { ReactElement } from 'react'

import type { WatchEvent } from '../../../../shared/watch'

interface WatchToastsProps {
  toasts: WatchEvent[]
  onShow: () => void
  onDismiss: (id: number) => void
}

export function WatchToasts({ toasts, onShow, onDismiss }: WatchToastsProps): ReactElement {
  return (
    <div className="toasts watch-toasts" aria-live="polite" data-testid="watch-toasts">
      {toasts.map((t) => (
        <div key={t.id} className="toast failed" data-testid="watch-toast">
          <span className="wrap">
            Hot folder: {t.file} was not sent. {t.message ?? ''}
          </span>
          <button
            type="button"
            onClick={() => {
              onDismiss(t.id)
              onShow()
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
