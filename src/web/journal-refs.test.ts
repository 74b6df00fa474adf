import { spawn } from 'node:child_process'
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { openJournal, type Journal } from '../core/infra/journal'
import {
  applySendEntry,
  emptySendState,
  sendStateFromSnapshot,
  sendStateToSnapshot,
  type SendJournalState
} from '../core/send/state'
import { tempDir } from '../test-support/temp'
import { inUseMessage, probeDataFolder } from './data-folder'
import { unfinishedSendPaths } from './journal-refs'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => ({ dir, cleanup } = await tempDir('printago-refs-')))
afterEach(() => cleanup())

function journalOf(store: string): Promise<Journal<SendJournalState>> {
  return openJournal({
    dir: join(dir, 'stores', store, 'journal'),
    empty: emptySendState,
    apply: applySendEntry,
    toSnapshot: (s) => sendStateToSnapshot(s, Date.now()),
    fromSnapshot: sendStateFromSnapshot
  })
}

const job = (jobId: string, ...paths: string[]) => ({
  type: 'job',
  jobId,
  createdAt: 1,
  request: { items: paths.map((path) => ({ path, quantity: 1 })), routing: { mode: 'any' } }
})

describe('unfinishedSendPaths', () => {
  it('names the files of active jobs in every store, from snapshot and log, not finished ones', async () => {
    const a = await journalOf('storeaaaaaaaaaaaaaaaaaaa')
    await a.append(job('done', '/s/done.stl'), job('early', '/s/early.stl'))
    await a.append({ type: 'end', jobId: 'done', status: 'done' })
    await a.compact()
    await a.append(job('late', '/s/late-1.stl', '/s/late-2.stl'))
    const b = await journalOf('demo')
    await b.append(job('other', '/s/other.stl'), job('failed', '/s/failed.stl'))
    await b.append({ type: 'end', jobId: 'failed', status: 'failed' })

    // Read while both journals are open (their sessions hold them): nothing is taken.
    const paths = await unfinishedSendPaths(dir)
    expect([...paths].sort()).toEqual([
      '/s/early.stl',
      '/s/late-1.stl',
      '/s/late-2.stl',
      '/s/other.stl'
    ])
    await a.close()
    await b.close()
  })

  it('is empty for a fresh folder, and refuses to guess from an unreadable snapshot', async () => {
    expect(await unfinishedSendPaths(dir)).toEqual(new Set())
    await mkdir(join(dir, 'stores', 'x', 'journal'), { recursive: true })
    await writeFile(join(dir, 'stores', 'x', 'journal', 'journal.snapshot'), 'garbage\n')
    await expect(unfinishedSendPaths(dir)).rejects.toThrow(/unreadable snapshot/)
  })
})

describe('probeDataFolder', () => {
  it('is free when no other live process holds a journal (a dead holder’s lock is stale)', async () => {
    expect(await probeDataFolder(dir)).toBeNull()
    const j = await journalOf('demo')
    await j.append(job('x', '/s/x.stl'))
    await j.close()
    // A crashed process: its pid is gone.
    const dead = spawn(process.execPath, ['-e', ''])
    const pid = dead.pid!
    await new Promise((r) => dead.once('exit', r))
    await writeFile(join(dir, 'stores', 'demo', 'journal', 'journal.lock'), String(pid))
    expect(await probeDataFolder(dir)).toBeNull()
  })

  it('names the live process that holds a store’s journal (the desktop app)', async () => {
    const j = await journalOf('storeaaaaaaaaaaaaaaaaaaa')
    await j.close()
    // Any live process other than this one: this test's parent stands in for the desktop app.
    const other = process.ppid
    await writeFile(
      join(dir, 'stores', 'storeaaaaaaaaaaaaaaaaaaa', 'journal', 'journal.lock'),
      String(other)
    )
    const inUse = await probeDataFolder(dir)
    expect(inUse).toEqual({
      pid: other,
      journalDir: join(dir, 'stores', 'storeaaaaaaaaaaaaaaaaaaa', 'journal'),
      message: inUseMessage(dir, other)
    })
    expect(inUse!.message).toContain(`in use by another Printago Send (process ${other})`)
  })
})
