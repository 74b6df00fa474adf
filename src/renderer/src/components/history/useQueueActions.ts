// The operator's queue actions of one history entry — Move to front, Pause, Resume, Clear finished
// — and its copies' slicer logs: one at a time, their outcome in words, reset for another entry.
// Kept apart from useEntryActions (send again, cancel, retry) so each stays small.
import { useEffect, useRef, useState } from 'react'

import type { HistoryEntry } from '../../../../shared/history'
import type { SlicerLog } from '../../../../shared/ipc'
import { queueActionable } from '../../lib/operator-view'

export type QueueBusy = null | 'front' | 'pause' | 'resume' | 'clear' | 'log'

export interface QueueActions {
  busy: QueueBusy
  error: string | null
  notice: string | null
  log: SlicerLog | null
  moveToFront: () => void
  pause: () => void
  resume: () => void
  clearFinished: () => void
  openLog: (printJobId: string) => void
  closeLog: () => void
}

const copies = (n: number): string => `${n} ${n === 1 ? 'copy' : 'copies'}`

type Outcome<T> = { ok: true; value: T } | { ok: false; error: { message: string } }

export function useQueueActions(entry: HistoryEntry): QueueActions {
  const [busy, setBusy] = useState<QueueBusy>(null)
  const [error, setError] = useState<string | null>(null)
  const [notice, setNotice] = useState<string | null>(null)
  const [log, setLog] = useState<SlicerLog | null>(null)
  const shownId = useRef(entry.id)
  shownId.current = entry.id

  useEffect(() => {
    setBusy(null)
    setError(null)
    setNotice(null)
    setLog(null)
  }, [entry.id])

  async function run<T>(
    kind: Exclude<QueueBusy, null>,
    fn: () => Promise<Outcome<T>>,
    done: (v: T) => void
  ): Promise<void> {
    const forId = entry.id
    setBusy(kind)
    setError(null)
    setNotice(null)
    try {
      const r = await fn()
      if (shownId.current !== forId) return
      if (r.ok) done(r.value)
      else setError(r.error.message)
    } catch (e) {
      if (shownId.current === forId) setError((e as Error).message)
    } finally {
      if (shownId.current === forId) setBusy(null)
    }
  }

  const said =
    (did: string, none: string) =>
    (v: { affected: string[] }): void =>
      setNotice(v.affected.length ? `${did} ${copies(v.affected.length)}.` : none)
  const act = queueActionable(entry)
  const req = (ids: string[]) => ({ entryId: entry.id, printJobIds: ids })
  return {
    busy,
    error,
    notice,
    log,
    moveToFront: () =>
      void run(
        'front',
        () => window.api.history.moveToFront(req(act.front)),
        said('Moved to the front of the queue:', 'Nothing queued to move.')
      ),
    pause: () =>
      void run(
        'pause',
        () => window.api.history.pause(req(act.pause)),
        said('Paused', 'Nothing printing to pause.')
      ),
    resume: () =>
      void run(
        'resume',
        () => window.api.history.resume(req(act.resume)),
        said('Resumed', 'Nothing paused to resume.')
      ),
    clearFinished: () =>
      void run(
        'clear',
        () => window.api.history.clearFinished(req(act.clear)),
        said('Cleared from Printago’s queue:', 'Nothing finished to clear.')
      ),
    openLog: (printJobId) =>
      void run(
        'log',
        () => window.api.history.slicerLog({ printJobId }),
        (v) => setLog(v)
      ),
    closeLog: () => setLog(null)
  }
}
