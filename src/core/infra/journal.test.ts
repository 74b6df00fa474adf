import { appendFile, readdir, readFile, unlink, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  decodeLine,
  encodeLine,
  JournalLockedError,
  openJournal,
  type JournalEntry
} from './journal'
import { tempDir } from '../../test-support/temp'

interface S {
  names: string[]
}

const open = (dir: string, extra: Partial<Parameters<typeof openJournal<S>>[0]> = {}) =>
  openJournal<S>({
    dir,
    empty: () => ({ names: [] }),
    apply: (s, e: JournalEntry) => {
      s.names.push(String(e['name']))
    },
    toSnapshot: (s) => ({ names: s.names }),
    fromSnapshot: (d) => ({ names: [...(d as S).names] }),
    ...extra
  })

describe('journal', () => {
  let dir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => {
    const t = await tempDir()
    cleanup = t.cleanup
    dir = join(t.dir, 'nested', 'journal')
  })
  afterEach(() => cleanup())

  it('encodes lines with a CRC that detects any change', () => {
    const line = encodeLine({ a: 1 }).trimEnd()
    expect(decodeLine(line)).toEqual({ a: 1 })
    expect(decodeLine(line.replace('1', '2'))).toBeUndefined()
    expect(decodeLine(line.slice(0, -1))).toBeUndefined()
  })

  it('rebuilds the state after reopening', async () => {
    const a = await open(dir)
    await a.append({ type: 't', name: 'one' }, { type: 't', name: 'two' })
    await Promise.all([
      a.append({ type: 't', name: 'three' }),
      a.append({ type: 't', name: 'four' })
    ])
    expect(a.state.names).toEqual(['one', 'two', 'three', 'four'])
    await a.close()
    const b = await open(dir)
    expect(b.state.names).toEqual(['one', 'two', 'three', 'four'])
    expect(b.issues).toEqual([])
    await b.close()
  })

  it('drops a torn last line and truncates it away', async () => {
    const a = await open(dir)
    await a.append({ type: 't', name: 'kept' })
    await a.close()
    const log = join(dir, 'journal.log')
    const torn = encodeLine({ seq: 2, at: 0, type: 't', name: 'torn' }).slice(0, 20)
    await appendFile(log, torn)
    const b = await open(dir)
    expect(b.state.names).toEqual(['kept'])
    expect(b.issues.map((i) => i.kind)).toEqual(['torn-tail'])
    await b.append({ type: 't', name: 'after' })
    await b.close()
    const c = await open(dir)
    expect(c.state.names).toEqual(['kept', 'after'])
    expect(c.issues).toEqual([])
    await c.close()
  })

  it('quarantines a log with a damaged middle entry, keeps the rest and reports it', async () => {
    const a = await open(dir)
    await a.append({ type: 't', name: 'a' }, { type: 't', name: 'b' }, { type: 't', name: 'c' })
    await a.close()
    const log = join(dir, 'journal.log')
    const lines = (await readFile(log, 'utf8')).split('\n')
    lines[1] = lines[1]!.replace('"b"', '"X"')
    await writeFile(log, lines.join('\n'))
    const b = await open(dir)
    expect(b.state.names).toEqual(['a', 'c'])
    expect(b.issues).toHaveLength(1)
    expect(b.issues[0]!.kind).toBe('corrupt-entry')
    const kept = await readdir(join(dir, 'quarantine'))
    expect(kept).toHaveLength(1)
    expect(await readFile(join(dir, 'quarantine', kept[0]!), 'utf8')).toContain('"X"')
    await b.append({ type: 't', name: 'd' })
    await b.close()
    const c = await open(dir)
    expect(c.state.names).toEqual(['a', 'c', 'd'])
    await c.close()
  })

  it('a whole last line that fails its CRC is damage (quarantined, reported), not a torn write', async () => {
    const a = await open(dir)
    await a.append({ type: 't', name: 'a' }, { type: 't', name: 'b' })
    await a.close()
    const log = join(dir, 'journal.log')
    await writeFile(log, (await readFile(log, 'utf8')).replace('"b"', '"X"'))
    const b = await open(dir)
    expect(b.state.names).toEqual(['a'])
    expect(b.issues.map((i) => i.kind)).toEqual(['corrupt-entry'])
    expect(await readdir(join(dir, 'quarantine'))).toHaveLength(1)
    await b.close()
  })

  it('a flipped newline merges two records into one line: both are recovered', async () => {
    const a = await open(dir)
    for (const name of ['a', 'b', 'c', 'd']) await a.append({ type: 't', name })
    await a.close()
    const log = join(dir, 'journal.log')
    // The newlines after a (merging a and b) and after c (merging c and d, now the last line);
    // then the last newline too (d's, so the file ends in a damaged, incomplete line).
    for (const newline of [0, 1, 1]) {
      const bytes = Buffer.from(await readFile(log))
      let at = -1
      for (let k = 0; k <= newline; k++) at = bytes.indexOf(0x0a, at + 1)
      bytes[at] = 0x0a ^ 0x41
      await writeFile(log, bytes)
    }
    expect((await readFile(log, 'utf8')).split('\n')).toHaveLength(2)
    const b = await open(dir)
    expect(b.state.names).toEqual(['a', 'b', 'c', 'd'])
    expect(b.issues.map((i) => i.kind)).toEqual(['corrupt-entry'])
    expect(b.issues[0]!.message).toMatch(/4 whole entries were recovered/)
    await b.append({ type: 't', name: 'e' })
    await b.close()
    const c = await open(dir)
    expect(c.state.names).toEqual(['a', 'b', 'c', 'd', 'e'])
    expect(c.issues).toEqual([])
    await c.close()
  })

  it('compacts into a snapshot, keeps a .bak, and never re-applies compacted entries', async () => {
    const a = await open(dir, { compactEvery: 3 })
    for (const name of ['1', '2', '3', '4', '5', '6', '7']) await a.append({ type: 't', name })
    await a.close()
    const files = await readdir(dir)
    expect(files).toContain('journal.snapshot')
    expect(files).toContain('journal.snapshot.bak')
    // The log keeps what the .bak lacks (entries after it: 4–7), nothing older.
    const names = (await readFile(join(dir, 'journal.log'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => (decodeLine(l) as { name: string }).name)
    expect(names).toEqual(['4', '5', '6', '7'])
    const b = await open(dir)
    expect(b.state.names).toEqual(['1', '2', '3', '4', '5', '6', '7'])
    await b.close()
  })

  it('a crash between snapshot and log truncation replays nothing twice', async () => {
    const a = await open(dir)
    await a.append({ type: 't', name: 'x' }, { type: 't', name: 'y' })
    await a.close()
    const logBefore = await readFile(join(dir, 'journal.log'))
    const b = await open(dir)
    await b.compact()
    await b.close()
    // Simulate the truncate never reaching the disk.
    await writeFile(join(dir, 'journal.log'), logBefore)
    const c = await open(dir)
    expect(c.state.names).toEqual(['x', 'y'])
    await c.close()
  })

  it('quarantines an unreadable snapshot and rebuilds it from the .bak and the log, losing nothing', async () => {
    const a = await open(dir, { compactEvery: 2 })
    for (const name of ['1', '2', '3', '4', '5']) await a.append({ type: 't', name })
    await a.close()
    await writeFile(join(dir, 'journal.snapshot'), 'garbage')
    const b = await open(dir)
    expect(b.issues[0]!.kind).toBe('corrupt-snapshot')
    expect(b.issues[0]!.quarantinedTo).toBeTruthy()
    // Every acknowledged entry is back: the .bak's, and the log's since the .bak.
    expect(b.state.names).toEqual(['1', '2', '3', '4', '5'])
    expect(await readdir(join(dir, 'quarantine'))).toHaveLength(1)
    await b.close()
  })

  it('after a quarantined snapshot, the next opens still start from the .bak (found by the soak)', async () => {
    const a = await open(dir, { compactEvery: 2 })
    for (const name of ['1', '2', '3', '4', '5']) await a.append({ type: 't', name })
    await a.close()
    await writeFile(join(dir, 'journal.snapshot'), 'garbage')
    // The open that finds the damage moves the snapshot aside and writes more, without compacting.
    const b = await open(dir)
    await b.append({ type: 't', name: '6' })
    await b.close()
    // The next one finds no snapshot but the .bak: it must not start from nothing.
    const c = await open(dir)
    expect(c.state.names).toEqual(['1', '2', '3', '4', '5', '6'])
    await c.append({ type: 't', name: '7' })
    await c.compact()
    await c.close()
    const e = await open(dir)
    expect(e.state.names).toEqual(['1', '2', '3', '4', '5', '6', '7'])
    expect(e.issues).toEqual([])
    await e.close()
  })

  it('a snapshot gone with its .bak left (moved aside, then a crash) starts from the .bak', async () => {
    const a = await open(dir, { compactEvery: 2 })
    for (const name of ['1', '2', '3', '4', '5']) await a.append({ type: 't', name })
    await a.close()
    await unlink(join(dir, 'journal.snapshot'))
    const b = await open(dir)
    expect(b.state.names).toEqual(['1', '2', '3', '4', '5'])
    await b.close()
  })

  it('refuses further appends after a failed write (a simulated crash)', async () => {
    let crash = false
    const a = await open(dir, {
      beforeWrite: () => {
        if (crash) throw new Error('power cut')
      }
    })
    await a.append({ type: 't', name: 'ok' })
    crash = true
    await expect(a.append({ type: 't', name: 'lost' })).rejects.toThrow('power cut')
    crash = false
    await expect(a.append({ type: 't', name: 'later' })).rejects.toThrow('power cut')
    // The crashed writer's lock goes with it.
    await a.close()
    const b = await open(dir)
    expect(b.state.names).toEqual(['ok'])
    await b.close()
  })

  it('is locked against another live process', async () => {
    const a = await open(dir)
    await a.close()
    await writeFile(join(dir, 'journal.lock'), String(process.ppid))
    await expect(open(dir)).rejects.toBeInstanceOf(JournalLockedError)
    // A stale lock (dead pid) is taken over.
    await writeFile(join(dir, 'journal.lock'), '2147483646')
    const b = await open(dir)
    await b.close()
  })
})
