// The confirmation before a bed is marked clear: Printago starts the next job on that printer at
// once, so the user says the plate is empty. Escape or Cancel closes it; a refusal (a key without
// printer.ready) is shown in words and the dialog stays.
import { useEffect, useRef, type ReactElement } from 'react'

import type { BedClear } from '../../hooks/useBedClear'
import './fleet.css'

export function BedClearDialog({ bed }: { bed: BedClear }): ReactElement | null {
  const ref = useRef<HTMLButtonElement>(null)
  const { asking, cancel } = bed
  useEffect(() => {
    if (!asking) return
    ref.current?.focus()
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') cancel()
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [asking, cancel])
  if (!asking) return null
  return (
    <div
      className="modal"
      role="dialog"
      aria-modal="true"
      aria-labelledby="bed-clear-title"
      aria-describedby="bed-clear-text"
      data-testid="bed-clear-dialog"
      onClick={(e) => e.target === e.currentTarget && cancel()}
    >
      <div className="modal-body bed-clear">
        <h2 id="bed-clear-title">Mark the bed of {asking.name} clear?</h2>
        <p id="bed-clear-text">
          Only once the last print is off the plate and nothing is in the way: Printago starts the
          next job on this printer right away.
        </p>
        {bed.error && (
          <p className="error-box" role="alert" data-testid="bed-clear-error">
            {bed.error}
          </p>
        )}
        <div className="row bed-clear-actions">
          <button
            type="button"
            className="primary"
            onClick={bed.confirm}
            disabled={bed.busy}
            data-testid="bed-clear-confirm"
          >
            {bed.busy ? 'Marking…' : 'The bed is clear'}
          </button>
          <button type="button" ref={ref} onClick={cancel} data-testid="bed-clear-cancel">
            Cancel
          </button>
        </div>
      </div>
    </div>
  )
}
