// The fate journal of one hot folder: what became of each file, by content (SHA-256), written
// durably (infra/journal.ts, the same crash-safe log as the send journal) before anything is moved.
// `picked` is written with the send job's id before the send starts, so after a kill the next run
// asks the send journal what that job did instead of sending again; `sent` and `failed` are final
// until the user asks to send a file again (`forget`). The journal's lock keeps a second process
// with the same data folder out.
import type { JournalEntry } from '../infra/journal'
import { openJournal, type Journal } from '../infra/journal'

export type FateState = 'picked' | 'held' | 'sent' | 'failed'

export interface Fate {
  sha256: string
  /** The file's name when it was picked (it may be moved since). */
  name: string
  state: FateState
  at: number
  /** The send job that carries it (`picked`, `sent`). */
  jobId?: string
  /** The store whose send journal holds that job (`picked`). */
  storeId?: string
  partBuildId?: string
  /** Why it failed, in words (also in `Failed/<name>.txt`). */
  reason?: string
}

export interface FateBook {
  fates: Map<string, Fate>
}

export type FateEntry =
  | {
      type: 'picked'
      files: Array<{ sha256: string; name: string }>
      jobId: string
      storeId?: string
    }
  | { type: 'held'; sha256: string; name: string }
  | { type: 'sent'; sha256: string; name: string; jobId?: string; partBuildId?: string }
  | { type: 'failed'; sha256: string; name: string; reason: string }
  /** The user asked to send it again, or a picked job never started: it is new again. */
  | { type: 'forget'; sha256: string }

export type FateJournal = Journal<FateBook>

function apply(state: FateBook, e: JournalEntry): void {
  const entry = e as unknown as FateEntry & { at: number }
  switch (entry.type) {
    case 'picked':
      for (const f of entry.files)
        state.fates.set(f.sha256, {
          sha256: f.sha256,
          name: f.name,
          state: 'picked',
          at: entry.at,
          jobId: entry.jobId,
          ...(entry.storeId ? { storeId: entry.storeId } : {})
        })
      return
    case 'held':
      state.fates.set(entry.sha256, {
        sha256: entry.sha256,
        name: entry.name,
        state: 'held',
        at: entry.at
      })
      return
    case 'sent':
      state.fates.set(entry.sha256, {
        sha256: entry.sha256,
        name: entry.name,
        state: 'sent',
        at: entry.at,
        ...(entry.jobId ? { jobId: entry.jobId } : {}),
        ...(entry.partBuildId ? { partBuildId: entry.partBuildId } : {})
      })
      return
    case 'failed':
      state.fates.set(entry.sha256, {
        sha256: entry.sha256,
        name: entry.name,
        state: 'failed',
        at: entry.at,
        reason: entry.reason
      })
      return
    case 'forget':
      state.fates.delete(entry.sha256)
      return
  }
}

/** Opens (or creates) the fate journal in `dir`; throws JournalLockedError if another process has it. */
export function openFateJournal(dir: string, now: () => number): Promise<FateJournal> {
  return openJournal<FateBook>({
    dir,
    empty: () => ({ fates: new Map() }),
    apply,
    toSnapshot: (s) => [...s.fates.values()],
    fromSnapshot: (data) => {
      if (!Array.isArray(data)) throw new Error('fate snapshot is not a list')
      return { fates: new Map((data as Fate[]).map((f) => [f.sha256, f])) }
    },
    now
  })
}

/** Appends fate entries durably. */
export function recordFate(journal: FateJournal, ...entries: FateEntry[]): Promise<void> {
  return journal.append(...(entries as unknown as Array<Omit<JournalEntry, 'seq' | 'at'>>))
}
