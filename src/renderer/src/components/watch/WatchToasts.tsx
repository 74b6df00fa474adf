// A toast for each file a hot folder could not send, seen from any tab; "Show" opens the Hot
// folders tab. A polite live region, like the job toasts.
import type { ReactElement } from 'react'

import type { WatchEvent } from '../../../../shared/watch'
import { Toast } from '../Toast'

interface WatchToastsProps {
  toasts: WatchEvent[]
  onShow: () => void
  onDismiss: (id: number) => void
}

export function WatchToasts({ toasts, onShow, onDismiss }: WatchToastsProps): ReactElement {
  return (
    <div className="toasts watch-toasts" aria-live="polite" data-testid="watch-toasts">
      {toasts.map((t) => (
        <Toast
          key={t.id}
          text={`Hot folder: ${t.file} was not sent. ${t.message ?? ''}`}
          tone="failed"
          testId="watch-toast"
          onShow={onShow}
          onDismiss={() => onDismiss(t.id)}
        />
      ))}
    </div>
  )
}
