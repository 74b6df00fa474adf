// One toast of a stack (jobs, hot folders): its words, "Show" (which also dismisses it) and ×.
import type { ReactElement } from 'react'

interface ToastProps {
  text: string
  tone: string
  testId: string
  onShow: () => void
  onDismiss: () => void
}

export function Toast({ text, tone, testId, onShow, onDismiss }: ToastProps): ReactElement {
  return (
    <div className={`toast ${tone}`} data-testid={testId} data-tone={tone}>
      <span className="wrap">{text}</span>
      <button
        type="button"
        onClick={() => {
          onDismiss()
          onShow()
        }}
      >
        Show
      </button>
      <button type="button" className="icon-button" aria-label="Dismiss" onClick={onDismiss}>
        ×
      </button>
    </div>
  )
}
