// The folder watcher's exactly-once protocol against a scripted store (no network): files left
// `picked` by a killed run are settled from what the send journal says their job did — sent,
// failed, or never started (then sent now, once) — and moves never overwrite; folder problems
// come out in words. A manual clock drives the stable wait; waits are for states.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { DEFAULT_WATCH_RULES, type WatchEvent } from '../../shared/watch'
import type { SendRequest } from '../../shared/send'
import { createManualClock, type ManualClock } from '../infra/clock'
import { hashFile } from '../infra/hash'
import type { SendResult } from '../send/service'
import type { JobRecord } from '../send/state'
import { randomStl } from '../../test-support/stl'
import { tempDir } from '../../test-support/temp'
import { waitFor } from '../../test-support/wait'
import { openFateJournal, recordFate } from './fates'
import {
  createFolderWatcher,
  fateDir,
  folderProblem,
  type FolderWatcher,
  type WatchSender
} from './folder-watcher'
import { moveToFailed, moveToSent } from './moves'

let root: string
let cleanup: () => Promise<void>
let folder: string
let dataDir: string
let clock: ManualClock
let events: Array<Omit<WatchEvent, 'id'>>
const watchers: FolderWatcher[] = []

beforeEach(async () => {
  ;({ dir: root, cleanup } = await tempDir('folder-watcher-'))
  folder = join(root, 'inbox')
  dataDir = join(root, 'data')
  mkdirSync(folder)
  clock = createManualClock(1_000_000)
  events = []
})
afterEach(async () => {
  for (const w of watchers.splice(0)) await w.stop()
  await cleanup()
})

/** A store that records sends and answers from a scripted send journal. */
function scriptedStore(jobs: Map<string, JobRecord> = new Map()) {
  const sent: SendRequest[] = []
  const sender: WatchSender = {
    storeId: 'store-1',
    async send(request, jobId) {
      sent.push(request)
      const files = request.items.map((it, i) => ({
        file: it.path,
        sha256: '',
        partId: `part${i}`,
        partBuildId: `build-${jobId}-${i}`,
        printJobIds: [],
        reusedPart: false
      }))
      return { jobId, status: 'done', files, failures: [] } satisfies SendResult
    },
    job: async (jobId) => jobs.get(jobId),
    resume: async () => [],
    printers: async () => null
  }
  return { sender, sent }
}

function start(
  sender: WatchSender,
  rules: Partial<typeof DEFAULT_WATCH_RULES> = {}
): FolderWatcher {
  const w = createFolderWatcher({
    config: { ...DEFAULT_WATCH_RULES, ...rules, id: 'f1', folder, paused: false },
    dataDir,
    sender: async () => sender,
    clock,
    stableMs: 1000,
    rescanMs: 60_000,
    newId: () => `job-${events.length}`,
    onEvent: (e) => events.push(e),
    onChange: () => undefined
  })
  watchers.push(w)
  return w
}

/** Two scans a stable wait apart: a file written before the first is taken by the second. */
async function settle(w: FolderWatcher): Promise<void> {
  await w.scan()
  await clock.advance(1000)
  await w.scan()
}

/** A fate journal left by a killed run: `name` picked under `jobId`. */
async function killedAfterPick(name: string, jobId: string, storeId?: string): Promise<string> {
  writeFileSync(join(folder, name), randomStl(12, name.length))
  const { sha256 } = await hashFile(join(folder, name))
  const j = await openFateJournal(fateDir(dataDir, folder), () => clock.now())
  await recordFate(j, {
    type: 'picked',
    files: [{ sha256, name }],
    jobId,
    ...(storeId ? { storeId } : {})
  })
  await j.close()
  return sha256
}

function job(jobId: string, path: string, item: JobRecord['items'][number]): JobRecord {
  return {
    jobId,
    createdAt: 0,
    status: 'done',
    request: { routing: { mode: 'any' }, items: [{ path, quantity: 1 }] },
    items: [item]
  }
}

