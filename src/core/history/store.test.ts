import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'

import type { HistoryEntry } from '../../shared/history'
import { createManualClock } from '../infra/clock'
import { HISTORY_FORMAT, HISTORY_VERSION } from './store'
import { numberedEntry, OTHER, STORE, storeFixture } from './store.test-support'

const f = storeFixture()

describe('history store', () => {
  it('round-trips entries newest first and survives a restart', () => {
    let s = f.open()
    s.add(numberedEntry(1))
    s.add(numberedEntry(3))
    s.add(numberedEntry(2))
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
    s = f.reopen(s)
    expect(s.recovered).toBeUndefined()
    expect(s.list().map((e) => e.label)).toEqual(['Part 3', 'Part 2', 'Part 1'])
    expect(s.get(id)?.copies[0]).toMatchObject({ status: 'printing', printerName: 'P1S' })
    expect(s.byPartBuildId(s.get(id)!.partBuildId)?.id).toBe(id)
    expect(s.byPrintJobId(s.get(id)!.copies[0]!.printJobId)?.id).toBe(id)
    const raw = JSON.parse(readFileSync(s.path, 'utf8'))
    expect(raw).toMatchObject({ format: HISTORY_FORMAT, version: HISTORY_VERSION, storeId: STORE })
    expect(existsSync(s.backupPath)).toBe(true)
  })

  it('keeps the material, the model restriction and the original of a scaled copy', () => {
    let s = f.open()
    const original = { file: '/m/bracket.stl', fileName: 'bracket.stl', sha256: 'ab', unit: 'inch' }
    const entry = s.add({
      ...numberedEntry(1),
      material: { kind: 'type', type: 'PETG' },
      printerModels: ['P1S', 'H2D'],
      original: original as HistoryEntry['original']
    })
    s = f.reopen(s)
    expect(s.get(entry.id)).toMatchObject({
      material: { kind: 'type', type: 'PETG' },
      printerModels: ['P1S', 'H2D'],
      original
    })
  })

  it('coalesces status writes on the clock and flushes them on close', async () => {
    const clock = createManualClock()
    const s = f.open(STORE, { writeDelayMs: 300, clock })
    const e = s.add(numberedEntry(1)) // a new entry is written at once
    const onDisk = (): string =>
      (JSON.parse(readFileSync(s.path, 'utf8')) as { entries: HistoryEntry[] }).entries[0]!.status
    const setStatus = (status: string): void =>
      void s.update(e.id, (x) => ({ ...x, copies: x.copies.map((c) => ({ ...c, status })) }))
    setStatus('printing')
    setStatus('completed')
    expect(clock.pending()).toBe(1) // one write for both changes
    await clock.advance(299)
    expect(onDisk()).toBe('queued')
    await clock.advance(1)
    expect(onDisk()).toBe('printed')
    expect(clock.pending()).toBe(0)
    setStatus('failed')
    s.close()
    expect(onDisk()).toBe('failed')
    expect(clock.pending()).toBe(0)
  })

  it('refreshes the backup copy from its own file at most hourly (on the clock)', async () => {
    const clock = createManualClock()
    const s = f.open(STORE, { clock })
    const backedUp = (): number =>
      (JSON.parse(readFileSync(s.backupPath, 'utf8')) as { entries: HistoryEntry[] }).entries.length
    s.add(numberedEntry(1))
    s.add(numberedEntry(2)) // the file written before this write becomes the backup
    expect(backedUp()).toBe(1)
    s.add(numberedEntry(3))
    await clock.advance(59 * 60_000)
    s.add(numberedEntry(4))
    expect(backedUp()).toBe(1)
    await clock.advance(2 * 60_000)
    s.add(numberedEntry(5))
    expect(backedUp()).toBe(4)
  })

  it('keeps the newest 1,000 entries by default (and a configured bound)', () => {
    // Pre-write 1,000 entries (faster than 1,000 single writes), then add five more.
    const s0 = f.open()
    const path = s0.path
    s0.close()
    f.closeAll()
    const many = Array.from({ length: 1000 }, (_, i) => numberedEntry(i + 1))
    writeFileSync(
      path,
      JSON.stringify({ format: HISTORY_FORMAT, version: 1, storeId: STORE, entries: many })
    )
    const s = f.open()
    expect(s.list()).toHaveLength(1000)
    for (let i = 0; i < 5; i++) s.add(numberedEntry(2000 + i))
    expect(s.list()).toHaveLength(1000)
    expect(s.list()[0]!.label).toBe('Part 2004')
    expect(s.list().at(-1)!.label).toBe('Part 6')
    const small = f.open(OTHER, { dir: join(f.dir, 'other'), maxEntries: 10 })
    for (let i = 1; i <= 15; i++) small.add(numberedEntry(i, OTHER))
    expect(small.list().map((e) => e.label)[9]).toBe('Part 6')
    expect(small.list()).toHaveLength(10)
    small.setMaxEntries(3)
    expect(small.list().map((e) => e.label)).toEqual(['Part 15', 'Part 14', 'Part 13'])
  })

  it('keeps stores apart (file name, folder and recorded store id)', () => {
    const a = f.open(STORE)
    const b = f.open(OTHER)
    a.add(numberedEntry(1, STORE))
    b.add(numberedEntry(2, OTHER))
    expect(a.path).not.toBe(b.path)
    expect(a.path).toContain(STORE)
    expect(
      f
        .reopen(a)
        .list()
        .map((e) => e.label)
    ).toEqual(['Part 1'])
    expect(
      f
        .reopen(b, OTHER)
        .list()
        .map((e) => e.label)
    ).toEqual(['Part 2'])
    expect(() => b.add(numberedEntry(3, STORE))).toThrow(/store/)
    // Another store's file under this store's name is set aside, not read.
    const c = f.open(STORE)
    c.close()
    f.closeAll()
    writeFileSync(
      c.path,
      JSON.stringify({
        format: HISTORY_FORMAT,
        version: 1,
        storeId: OTHER,
        entries: [numberedEntry(9, OTHER)]
      })
    )
    const d = f.open(STORE)
    expect(d.recovered?.message).toMatch(/another store/)
    expect(d.list().map((e) => e.label)).toEqual(['Part 1']) // from the .bak, which is ours
  })

  it('merges entries another process wrote before writing', () => {
    const a = f.open()
    const b = f.open()
    a.add(numberedEntry(1))
    b.add(numberedEntry(2))
    expect(b.list()).toHaveLength(2)
    expect(
      f
        .reopen(a)
        .list()
        .map((e) => e.label)
    ).toEqual(['Part 2', 'Part 1'])
  })

  it('adds idempotently per part build (a resumed send adding it again)', () => {
    const s = f.open()
    const first = s.add(numberedEntry(1))
    const again = s.add({
      ...numberedEntry(1),
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
    const s = f.open()
    s.add(numberedEntry(1))
    s.add(numberedEntry(2))
    expect(s.clear()).toBe(2)
    expect(f.reopen(s).list()).toEqual([])
  })
})
