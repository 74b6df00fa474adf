// Which files unfinished sends still need: the paths of every active job in every store's send
// journal, read without taking the journal (a running session holds it), with the journal's own
// line decoder and reducer so this reading follows the format wherever it goes.
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'

import { decodeLine, type JournalEntry } from '../core/infra/journal'
import {
  applySendEntry,
  emptySendState,
  sendStateFromSnapshot,
  type SendJournalState
} from '../core/send/state'

async function readText(file: string): Promise<string | null> {
  try {
    return await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') return null
    throw error
  }
}

/** A journal folder's state as its snapshot and log say now; throws when the snapshot is unreadable. */
export async function readSendState(dir: string): Promise<SendJournalState> {
  let state = emptySendState()
  let baseSeq = 0
  const snapshot = await readText(join(dir, 'journal.snapshot'))
  if (snapshot !== null) {
    const decoded = decodeLine(snapshot.replace(/\n$/, '')) as
      { seq?: unknown; data?: unknown } | undefined
    // Unsure what the journal holds: the caller keeps every file rather than guess.
    if (!decoded || typeof decoded.seq !== 'number')
      throw new Error(`unreadable snapshot in ${dir}`)
    state = sendStateFromSnapshot(decoded.data)
    baseSeq = decoded.seq
  }
  const log = (await readText(join(dir, 'journal.log'))) ?? ''
  for (const line of log.split('\n')) {
    const entry = decodeLine(line) as JournalEntry | undefined
    // A torn last line is being written or was cut by a crash; the journal drops it too.
    if (!entry || typeof entry.seq !== 'number' || entry.seq <= baseSeq) continue
    try {
      applySendEntry(state, entry)
    } catch {
      // An entry for an item that does not exist: the journal skips it as well.
    }
  }
  return state
}

/** Paths named by unfinished sends of any store in `dataDir` (rejects when unsure). */
export async function unfinishedSendPaths(dataDir: string): Promise<Set<string>> {
  const paths = new Set<string>()
  const storesDir = join(dataDir, 'stores')
  const stores = await readdir(storesDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return []
    throw error
  })
  for (const store of stores) {
    const state = await readSendState(join(storesDir, store, 'journal'))
    for (const job of state.jobs.values()) {
      if (job.status !== 'active') continue
      for (const item of job.request.items) paths.add(item.path)
    }
  }
  return paths
}