describe('after a kill', () => {
  it('a file whose job was queued is recorded as sent and moved, never sent again', async () => {
    await killedAfterPick('a.stl', 'job-a')
    const store = scriptedStore(
      new Map([['job-a', job('job-a', join(folder, 'a.stl'), { partBuildId: 'pb-a' })]])
    )
    const w = start(store.sender)
    await settle(w)
    await waitFor(() => events.some((e) => e.fate === 'sent'), 10_000, 'sent from the journal')
    expect(events.find((e) => e.fate === 'sent')).toMatchObject({
      file: 'a.stl',
      partBuildId: 'pb-a'
    })
    expect(store.sent).toEqual([])
    expect(readdirSync(join(folder, 'Sent'))).toEqual(['a.stl'])
    expect(w.view().counts.sent).toBe(1)
  })

  it('a file whose job never reached the send journal is sent now, once', async () => {
    await killedAfterPick('b.stl', 'job-lost')
    const store = scriptedStore()
    const w = start(store.sender)
    await settle(w)
    await waitFor(() => store.sent.length === 1, 10_000, 'one send')
    await settle(w)
    expect(store.sent.flatMap((r) => r.items.map((i) => i.path))).toEqual([join(folder, 'b.stl')])
    expect(readdirSync(join(folder, 'Sent'))).toEqual(['b.stl'])
  })

  it('a file whose job failed goes to Failed/ with what Printago said', async () => {
    await killedAfterPick('c.stl', 'job-c')
    const failed = job('job-c', join(folder, 'c.stl'), {
      error: { code: 'validation', message: 'Printago refused the build' }
    })
    const store = scriptedStore(new Map([['job-c', { ...failed, status: 'failed' }]]))
    const w = start(store.sender)
    await settle(w)
    await waitFor(() => events.some((e) => e.fate === 'failed'), 10_000, 'failed')
    expect(store.sent).toEqual([])
    expect(readFileSync(join(folder, 'Failed', 'c.stl.txt'), 'utf8')).toContain(
      'Printago did not take it: Printago refused the build'
    )
  })

  it("a file picked for another store waits for that store's journal, never sent here", async () => {
    await killedAfterPick('f.stl', 'job-f', 'store-2')
    const store = scriptedStore()
    const w = start(store.sender)
    await settle(w)
    await settle(w)
    expect(store.sent).toEqual([])
    expect(w.view().message).toContain('1 file(s) were being sent to another store')
    expect(readdirSync(folder)).toContain('f.stl')
  })
})

describe('left in place', () => {
  it('a sent file left in place is remembered across a restart: not sent, not reported again', async () => {
    const store = scriptedStore()
    const first = start(store.sender, { afterSend: 'leave' })
    writeFileSync(join(folder, 'g.stl'), randomStl(12, 7))
    await settle(first)
    expect(store.sent).toHaveLength(1)
    await first.stop()
    watchers.splice(watchers.indexOf(first), 1)
    events.length = 0

    const again = start(store.sender, { afterSend: 'leave' })
    await settle(again)
    await settle(again)
    expect(store.sent).toHaveLength(1)
    expect(events).toEqual([])
    // The same bytes under another name are a duplicate, said once.
    writeFileSync(join(folder, 'g-copy.stl'), readFileSync(join(folder, 'g.stl')))
    await settle(again)
    await settle(again)
    expect(events.map((e) => [e.file, e.fate])).toEqual([['g-copy.stl', 'duplicate']])
    expect(store.sent).toHaveLength(1)
  })
})

describe('stable files and moves', () => {
  it('a file is sent only after it stopped changing for the stable time', async () => {
    const store = scriptedStore()
    const w = start(store.sender)
    writeFileSync(join(folder, 'd.stl'), randomStl(12, 1))
    await w.scan()
    await clock.advance(999)
    await w.scan()
    expect(store.sent).toEqual([])
    expect(w.view().settling).toBe(1)
    await clock.advance(1)
    await w.scan()
    expect(store.sent).toHaveLength(1)
  })

  it('moves never overwrite: a second file of the same name gets a counter', async () => {
    writeFileSync(join(folder, 'e.stl'), 'one')
    await moveToSent(folder, 'e.stl')
    writeFileSync(join(folder, 'e.stl'), 'two')
    expect(await moveToSent(folder, 'e.stl')).toBe(join(folder, 'Sent', 'e (2).stl'))
    writeFileSync(join(folder, 'e.stl'), 'three')
    await moveToFailed(folder, 'e.stl', 'Broken.')
    writeFileSync(join(folder, 'e.stl'), 'four')
    await moveToFailed(folder, 'e.stl', 'Broken too.')
    expect(readdirSync(join(folder, 'Failed')).sort()).toEqual([
      'e (2).stl',
      'e (2).stl.txt',
      'e.stl',
      'e.stl.txt'
    ])
    expect(readFileSync(join(folder, 'Failed', 'e (2).stl.txt'), 'utf8')).toContain('Broken too.')
  })
})

describe('folder problems in words', () => {
  const err = (code: string): NodeJS.ErrnoException =>
    Object.assign(new Error(code), { code }) as NodeJS.ErrnoException
  it.each([
    ['ENOENT', 'is not there (moved, deleted or its drive disconnected)'],
    ['EACCES', 'No permission to read or write'],
    ['EPERM', 'No permission to read or write'],
    ['ENOSPC', 'The disk is full (ENOSPC): files are left in place until there is room.'],
    ['EROFS', 'The disk is read-only']
  ])('%s', (code, words) => {
    expect(folderProblem('/farm/in', err(code))).toContain(words)
  })
})
