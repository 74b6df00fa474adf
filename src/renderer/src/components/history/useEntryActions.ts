// The actions of one history entry (Print again, Cancel, Retry, Why is it waiting?, Open in
// Printago): one at a time, their outcome in words, and nothing carried over to another entry.
import { useEffect, useRef, useState } from 'react'

import { printagoPartUrl, type HistoryEntry } from '../../../../shared/history'
import type { Troubleshoot } from '../../../../shared/ipc'
import type { AppError } from '../../../../shared/result'
import { actionable, troubleshootKey } from '../../lib/history-view'
import { reprintValues, type ReprintChoice, type ReprintValues } from './ReprintForm'

export type Busy = null | 'reprint' | 'cancel' | 'retry' | 'troubleshoot' | 'open'

/** A "Why is it waiting?" answer and what it was about (see `troubleshootKey`). */
export interface WhyAnswer {
  key: string
  printJobId: string
  askedAt: number
  answer: Troubleshoot
}

type Outcome<T> = { ok: true; value: T } | { ok: false; error: AppError }

const copies = (n: number): string => `${n} ${n === 1 ? 'copy' : 'copies'}`

const formValues = reprintValues

/** What the detail pane shows about its actions, and the actions. */
export interface EntryActions {
  /** The action running now (every button waits for it). */
  busy: Busy
  error: AppError | null
  notice: string | null
  openUrl: string | null
  /** The "Why is it waiting?" answer, while it is still about the entry's current state. */
  why: WhyAnswer | null
  formOpen: boolean
  toggleForm: () => void
  form: ReprintValues
  editForm: (patch: Partial<ReprintValues>) => void
  /** Cancels these copies (default: every open copy); the caller has asked the user first. */
  cancel: (printJobIds?: string[]) => void
  retry: () => void
  askWhy: () => void
  openInPrintago: () => void
  reprint: (choice: ReprintChoice) => void
}

/** State and handlers of the detail pane's actions for `entry`. */
export function useEntryActions(
  entry: HistoryEntry,
  onReprinted: (e: HistoryEntry) => void
): EntryActions {
  const [busy, setBusy] = useState<Busy>(null)
  const [error, setError] = useState<AppError | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [formOpen, setFormOpen] = useState(false)
  const [form, setForm] = useState<ReprintValues>(() => formValues(entry))
  const [why, setWhy] = useState<WhyAnswer | null>(null)
  /** Set when "Open in Printago" could not open a browser itself (the browser bridge). */
  const [openUrl, setOpenUrl] = useState<string | null>(null)
  // The entry shown now: answers that arrive for an entry no longer shown are dropped.
  const shownId = useRef(entry.id)
  shownId.current = entry.id

  // A different entry: reset the pane.
  useEffect(() => {
    setBusy(null)
    setError(null)
    setNotice(null)
    setFormOpen(false)
    setWhy(null)
    setOpenUrl(null)
    setForm(formValues(entry))
  }, [entry.id]) // eslint-disable-line react-hooks/exhaustive-deps

  // A "Why is it waiting?" answer is about one state of one job: once the entry's status or
  // that job's state changed (taken by a printer, printed, cancelled…) it is stale — drop it.
  const whyCurrent = why !== null && why.key === troubleshootKey(entry, why.printJobId)
  useEffect(() => {
    if (why && !whyCurrent) setWhy(null)
  }, [why, whyCurrent])

  async function run<T>(
    kind: Exclude<Busy, null>,
    fn: () => Promise<Outcome<T>>,
    done: (v: T) => void
  ): Promise<void> {
    const forId = entry.id
    setBusy(kind)
    setError(null)
    setNotice(null)
    setOpenUrl(null)
    try {
      const r = await fn()
      if (shownId.current !== forId) return // another entry is shown now
      if (r.ok) done(r.value)
      else if (r.error.code === 'outcome-unknown') {
        // Not a failure: Printago may have queued it; the app checks before sending anything
        // again. The form closes, so the same copies are not queued twice by a second click.
        setFormOpen(false)
        setNotice(
          'Not confirmed yet: Printago did not answer in time. It will be checked before anything is sent again, and appears in the history once confirmed.'
        )
      } else setError(r.error)
    } catch (e) {
      if (shownId.current === forId) setError({ code: 'internal', message: (e as Error).message })
    } finally {
      if (shownId.current === forId) setBusy(null)
    }
  }

  const { queued } = actionable(entry)
  return {
    busy,
    error,
    notice,
    openUrl,
    why: whyCurrent ? why : null,
    formOpen,
    toggleForm: () => setFormOpen((o) => !o),
    form,
    editForm: (patch: Partial<ReprintValues>) => setForm((f) => ({ ...f, ...patch })),
    cancel: (printJobIds?: string[]) =>
      void run(
        'cancel',
        () =>
          window.api.history.cancel({ entryId: entry.id, ...(printJobIds ? { printJobIds } : {}) }),
        (v) =>
          setNotice(
            v.affected.length
              ? `Cancelled ${copies(v.affected.length)}.`
              : 'Nothing left to cancel.'
          )
      ),
    retry: () =>
      void run(
        'retry',
        () => window.api.history.retry({ entryId: entry.id }),
        (v) =>
          setNotice(
            v.affected.length
              ? `Sent ${copies(v.affected.length)} back to the queue.`
              : 'Nothing to retry.'
          )
      ),
    askWhy: () => {
      const copy = queued[0]
      if (!copy) return
      const key = troubleshootKey(entry, copy.printJobId)
      void run(
        'troubleshoot',
        () => window.api.history.troubleshoot({ printJobId: copy.printJobId }),
        (answer) => setWhy({ key, printJobId: copy.printJobId, askedAt: Date.now(), answer })
      )
    },
    openInPrintago: () => {
      const url = printagoPartUrl(entry)
      void run(
        'open',
        () => window.api.shell.openExternal({ url }),
        (v) => {
          // Without a desktop shell (the browser bridge) nothing opened: show the address instead.
          if (v.opened) setNotice('Opened in your browser.')
          else setOpenUrl(url)
        }
      )
    },
    reprint: (c: ReprintChoice) =>
      void run(
        'reprint',
        () =>
          window.api.history.reprint({
            entryId: entry.id,
            quantity: c.quantity,
            label: c.label,
            priority: c.priority,
            routing: c.routing,
            material: c.material,
            ...(c.printerModels !== undefined ? { printerModels: c.printerModels } : {})
          }),
        (v) => {
          setFormOpen(false)
          setNotice(`Queued again: ${copies(c.quantity)}.`)
          onReprinted(v.entry)
        }
      )
  }
}
