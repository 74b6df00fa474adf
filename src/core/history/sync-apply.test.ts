import { describe, expect, it } from 'vitest'

import type { JobCopy } from '../../shared/history'
import { createHistoryEntry } from './entry'
import type { HistoryStore } from './store'
import { STORE, storeFixture } from './store.test-support'
import { applyJobFacts, applyToEntry, jobFacts, markDeleted, type ApplyContext } from './sync-apply'

const f = storeFixture()

function storeWithEntry(quantity: number): { store: HistoryStore; id: string } {
  const store = f.open()
  const e = store.add(
    createHistoryEntry({
      storeId: STORE,
      file: '/m/gear.stl',
      sha256: 'a'.repeat(64),
      size: 1,
      partId: 'part1',
      partBuildId: 'build1',
      routing: { mode: 'any' },
      label: 'gear',
      quantity
    })
  )
  return { store, id: e.id }
}

function context(store: HistoryStore): ApplyContext {
  return {
    store,
    printerName: (id) => (id === 'p1' ? 'P1S' : undefined),
    now: () => Date.UTC(2026, 0, 1),
    seen: new Map(),
    finished: []
  }
}

describe('applying job facts', () => {
  it('reads job facts from entities and changes of either shape', () => {
    expect(jobFacts('j', { status: 'printing', assignedPrinterId: 'p' })).toEqual({
      id: 'j',
      status: 'printing',
      assignedPrinterId: 'p'
    })
    expect(
      jobFacts('j', {}, { status: { old: 'pending', new: 'assigned' }, errorMessage: null })
    ).toEqual({
      id: 'j',
      status: 'assigned',
      errorMessage: null
    })
    expect(jobFacts('j', { status: 42, partBuildId: ['x'] })).toEqual({ id: 'j' })
    const prev: JobCopy = { printJobId: 'j', status: 'pending', printerId: null, updatedAt: 't0' }
    expect(applyJobFacts(prev, { id: 'j', status: 'pending' }, () => undefined, 'now')).toBeNull()
    expect(
      applyJobFacts(prev, { id: 'j', assignedPrinterId: 'p1' }, () => 'A1', 'now')
    ).toMatchObject({
      status: 'pending',
      printerId: 'p1',
      printerName: 'A1'
    })
  })

  it('adds copies in quantityIndex order and ignores older states', () => {
    const { store, id } = storeWithEntry(2)
    const ctx = context(store)
    const t = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString()
    expect(
      applyToEntry(ctx, id, [
        { id: 'j2', status: 'pending', quantityIndex: 1, updatedAt: t(1) },
        { id: 'j1', status: 'assigned', assignedPrinterId: 'p1', quantityIndex: 0, updatedAt: t(1) }
      ])
    ).toBe(true)
    expect(store.get(id)!.copies.map((c) => c.printJobId)).toEqual(['j1', 'j2'])
    expect(store.get(id)!.copies[0]).toMatchObject({ printerName: 'P1S', status: 'assigned' })
    // An answer older than what was applied (a slow REST page, a late event) changes nothing.
    expect(applyToEntry(ctx, id, [{ id: 'j1', status: 'pending', updatedAt: t(0) }])).toBe(false)
    expect(store.get(id)!.copies[0]!.status).toBe('assigned')
    expect(ctx.finished).toEqual([])
  })

  it('collects the copies that finished, and marks deleted copies without dropping them', () => {
    const { store, id } = storeWithEntry(2)
    const ctx = context(store)
    applyToEntry(ctx, id, [
      { id: 'j1', status: 'printing' },
      { id: 'j2', status: 'pending' }
    ])
    applyToEntry(ctx, id, [{ id: 'j1', status: 'completed' }])
    applyToEntry(ctx, id, [{ id: 'j1', status: 'completed' }]) // no change: not finished twice
    expect(ctx.finished.map((f) => [f.prev?.status, f.copy.status])).toEqual([
      ['printing', 'completed']
    ])
    markDeleted(ctx, id, new Set(['j2']))
    const copies: JobCopy[] = store.get(id)!.copies
    expect(copies).toHaveLength(2)
    expect(copies[1]).toMatchObject({ status: 'pending', deletedOnServer: true })
    expect(store.get(id)!.status).toBe('printed') // a deleted open copy counts as cancelled
  })
})
