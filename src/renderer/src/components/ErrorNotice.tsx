// An error in words (lib/error-words.ts), with the technical detail behind a "Details" toggle
// and the next step as a button where there is one (Open settings).
import type { ReactElement, ReactNode } from 'react'

import type { AppError } from '../../../shared/result'
import { errorWords } from '../lib/error-words'

interface ErrorNoticeProps {
  error: AppError
  /** Names what failed in the default wording ("The send", "Print again"). */
  what?: string
  onOpenSettings?: () => void
  /** Extra words after the sentence (e.g. "Showing the list from 2 min ago."). */
  children?: ReactNode
  /** `alert` for a failure the user just caused; `status` for background news. */
  role?: 'alert' | 'status'
  testId?: string
  tone?: 'error' | 'warning'
}

/** The sentence, the action and the details. */
export function ErrorNotice({
  error,
  what,
  onOpenSettings,
  children,
  role = 'alert',
  testId,
  tone = 'error'
}: ErrorNoticeProps): ReactElement {
  const words = errorWords(error, what)
  const detail = [
    `code: ${error.code}`,
    error.message,
    ...Object.entries(error.details ?? {}).map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
  ].join('\n')
  return (
    <div
      className={tone === 'error' ? 'error-box' : 'warning-box'}
      role={role}
      data-testid={testId}
    >
      <div className="error-words">
        <span data-testid={testId ? `${testId}-text` : undefined}>
          {words.text}
          {children ? <> {children}</> : null}
        </span>
        {words.action === 'settings' && onOpenSettings && (
          <button type="button" onClick={onOpenSettings}>
            Open settings
          </button>
        )}
      </div>
      <details className="error-details">
        <summary>Details</summary>
        <pre>{detail}</pre>
      </details>
    </div>
  )
}
