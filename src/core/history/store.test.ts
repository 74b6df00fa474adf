import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Conf from 'conf'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import {
  isTerminal,
  jobStatusOf,
  overallStatus,
  PRINTAGO_JOB_STATES,
  type HistoryEntry
} from '../../shared/history'
import {
  createHistoryEntry,
  HISTORY_FORMAT,
  HISTORY_VERSION,
  inspectHistoryText,
  isOpenEntry,
  nodeConfFactory,
  openHistoryStore,
  salvageEntries,
  type ConfFactory,
  type HistoryStore
} from './store'

const STORE = 'store0000000000000000001'
const OTHER = 'store0000000000000000002'

const confFactory: ConfFactory = nodeConfFactory

let dir: string
const opened: HistoryStore[] = []

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'history-store-'))
})
afterEach(async () => {
  for (const s of opened.splice(0)) s.close()
  await rm(dir, { recursive: true, force: true })
})

function open(storeId = STORE, extra: { dir?: string; maxEntries?: number } = {}): HistoryStore {
  const s = openHistoryStore({
    dir: extra.dir ?? dir,
    storeId,
    createConf: confFactory,
    maxEntries: extra.maxEntries,
    writeDelayMs: 0
  })
  opened.push(s)
  return s
}

let seq = 0
function entry(n: number, storeId = STORE, over: Partial<HistoryEntry> = {}): HistoryEntry {
  seq++
  return {
    ...createHistoryEntry(
      {
        storeId,
        file: `/models/part-${n}.stl`,
        sha256: n.toString(16).padStart(64, '0'),
        size: 1000 + n,
        dimensions: [10, 20, 30],
        partId: `part${String(n).padStart(20, '0')}`,
        partBuildId: `build${String(n).padStart(19, '0')}`,
        printJobIds: [`job${String(n).padStart(21, '0')}`],
        routing: { mode: 'tags', tags: ['RackA'] },
        label: `Part ${n}`,
        quantity: 1,
        thumbnail: 'data:image/png;base64,AAAA'
      },
      { now: Date.UTC(2026, 0, 1, 0, 0, n), id: `entry-${n}-${seq}` }
    ),
    ...over
  }
}

function reopen(s: HistoryStore, storeId = STORE): HistoryStore {
  s.close()
  return open(storeId)
}

function quarantined(): string[] {
  const q = join(dir, 'quarantine')
  return existsSync(q) ? readdirSync(q) : []
}

describe('status mapping', () => {
  it('maps all 13 Printago states to the five UI statuses', () => {
    expect(PRINTAGO_JOB_STATES).toHaveLength(13)
    const mapped = Object.fromEntries(PRINTAGO_JOB_STATES.map((s) => [s, jobStatusOf(s)]))
    expect(mapped).toEqual({
      pending: 'queued',
      assigned: 'in-progress',
      slicing: 'in-progress',
      sliced: 'in-progress',
      finalizing: 'in-progress',
      'waiting-for-approval': 'in-progress',
      'ready-for-printer': 'in-progress',
      'sending-to-printer': 'in-progress',
      printing: 'in-progress',
      paused: 'in-progress',
      completed: 'printed',
      failed: 'failed',
      cancelled: 'cancelled'
    })
    expect(jobStatusOf('some-future-state')).toBe('in-progress')
    expect(PRINTAGO_JOB_STATES.filter(isTerminal)).toEqual(['completed', 'failed', 'cancelled'])
  })

  it('derives the overall status worst-first', () => {
    const s = (...states: string[]): string => overallStatus(states.map((status) => ({ status })))
    expect(s()).toBe('queued')
    expect(s('pending', 'pending')).toBe('queued')
    expect(s('pending', 'printing')).toBe('in-progress')
    expect(s('completed', 'failed', 'printing')).toBe('failed')
    expect(s('completed', 'pending')).toBe('queued')
    expect(s('completed', 'completed')).toBe('printed')
    expect(s('completed', 'cancelled')).toBe('printed')
    expect(s('cancelled', 'cancelled')).toBe('cancelled')
    expect(s('paused')).toBe('in-progress')
  })

  it('knows open entries: open copies, or copies not yet seen', () => {
    const e = entry(1)
    expect(isOpenEntry(e)).toBe(true)
    expect(isOpenEntry({ ...e, copies: [{ ...e.copies[0]!, status: 'completed' }] })).toBe(false)
    expect(
      isOpenEntry({ ...e, quantity: 2, copies: [{ ...e.copies[0]!, status: 'completed' }] })
    ).toBe(true)
    expect(isOpenEntry({ ...e, copies: [{ ...e.copies[0]!, deletedOnServer: true }] })).toBe(false)
  })
})

