// The dry run before a send of several files or copies (and on demand): what Printago says the
// send would create (`POST /v2/builds/preview`), per file and in all, then Send or Back.
import { useEffect, useRef, type ReactElement } from 'react'

import { formatCount } from '../../../../shared/format'
import type { AppError } from '../../../../shared/result'
import type { SendPreview } from '../../../../shared/send'
import { ErrorNotice } from '../ErrorNotice'
import { Modal } from '../Modal'

export type DryRun =
  | { status: 'loading' }
  | { status: 'done'; preview: SendPreview }
  | { status: 'error'; error: AppError }

interface DryRunDialogProps {
  run: DryRun
  /** File names by the request's paths. */
  nameOf: (path: string) => string
  /** False when the dialog was opened on demand with nothing sendable yet. */
  canSend: boolean
  onSend: () => void
  onClose: () => void
}

const jobs = (n: number): string => `${formatCount(n)} job${n === 1 ? '' : 's'}`

/** The dry run's answer and the choice to send. */
export function DryRunDialog({
  run,
  nameOf,
  canSend,
  onSend,
  onClose
}: DryRunDialogProps): ReactElement {
  const sendRef = useRef<HTMLButtonElement>(null)
  const backRef = useRef<HTMLButtonElement>(null)
  // The answer arrived: the next step is Send.
  useEffect(() => {
    if (run.status === 'done' && canSend) sendRef.current?.focus()
  }, [run.status, canSend])
  return (
    <Modal
      title="Check with Printago"
      onClose={onClose}
      testId="dry-run"
      className="dry-run"
      initialFocus={run.status === 'done' && canSend ? sendRef : backRef}
    >
      {run.status === 'loading' && (
        <p role="status" aria-live="polite" data-testid="dry-run-loading">
          Asking Printago what this send creates… Files it does not have yet are uploaded now; the
          send then reuses them.
        </p>
      )}
      {run.status === 'error' && (
        <ErrorNotice error={run.error} what="The check" testId="dry-run-error" />
      )}
      {run.status === 'done' && (
        <>
          <p className="dry-run-total" data-testid="dry-run-total" role="status">
            This creates {jobs(run.preview.jobCount)}.
          </p>
          <table className="dry-run-table">
            <thead>
              <tr>
                <th scope="col">File</th>
                <th scope="col">Label</th>
                <th scope="col">Jobs</th>
              </tr>
            </thead>
            <tbody>
              {run.preview.files.map((f) => (
                <tr key={f.path} data-testid="dry-run-row">
                  <td className="wrap">{nameOf(f.path)}</td>
                  <td className="wrap">{f.label}</td>
                  <td>
                    {formatCount(f.jobs)}
                    {f.plates && (
                      <ul className="dry-run-plates" data-testid="dry-run-plates">
                        {f.plates.map((p) => (
                          <li key={p.id}>
                            plate {p.id} ({p.name}): {formatCount(p.jobs)}
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {run.preview.uploaded > 0 && (
            <p className="muted small">
              {run.preview.uploaded === 1 ? 'One file was' : `${run.preview.uploaded} files were`}{' '}
              uploaded for this check; the send reuses {run.preview.uploaded === 1 ? 'it' : 'them'}.
            </p>
          )}
        </>
      )}
      <div className="row modal-actions">
        {canSend && run.status !== 'loading' && (
          <button
            type="button"
            className="primary"
            ref={sendRef}
            onClick={onSend}
            data-testid="dry-run-send"
          >
            {run.status === 'done'
              ? `Send ${jobs(run.preview.jobCount)}`
              : 'Send without the check'}
          </button>
        )}
        <button type="button" ref={backRef} onClick={onClose} data-testid="dry-run-back">
          Back
        </button>
      </div>
    </Modal>
  )
}
