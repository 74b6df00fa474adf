// One send at a time: starts `send:start` for the ready files, follows `send:progress` and
// `send:finished` for that job only (the renderer names the job, so an early finish is never
// dropped), and cancels what has not reached Printago yet.
import { useCallback, useEffect, useRef, useState } from 'react'

import { MAX_THUMBNAIL_CHARS } from '../../../shared/history'
import type { AppError, Result } from '../../../shared/result'
import type {
  Routing,
  SendItem,
  SendPreview,
  SendProgress,
  SendRequest
} from '../../../shared/send'
import { fitSizeMm, unitOf, type LoadedFile } from '../lib/files'

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
  /** Files of an unfinished earlier send this one continued instead of sending them twice. */
  resumed?: string[]
}

/** One file to send and what the panel decided for it (the model allow-list). */
export interface SendPick {
  key: string
  printerModels?: string[]
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
  start: (routing: Routing, picks: SendPick[]) => Promise<void>
  /** The dry run of the same send: the jobs Printago would create. */
  preview: (routing: Routing, picks: SendPick[]) => Promise<Result<SendPreview>>
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
        if (s.jobId !== done.jobId) {
          // An unfinished send of an earlier run (a crash, a quit) that the app continued: say
          // so, once, whatever this panel is doing.
          const files = (done.resumed ?? []).flatMap((r) => r.files)
          return files.length > 0 ? { ...s, resumed: files } : s
        }
        const at = Date.now()
        onSentRef.current(s.keys, done.files, at)
        // Cancel only stops what has not reached Printago; say so when it came too late.
        const notice =
          s.cancelRequested && done.files.length > 0
            ? `Too late to cancel ${done.files.length === 1 ? 'one file' : `${done.files.length} files`}: already queued on Printago. Cancel the print jobs from History.`
            : null
        const resumed = (done.resumed ?? []).flatMap((r) => r.files)
        return {
          ...s,
          running: false,
          error: done.error ?? null,
          doneAt: at,
          notice,
          ...(resumed.length > 0 ? { resumed } : {})
        }
      })
    })
    return () => {
      offProgress()
      offFinished()
    }
  }, [])

  /** The request for the picked files, in the order of the list. */
  const request = (routing: Routing, picks: SendPick[]): { keys: string[]; req: SendRequest } => {
    const byKey = new Map(picks.map((p) => [p.key, p]))
    const ready = filesToSend(files).filter((f) => byKey.has(f.key))
    return {
      keys: ready.map((f) => f.key),
      req: { routing, items: ready.map((f) => itemOf(f, byKey.get(f.key)!, unitScale)) }
    }
  }

  const start = async (routing: Routing, picks: SendPick[]): Promise<void> => {
    const { keys, req } = request(routing, picks)
    const jobId = crypto.randomUUID()
    setSend({ ...IDLE_SEND, jobId, running: true, keys })
    const res = await window.api.send.start({ jobId, ...req })
    if (!res.ok) setSend((s) => ({ ...s, running: false, error: res.error }))
  }

  const preview = (routing: Routing, picks: SendPick[]): Promise<Result<SendPreview>> =>
    window.api.send.preview(request(routing, picks).req)

  const cancel = (): void => {
    if (!send.jobId) return
    setSend((s) => ({ ...s, cancelRequested: true }))
    void window.api.send.cancel({ jobId: send.jobId })
  }

  const reset = useCallback(() => setSend(IDLE_SEND), [])
  return { send, start, preview, cancel, reset }
}

/** One file as the send request carries it: options, unit, material, model list, history facts. */
function itemOf(f: LoadedFile, pick: SendPick, unitScale: number): SendItem {
  const unit = unitOf(f, unitScale)
  const size = fitSizeMm(f, unitScale)
  // A project's triangles over all plates (its report is only the plate on view).
  const triangles = f.project
    ? f.project.plates.reduce((n, p) => n + (p.report?.triangles ?? 0), 0)
    : f.report?.triangles
  return {
    path: f.path!,
    label: f.options.label.trim(),
    quantity: f.options.quantity,
    priority: f.options.priority,
    position: f.options.position,
    ...(unit !== 'mm' ? { unit } : {}),
    ...(f.options.material ? { material: f.options.material } : {}),
    ...(pick.printerModels?.length ? { printerModels: pick.printerModels } : {}),
    // A 3MF's plates and process settings (core checks them against the file).
    ...(f.project && f.options.plateQuantities
      ? { plateQuantities: f.options.plateQuantities }
      : {}),
    ...(f.project?.kind === '3mf' && f.options.use3MFProcessProfile
      ? { use3MFProcessProfile: true }
      : {}),
    meta: {
      ...(size ? { size } : {}),
      ...(triangles !== undefined ? { triangles } : {}),
      bytes: f.size,
      ...(f.thumbnail && f.thumbnail.length <= MAX_THUMBNAIL_CHARS
        ? { thumbnail: f.thumbnail }
        : {})
    }
  }
}
