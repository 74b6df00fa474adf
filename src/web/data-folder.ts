// Is the data folder free for this process? The desktop app, the CLI and the browser mode share one
// folder; what keeps two of them from running the same unfinished send is the send journal's lock
// (one writer per store folder, `JournalLockedError` otherwise). The browser mode checks every
// store's journal before it opens anything, so it never starts work on a folder another process
// is using (the demo store's folder, for one, is wiped when the demo starts).
import { readdir, stat } from 'node:fs/promises'
import { join } from 'node:path'

import { JournalLockedError, openJournal } from '../core/infra/journal'
import {
  applySendEntry,
  emptySendState,
  sendStateFromSnapshot,
  sendStateToSnapshot
} from '../core/send/state'

/** Another live process holds a journal of this data folder. */
export interface FolderInUse {
  pid: number
  journalDir: string
  /** What the terminal and the page say. */
  message: string
}

export function inUseMessage(dataDir: string, pid: number): string {
  return (
    `The data folder ${dataDir} is in use by another Printago Send (process ${pid}), probably the desktop app. ` +
    'Quit it, then reload this page; or start the browser version with its own folder: PRINTAGO_DATA_DIR=/another/folder npm start'
  )
}

/**
 * Opens and closes each store's send journal: the journal's own lock decides. Call it only while
 * this process has no store session open (closing a journal releases its lock).
 */
export async function probeDataFolder(dataDir: string): Promise<FolderInUse | null> {
  const storesDir = join(dataDir, 'stores')
  const stores = await readdir(storesDir, { withFileTypes: true }).catch(() => [])
  for (const store of stores) {
    if (!store.isDirectory()) continue
    const dir = join(storesDir, store.name, 'journal')
    // A store that never sent has no journal, and nothing to hold.
    if (!(await stat(dir).catch(() => null))?.isDirectory()) continue
    try {
      const journal = await openJournal({
        dir,
        empty: emptySendState,
        apply: applySendEntry,
        toSnapshot: (s) => sendStateToSnapshot(s, Date.now()),
        fromSnapshot: sendStateFromSnapshot
      })
      await journal.close()
    } catch (error) {
      if (error instanceof JournalLockedError)
        return { pid: error.pid, journalDir: dir, message: inUseMessage(dataDir, error.pid) }
      throw error
    }
  }
  return null
}
