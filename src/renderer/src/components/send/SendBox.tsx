// The foot of the send panel (it stays in view while the panel scrolls): the summary, files that
// cannot go with this routing (each with "Leave out"), what stays behind and why Send is disabled,
// Send / Check with Printago / Cancel, how the send ended, and each file's progress. Focus follows
// the send: to the progress when it starts, to its outcome when it ends.
import { useEffect, useRef, type ReactElement } from 'react'

import type { LoadedFile } from '../../lib/files'
import type { SendState } from '../../hooks/useSend'
import { ErrorNotice } from '../ErrorNotice'
import { describeSendError, STEP_LABEL } from './send-words'

interface SendBoxProps {
  summary: string | null
  leftOut: string[]
  problems: string[]
  blocked: Array<{ key: string; name: string; reason: string }>
  /** Files the button sends (its label counts them). */
  sendableCount: number
  canSend: boolean
  send: SendState
  files: LoadedFile[]
  onSend: () => void
  /** The dry run on demand. */
  onPreview: () => void
  onLeaveOut: (key: string) => void
  onCancel: () => void
  onOpenSettings: () => void
}

const baseName = (p: string): string => p.split(/[\\/]/).pop() ?? p

/** Summary, problems, the Send button and the progress list. */
export function SendBox(props: SendBoxProps): ReactElement {
  const { send, leftOut, problems, blocked } = props
  const progressRef = useRef<HTMLDivElement>(null)
  const outcomeRef = useRef<HTMLDivElement>(null)
  // Keyboard users keep their place: Send is disabled while sending, so focus would fall to the
  // page; it moves to the progress, then to how the send ended.
  const hadFocus = useRef(false)
  useEffect(() => {
    if (send.running) {
      // Send (here, or in the dry run's dialog, which has just closed) had the focus: the
      // button is disabled now, so focus would be on the page.
      const el = document.activeElement
      hadFocus.current = !el || el === document.body || el.closest('.send-box') != null
      if (hadFocus.current) progressRef.current?.focus()
    } else if (send.doneAt && hadFocus.current) {
      outcomeRef.current?.focus()
      hadFocus.current = false
    }
  }, [send.running, send.doneAt])

  const ended = !send.running && send.doneAt !== null && send.keys.length > 0
  const queued = send.keys.filter((_, i) => send.progress[i]?.step === 'done').length
  return (
    <div className="send-box" data-testid="send-box">
      {props.summary && (
        <p className="summary" data-testid="send-summary">
          {props.summary}
        </p>
      )}
      {blocked.length > 0 && (
        <ul className="blocked-list" data-testid="send-blocked">
          {blocked.map((b) => (
            <li key={b.key}>
              <span>
                <strong className="wrap">{b.name}</strong> {b.reason}
              </span>
              <button type="button" onClick={() => props.onLeaveOut(b.key)}>
                Leave out {b.name}
              </button>
            </li>
          ))}
        </ul>
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
        {!send.running && (
          <button
            type="button"
            onClick={props.onPreview}
            disabled={!props.canSend}
            data-testid="preview-button"
            title="Ask Printago which jobs this send creates, without queuing anything"
          >
            Dry run
          </button>
        )}
        {send.running && (
          <button type="button" onClick={props.onCancel} data-testid="send-cancel">
            Cancel
          </button>
        )}
      </div>
      <div ref={outcomeRef} tabIndex={-1} className="send-outcome" data-testid="send-outcome">
        {ended && !send.error && queued > 0 && (
          <p className="ok-note" role="status" data-testid="send-result">
            Queued {queued} file{queued === 1 ? '' : 's'} on Printago. Follow them in History.
          </p>
        )}
        {send.resumed && send.resumed.length > 0 && (
          <p className="notice" role="status" data-testid="send-resumed">
            Resumed your unfinished send of {send.resumed.map(baseName).join(', ')} instead of
            sending it twice.
          </p>
        )}
        {send.notice && (
          <p className="notice" role="status" data-testid="send-notice">
            {send.notice}
          </p>
        )}
        {send.error && (
          <ErrorNotice
            error={send.error}
            what="The send"
            onOpenSettings={props.onOpenSettings}
            role={send.error.code === 'outcome-unknown' ? 'status' : 'alert'}
            tone={send.error.code === 'outcome-unknown' ? 'warning' : 'error'}
            testId="send-error"
          />
        )}
      </div>
      {send.keys.length > 0 && (
        <div
          ref={progressRef}
          tabIndex={-1}
          className="progress-wrap"
          aria-label="Send progress"
          role="group"
        >
          <SendProgressList send={send} files={props.files} />
        </div>
      )}
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
            <span className="small wrap">{file?.name ?? p?.path}</span>
            <span className={`step ${step}`}>
              {step === 'waiting-rate-limit' && p?.waitSeconds !== undefined
                ? `Waiting ${Math.ceil(p.waitSeconds)} s for Printago's rate limit`
                : (STEP_LABEL[step] ?? step)}
              {step === 'uploading' &&
                p?.fraction !== undefined &&
                ` ${Math.round(p.fraction * 100)}%`}
              {p?.reusedPart && step !== 'failed' && ' · already uploaded — reusing part'}
              {p?.resumed && step !== 'failed' && ' · resumed'}
            </span>
            {(step === 'uploading' || step === 'hashing') && (
              <progress
                max={1}
                value={p?.fraction ?? 0}
                aria-label={`${file?.name ?? 'File'} progress`}
              />
            )}
            {p?.error && (
              <span className="error small">
                {describeSendError({ code: p.error.code, message: p.error.message })}
              </span>
            )}
          </li>
        )
      })}
    </ol>
  )
}
