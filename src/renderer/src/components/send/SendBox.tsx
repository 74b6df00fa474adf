// The foot of the send panel: the summary, what stays behind and why Send is disabled, Send and
// Cancel, how the send ended, and each file's progress through the pipeline.
import type { ReactElement } from 'react'

import type { LoadedFile } from '../../lib/files'
import type { SendState } from '../../hooks/useSend'
import { describeSendError, STEP_LABEL } from './send-words'

interface SendBoxProps {
  summary: string | null
  leftOut: string[]
  problems: string[]
  /** Files the button sends (its label counts them). */
  sendableCount: number
  canSend: boolean
  send: SendState
  files: LoadedFile[]
  onSend: () => void
  onCancel: () => void
  onOpenSettings: () => void
}

/** Summary, problems, the Send button and the progress list. */
export function SendBox(props: SendBoxProps): ReactElement {
  const { send, leftOut, problems } = props
  return (
    <div className="send-box">
      {props.summary && (
        <p className="summary" data-testid="send-summary">
          {props.summary}
        </p>
      )}
      {leftOut.length > 0 && (
        <ul className="problems" data-testid="send-left-out">
          {leftOut.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      {problems.length > 0 && (
        <ul className="problems" data-testid="send-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
      <div className="send-actions">
        <button
          type="button"
          className="primary"
          disabled={!props.canSend || send.running}
          onClick={props.onSend}
          data-testid="send-button"
        >
          {send.running
            ? 'Sending…'
            : `Send ${props.sendableCount > 1 ? `${props.sendableCount} files` : ''}`.trim()}
        </button>
        {send.running && (
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
        )}
      </div>
      {send.notice && (
        <p className="notice" role="status" data-testid="send-notice">
          {send.notice}
        </p>
      )}
      {send.error && (
        <div className="error-box" role="alert" data-testid="send-error">
          {describeSendError(send.error)}
          {send.error.code === 'auth' && (
            <button type="button" onClick={props.onOpenSettings}>
              Open settings
            </button>
          )}
        </div>
      )}
      {send.keys.length > 0 && <SendProgressList send={send} files={props.files} />}
    </div>
  )
}

/** One row per file of the send: its step, upload share, reuse and error. */
function SendProgressList({ send, files }: { send: SendState; files: LoadedFile[] }): ReactElement {
  return (
    <ol className="progress-list" data-testid="send-progress" aria-live="polite">
      {send.keys.map((key, i) => {
        const p = send.progress[i]
        const file = files.find((f) => f.key === key)
        const step = p?.step ?? 'queued-locally'
        return (
          <li key={key} data-step={step} data-testid="progress-row">
            <span className="small">{file?.name ?? p?.path}</span>
            <span className={`step ${step}`}>
              {step === 'waiting-rate-limit' && p?.waitSeconds !== undefined
                ? `Waiting ${Math.ceil(p.waitSeconds)} s for Printago's rate limit`
                : (STEP_LABEL[step] ?? step)}
              {step === 'uploading' &&
                p?.fraction !== undefined &&
                ` ${Math.round(p.fraction * 100)}%`}
              {p?.reusedPart && step !== 'failed' && ' · already uploaded — reusing part'}
            </span>
            {(step === 'uploading' || step === 'hashing') && (
              <progress max={1} value={p?.fraction ?? 0} />
            )}
            {p?.error && <span className="error small">{describeSendError(p.error)}</span>}
          </li>
        )
      })}
    </ol>
  )
}
