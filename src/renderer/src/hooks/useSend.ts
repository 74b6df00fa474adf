// One send at a time: starts `send:start` for the ready files, follows `send:progress` and
// `send:finished` for that job only (the renderer names the job, so an early finish is never
// dropped), and cancels what has not reached Printago yet.
import { useCallback, useEffect, useRef, useState } from 'react'

import { MAX_THUMBNAIL_CHARS } from '../../../shared/history'
import type { AppError } from '../../../shared/result'
import type { Routing, SendProgress } from '../../../shared/send'
import { sizeMm, type LoadedFile } from '../lib/files'

export interface SendState {
  jobId: string | null
  running: boolean
  progress: Record<number, SendProgress>
  /** Keys of the files in this send, by request index. */
  keys: string[]
  error: AppError | null
  doneAt: number | null
  /** The user pressed Cancel during this send. */
  cancelRequested?: boolean
  /** A sentence about how the send ended, e.g. "Too late to cancel: …". */
  notice?: string | null
}

/** What Printago queued for one file of a finished send. */
export interface SentFile {
  file: string
  partBuildId: string
  reusedPart: boolean
}

export const IDLE_SEND: SendState = {
  jobId: null,
  running: false,
  progress: {},
  keys: [],
  error: null,
  doneAt: null
}

/** Files a send takes: read, printable, located on disk, not sent yet. */
export function filesToSend(files: LoadedFile[]): LoadedFile[] {
  return files.filter(
    (f) => f.status === 'ready' && f.report?.verdict !== 'error' && f.path && !f.sent
  )
}

interface UseSendOptions {
  files: LoadedFile[]
  unitScale: number
  /** Called when a send finished: the keys of its files (by request index) and what was queued. */
  onSent: (keys: string[], sent: SentFile[], at: number) => void
}

export interface SendControls {
  send: SendState
  start: (routing: Routing) => Promise<void>
  cancel: () => void
  /** Forgets the send (another store was chosen). */
  reset: () => void
}

/** The send state and its actions. */
export function useSend({ files, unitScale, onSent }: UseSendOptions): SendControls {
  const [send, setSend] = useState<SendState>(IDLE_SEND)
  const onSentRef = useRef(onSent)
  onSentRef.current = onSent

  useEffect(() => {
    const offProgress = window.api.send.onProgress((p) =>
      setSend((s) =>
        s.jobId === p.jobId ? { ...s, progress: { ...s.progress, [p.index]: p } } : s
      )
    )
    const offFinished = window.api.send.onFinished((done) => {
      setSend((s) => {
        if (s.jobId !== done.jobId) return s
        const at = Date.now()
        onSentRef.current(s.keys, done.files, at)
        // Cancel only stops what has not reached Printago; say so when it came too late.
        const notice =
          s.cancelRequested && done.files.length > 0
            ? `Too late to cancel ${done.files.length === 1 ? 'one file' : `${done.files.length} files`}: already queued on Printago. Cancel the print jobs from History.`
            : null
        return { ...s, running: false, error: done.error ?? null, doneAt: at, notice }
      })
    })
    return () => {
      offProgress()
      offFinished()
    }
  }, [])

  const start = async (routing: Routing): Promise<void> => {
    const ready = filesToSend(files)
    const jobId = crypto.randomUUID()
    setSend({ ...IDLE_SEND, jobId, running: true, keys: ready.map((f) => f.key) })
    const res = await window.api.send.start({
      jobId,
      routing,
      items: ready.map((f) => ({
        path: f.path!,
        label: f.options.label.trim(),
        quantity: f.options.quantity,
        priority: f.options.priority,
        position: f.options.position,
        meta: {
          size: sizeMm(f, unitScale)!,
          triangles: f.report!.triangles,
          bytes: f.size,
          ...(f.thumbnail && f.thumbnail.length <= MAX_THUMBNAIL_CHARS
            ? { thumbnail: f.thumbnail }
            : {})
        }
      }))
    })
    if (!res.ok) setSend((s) => ({ ...s, running: false, error: res.error }))
  }

  const cancel = (): void => {
    if (!send.jobId) return
    setSend((s) => ({ ...s, cancelRequested: true }))
    void window.api.send.cancel({ jobId: send.jobId })
  }

  const reset = useCallback(() => setSend(IDLE_SEND), [])
  return { send, start, cancel, reset }
}
