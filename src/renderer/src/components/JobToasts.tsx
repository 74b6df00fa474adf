// Toasts for jobs that printed or failed, seen from any tab: each says what and where, "Show"
// opens the entry in the history, × dismisses it. A polite live region, so a screen reader hears
// them without losing its place.
import type { ReactElement } from 'react'

import type { JobToast } from '../hooks/useJobAlerts'
import { Toast } from './Toast'

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
        <Toast
          key={t.id}
          text={t.text}
          tone={t.tone}
          testId="toast"
          onShow={() => onShow(t.entryId)}
          onDismiss={() => onDismiss(t.id)}
        />
      ))}
    </div>
  )
}
