// Reading a journal without being its writer: for commands that only show what is there (the
// CLI's `history` lists unfinished sends while another process may be sending).
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'

import {
  decodeLine,
  LOG,
  salvage,
  SNAPSHOT,
  type JournalEntry,
  type JournalOptions
} from './journal'

/**
 * The journal's state as it is on disk, read without the lock and without changing anything (no
 * quarantine, no truncation): for a command that only shows what is there while another process
 * may be writing. Damaged lines are skipped; a damaged snapshot falls back to the .bak.
 */
export async function peekJournal<S>(
  options: Pick<JournalOptions<S>, 'dir' | 'empty' | 'apply' | 'fromSnapshot'>
): Promise<S> {
  const read = async (file: string): Promise<{ seq: number; data: unknown } | undefined> => {
    const text = await readFile(file, 'utf8').catch(() => undefined)
    const decoded = text
      ? (decodeLine(text.replace(/\n$/, '')) as { seq?: unknown; data?: unknown } | undefined)
      : undefined
    return decoded && typeof decoded.seq === 'number'
      ? { seq: decoded.seq, data: decoded.data }
      : undefined
  }
  const snapPath = join(options.dir, SNAPSHOT)
  const snap = (await read(snapPath)) ?? (await read(`${snapPath}.bak`))
  let state = options.empty()
  let base = 0
  if (snap) {
    try {
      state = options.fromSnapshot(snap.data)
      base = snap.seq
    } catch {
      state = options.empty()
    }
  }
  const text = await readFile(join(options.dir, LOG), 'utf8').catch(() => '')
  for (const line of text.split('\n')) {
    const entry = decodeLine(line) as JournalEntry | undefined
    // A damaged line may still hold whole records (a flipped newline): the journal reads them too.
    const entries = entry && typeof entry.seq === 'number' ? [entry] : salvage(line)
    for (const e of entries) {
      if (e.seq <= base) continue
      try {
        options.apply(state, e)
      } catch {
        // A damaged entry shows as less progress, never as an error here.
      }
    }
  }
  return state
}