describe('history store', () => {
  it('round-trips entries newest first and survives a restart', () => {
    let s = open()
    s.add(entry(1))
    s.add(entry(3))
    s.add(entry(2))
    expect(s.list().map((e) => e.label)).toEqual(['Part 3', 'Part 2', 'Part 1'])
    const id = s.list()[0]!.id
    s.update(id, (e) => ({
      ...e,
      copies: e.copies.map((c) => ({
        ...c,
        status: 'printing',
        printerId: 'p1',
        printerName: 'P1S'
      }))
    }))
    expect(s.get(id)?.status).toBe('in-progress')
    s = reopen(s)
    expect(s.recovered).toBeUndefined()
    expect(s.list().map((e) => e.label)).toEqual(['Part 3', 'Part 2', 'Part 1'])
    expect(s.get(id)?.copies[0]).toMatchObject({ status: 'printing', printerName: 'P1S' })
    expect(s.byPartBuildId(s.get(id)!.partBuildId)?.id).toBe(id)
    expect(s.byPrintJobId(s.get(id)!.copies[0]!.printJobId)?.id).toBe(id)
    const raw = JSON.parse(readFileSync(s.path, 'utf8'))
    expect(raw).toMatchObject({ format: HISTORY_FORMAT, version: HISTORY_VERSION, storeId: STORE })
    expect(existsSync(s.backupPath)).toBe(true)
  })

  it('coalesces status writes and flushes them on close', async () => {
    const s = openHistoryStore({ dir, storeId: STORE, createConf: confFactory, writeDelayMs: 50 })
    const e = s.add(entry(1))
    s.update(e.id, (x) => ({ ...x, copies: x.copies.map((c) => ({ ...c, status: 'completed' })) }))
    const onDisk = (): string =>
      (JSON.parse(readFileSync(s.path, 'utf8')) as { entries: HistoryEntry[] }).entries[0]!.status
    expect(onDisk()).toBe('queued')
    s.close()
    expect(onDisk()).toBe('printed')
  })

  it('keeps the newest 1,000 entries by default (and a configured bound)', () => {
    // Pre-write 1,000 entries (faster than 1,000 single writes), then add five more.
    const s0 = open()
    const path = s0.path
    s0.close()
    opened.length = 0
    const many = Array.from({ length: 1000 }, (_, i) => entry(i + 1))
    writeFileSync(
      path,
      JSON.stringify({ format: HISTORY_FORMAT, version: 1, storeId: STORE, entries: many })
    )
    const s = open()
    expect(s.list()).toHaveLength(1000)
    for (let i = 0; i < 5; i++) s.add(entry(2000 + i))
    expect(s.list()).toHaveLength(1000)
    expect(s.list()[0]!.label).toBe('Part 2004')
    expect(s.list().at(-1)!.label).toBe('Part 6')
    const small = open(OTHER, { dir: join(dir, 'other'), maxEntries: 10 })
    for (let i = 1; i <= 15; i++) small.add(entry(i, OTHER))
    expect(small.list().map((e) => e.label)[9]).toBe('Part 6')
    expect(small.list()).toHaveLength(10)
    small.setMaxEntries(3)
    expect(small.list().map((e) => e.label)).toEqual(['Part 15', 'Part 14', 'Part 13'])
  })

  it('keeps stores apart (file name, folder and recorded store id)', () => {
    const a = open(STORE)
    const b = open(OTHER)
    a.add(entry(1, STORE))
    b.add(entry(2, OTHER))
    expect(a.path).not.toBe(b.path)
    expect(a.path).toContain(STORE)
    expect(
      reopen(a)
        .list()
        .map((e) => e.label)
    ).toEqual(['Part 1'])
    expect(
      reopen(b, OTHER)
        .list()
        .map((e) => e.label)
    ).toEqual(['Part 2'])
    expect(() => b.add(entry(3, STORE))).toThrow(/store/)
    // Another store's file under this store's name is set aside, not read.
    const c = open(STORE)
    c.close()
    opened.length = 0
    writeFileSync(
      c.path,
      JSON.stringify({
        format: HISTORY_FORMAT,
        version: 1,
        storeId: OTHER,
        entries: [entry(9, OTHER)]
      })
    )
    const d = open(STORE)
    expect(d.recovered?.message).toMatch(/another store/)
    expect(d.list().map((e) => e.label)).toEqual(['Part 1']) // from the .bak, which is ours
  })

  it('merges entries another process wrote before writing', () => {
    const a = open()
    const b = open()
    a.add(entry(1))
    b.add(entry(2))
    expect(b.list()).toHaveLength(2)
    expect(
      reopen(a)
        .list()
        .map((e) => e.label)
    ).toEqual(['Part 2', 'Part 1'])
  })

  it('adds idempotently per part build (a resumed send adding it again)', () => {
    const s = open()
    const first = s.add(entry(1))
    const again = s.add({
      ...entry(1),
      id: 'another-id',
      copies: [{ printJobId: 'extra', status: 'pending', printerId: null, updatedAt: 'x' }]
    })
    expect(again.id).toBe(first.id)
    expect(s.list()).toHaveLength(1)
    expect(s.get(first.id)!.copies.map((c) => c.printJobId)).toEqual([
      first.copies[0]!.printJobId,
      'extra'
    ])
  })

  it('clears only on request and does not resurrect cleared entries', () => {
    const s = open()
    s.add(entry(1))
    s.add(entry(2))
    expect(s.clear()).toBe(2)
    expect(reopen(s).list()).toEqual([])
  })
})

