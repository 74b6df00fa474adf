// A modal dialog: labelled, Escape and a click outside close it, Tab stays inside, focus starts on
// `initialFocus` (else the first control) and goes back where it was when the dialog closes.
import { useEffect, useRef, type ReactElement, type ReactNode, type RefObject } from 'react'

interface ModalProps {
  title: string
  onClose: () => void
  children: ReactNode
  initialFocus?: RefObject<HTMLElement | null>
  testId?: string
  className?: string
}

const FOCUSABLE =
  'button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea, a[href], summary, [tabindex]:not([tabindex="-1"])'

/** The dialog and its backdrop. */
export function Modal({
  title,
  onClose,
  children,
  initialFocus,
  testId,
  className
}: ModalProps): ReactElement {
  const ref = useRef<HTMLDivElement>(null)
  const close = useRef(onClose)
  close.current = onClose
  useEffect(() => {
    const before = document.activeElement as HTMLElement | null
    const first = initialFocus?.current ?? ref.current?.querySelector<HTMLElement>(FOCUSABLE)
    first?.focus()
    const onKey = (e: KeyboardEvent): void => {
      if (e.key === 'Escape') {
        e.stopPropagation()
        close.current()
        return
      }
      if (e.key !== 'Tab' || !ref.current) return
      const all = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)]
      if (all.length === 0) return
      const i = all.indexOf(document.activeElement as HTMLElement)
      if (e.shiftKey && i <= 0) {
        e.preventDefault()
        all.at(-1)!.focus()
      } else if (!e.shiftKey && i === all.length - 1) {
        e.preventDefault()
        all[0]!.focus()
      }
    }
    window.addEventListener('keydown', onKey, true)
    return () => {
      window.removeEventListener('keydown', onKey, true)
      // Back to where the user was (the button that opened it), if it is still there.
      if (before && document.contains(before)) before.focus()
    }
  }, []) // eslint-disable-line react-hooks/exhaustive-deps
  const titleId = `${testId ?? 'modal'}-title`
  return (
    <div
      className="modal"
      onClick={(e) => e.target === e.currentTarget && onClose()}
      data-testid={testId ? `${testId}-backdrop` : undefined}
    >
      <div
        className={`modal-body ${className ?? ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={ref}
        data-testid={testId}
      >
        <h2 id={titleId} className="modal-title">
          {title}
        </h2>
        {children}
      </div>
    </div>
  )
}