describe('history store: damaged files', () => {
  /** Writes two good generations (so a .bak exists), then damages the file with `damage`. */
  function prepare(damage: (good: string) => string | Buffer): { bakCount: number } {
    let s = open()
    s.add(entry(1))
    s.add(entry(2))
    s = reopen(s) // the clean open refreshes the .bak (2 entries)
    s.add(entry(3))
    s.close()
    opened.length = 0
    const good = readFileSync(s.path, 'utf8')
    writeFileSync(s.path, damage(good))
    return { bakCount: 2 }
  }

  const cases: Array<[string, (good: string) => string | Buffer, RegExp, number]> = [
    ['empty', () => '', /empty/, 2],
    ['truncated', (good) => good.slice(0, Math.floor(good.length * 0.8)), /not valid JSON/, 3],
    ['not JSON', () => 'this is not json {', /not valid JSON/, 2],
    ['NUL-filled', (good) => Buffer.alloc(good.length), /NUL/, 2],
    [
      'NUL tail',
      (good) => Buffer.concat([Buffer.from(good.slice(0, good.length - 40)), Buffer.alloc(40)]),
      /NUL/,
      3
    ],
    [
      'future version',
      (good) => JSON.stringify({ ...JSON.parse(good), version: HISTORY_VERSION + 1 }),
      /newer version/,
      3
    ],
    ['a JSON array', () => '[]', /not a history file/, 2]
  ]

  for (const [name, damage, reason, expected] of cases) {
    it(`recovers from ${name} with a backup and a message`, () => {
      prepare(damage)
      const bytes = readFileSync(join(dir, `history-${STORE}.json`))
      const s = open()
      expect(s.recovered?.message).toMatch(reason)
      expect(s.recovered?.message).toContain(s.recovered!.backupPath)
      // The damaged bytes are kept, byte for byte.
      expect(quarantined()).toHaveLength(1)
      expect(readFileSync(s.recovered!.backupPath)).toEqual(bytes)
      expect(s.list()).toHaveLength(expected)
      expect(s.list().map((e) => e.label)).toContain('Part 1')
      // The recovered state was written: the next start is clean.
      const again = reopen(s)
      expect(again.recovered).toBeUndefined()
      expect(again.list()).toHaveLength(expected)
    })
  }

  it('is needed: Conf itself throws on such a file (clearInvalidConfig stays false)', () => {
    writeFileSync(join(dir, 'plain.json'), '{"entries": [')
    expect(() => new Conf({ cwd: dir, configName: 'plain' })).toThrow()
  })

  it('starts empty, and says so, when nothing can be recovered', () => {
    const s0 = open()
    s0.close()
    opened.length = 0
    writeFileSync(s0.path, '\u0000\u0000\u0000')
    const s = open()
    expect(s.list()).toEqual([])
    expect(s.recovered?.message).toMatch(/no jobs could be recovered/)
  })

  it('leaves out unreadable entries but keeps the original', () => {
    const s0 = open()
    s0.add(entry(1))
    s0.close()
    opened.length = 0
    const data = JSON.parse(readFileSync(s0.path, 'utf8'))
    data.entries.push({ id: 'broken', storeId: STORE })
    writeFileSync(s0.path, JSON.stringify(data))
    const s = open()
    expect(s.list()).toHaveLength(1)
    expect(s.recovered?.message).toMatch(/1 entry .* could not be read/)
    expect(quarantined()).toHaveLength(1)
  })

  it('salvages whole entries from a cut-off file', () => {
    const e1 = entry(1)
    const e2 = entry(2)
    const text = JSON.stringify({
      format: HISTORY_FORMAT,
      version: 1,
      storeId: STORE,
      entries: [e1, e2]
    })
    const cut = text.slice(0, text.indexOf(e2.id) + 10)
    expect(salvageEntries(cut, STORE).map((e) => e.id)).toEqual([e1.id])
    expect(salvageEntries(text, STORE).map((e) => e.id)).toEqual([e1.id, e2.id])
    expect(salvageEntries(text, OTHER)).toEqual([])
    expect(inspectHistoryText(cut, STORE)).toMatchObject({ kind: 'damaged' })
  })
})
