import { describe, expect, it } from 'vitest'

import type { HistoryEntry, JobCopy } from '../../shared/history'
import { createManualClock } from '../infra/clock'
import { parseRealtimeMessage, type EntityMessage } from '../printago/realtime'
import { createHistoryEntry } from './entry'
import type { HistoryStore } from './store'
import { STORE, storeFixture } from './store.test-support'
import { BUFFER_MS } from './sync-event-buffer'
import { createFinishedJobs } from './sync-notify'
import { createPrinterNames } from './sync-printer-names'
import { createPrinterStats } from './sync-printer-stats'
import { createRealtimeHandling } from './sync-realtime'

const f = storeFixture()

function newEntry(n: number): HistoryEntry {
  return createHistoryEntry({
    storeId: STORE,
    file: `/m/part-${n}.stl`,
    sha256: 'a'.repeat(64),
    size: 1,
    partId: `part${n}`,
    partBuildId: `build${n}`,
    routing: { mode: 'any' },
    label: `Part ${n}`,
    quantity: 1
  })
}

const jobs = (
  action: EntityMessage['action'],
  entities: EntityMessage['entities'],
  changes: EntityMessage['changes'] = {}
): EntityMessage => ({
  kind: 'entity',
  topic: `stores/${STORE}/entities/print-jobs`,
  entityType: 'printJob',
  action,
  entities,
  changes
})

function setup(): {
  store: HistoryStore
  clock: ReturnType<typeof createManualClock>
  handling: ReturnType<typeof createRealtimeHandling>
  names: ReturnType<typeof createPrinterNames>
  stats: ReturnType<typeof createPrinterStats>
  finished: Array<{ entry: HistoryEntry; copy: JobCopy }>
  changes: () => number
} {
  const store = f.open()
  const clock = createManualClock()
  const client = { listPrinters: () => Promise.reject(new Error('no REST here')) }
  const names = createPrinterNames({ store, client, clock })
  const stats = createPrinterStats()
  const finishedJobs = createFinishedJobs({ store, settings: () => ({ notifications: true }) })
  const finished: Array<{ entry: HistoryEntry; copy: JobCopy }> = []
  finishedJobs.onJobFinished((entry, copy) => finished.push({ entry, copy }))
  let changed = 0
  const seen = new Map<string, string>()
  const handling = createRealtimeHandling({
    store,
    clock,
    names,
    stats,
    step: () => ({ store, printerName: names.nameOf, now: () => clock.now(), seen, finished: [] }),
    finished: finishedJobs,
    changed: () => changed++
  })
  return { store, clock, handling, names, stats, finished, changes: () => changed }
}

describe('realtime handling', () => {
  it('holds job events of builds not yet in the history and replays them when they appear', () => {
    const { store, handling, finished } = setup()
    handling.handle(jobs('INSERT', { j1: { partBuildId: 'build1', status: 'pending' } }))
    handling.handle(
      jobs('UPDATE', { j1: { partBuildId: 'build1' } }, { j1: { status: { new: 'completed' } } })
    )
    const entry = store.add(newEntry(1))
    expect(store.get(entry.id)!.copies).toEqual([])
    handling.replay([entry])
    expect(store.get(entry.id)!.copies).toMatchObject([{ printJobId: 'j1', status: 'completed' }])
    expect(finished.map((f) => f.copy.status)).toEqual(['completed'])
    handling.replay([entry]) // taken once
    expect(finished).toHaveLength(1)
  })

  it('forgets held events after a while (on the clock) and never holds a DELETE', async () => {
    const { store, clock, handling } = setup()
    handling.handle(jobs('INSERT', { j1: { partBuildId: 'build1', status: 'pending' } }))
    handling.handle(jobs('DELETE', { j2: { partBuildId: 'build2' } }))
    await clock.advance(BUFFER_MS + 1)
    handling.handle(jobs('INSERT', { j3: { partBuildId: 'build3', status: 'pending' } }))
    const late = store.add(newEntry(1))
    const deleted = store.add(newEntry(2))
    handling.replay([late, deleted])
    expect(store.get(late.id)!.copies).toEqual([])
    expect(store.get(deleted.id)!.copies).toEqual([])
  })

  it('updates and deletes copies of known jobs, and learns printer names', () => {
    const { store, handling, names } = setup()
    const entry = store.add({ ...newEntry(1), copies: [] })
    handling.handle(jobs('INSERT', { j1: { partBuildId: 'build1', status: 'pending' } }))
    handling.handle({
      kind: 'entity',
      topic: `stores/${STORE}/entities/printers`,
      entityType: 'printer',
      action: 'UPDATE',
      entities: { p1: { name: 'P1S #1' } },
      changes: {}
    })
    expect(names.nameOf('p1')).toBe('P1S #1')
    // Known by its job id alone (no partBuildId in a sparse UPDATE).
    handling.handle(jobs('UPDATE', {}, { j1: { status: 'printing', assignedPrinterId: 'p1' } }))
    expect(store.get(entry.id)!.copies[0]).toMatchObject({
      status: 'printing',
      printerName: 'P1S #1'
    })
    handling.handle(jobs('DELETE', { j1: {} }))
    expect(store.get(entry.id)!.copies[0]).toMatchObject({ deletedOnServer: true })
    // Other entity types change nothing.
    handling.handle({ ...jobs('INSERT', { x: {} }), entityType: 'part' })
    expect(store.list()).toHaveLength(1)
  })

  it('shows printer-stats progress on the copies printing there, in memory only', () => {
    const { store, handling, stats, changes } = setup()
    const entry = store.add(newEntry(1))
    const stat = (percent: number | null): void =>
      handling.handle({
        kind: 'printer-stats',
        topic: `stores/${STORE}/printer-stats/p1`,
        printerId: 'p1',
        percent,
        state: 'PRINTING',
        hasPrint: true
      })
    stat(10)
    expect(changes()).toBe(0) // nothing of ours prints there yet
    handling.handle(
      jobs('UPDATE', { j1: { partBuildId: 'build1', status: 'printing', assignedPrinterId: 'p1' } })
    )
    stat(10.5) // less than a percent: not worth a change
    stat(42)
    stat(null)
    expect(changes()).toBe(1)
    expect(stats.overlay(store.list())[0]!.copies[0]!.progress).toBe(42)
    expect(store.get(entry.id)!.copies[0]!.progress).toBeUndefined()
  })
})

describe('realtime messages', () => {
  it('parses realtime messages defensively', () => {
    const s = 'store1'
    const t = `stores/${s}/entities/print-jobs`
    expect(parseRealtimeMessage(t, 'nope', s)).toEqual({ ok: false, reason: 'not JSON' })
    expect(parseRealtimeMessage(t, '[1]', s)).toEqual({ ok: false, reason: 'not an object' })
    expect(
      parseRealtimeMessage(t, '{"entityType":"coffee","action":"INSERT","entities":{"a":{}}}', s)
    ).toEqual({ ok: false, reason: 'unknown entityType', rawType: 'coffee' })
    expect(
      parseRealtimeMessage(t, '{"entityType":"printJob","action":"EXPLODE","entities":{"a":{}}}', s)
    ).toEqual({ ok: false, reason: 'unknown action', rawType: 'printJob' })
    expect(parseRealtimeMessage(t, '{"entityType":"printJob","action":"UPDATE"}', s)).toEqual({
      ok: false,
      reason: 'missing entities',
      rawType: 'printJob'
    })
    expect(parseRealtimeMessage('stores/other/entities/x', '{}', s)).toEqual({
      ok: false,
      reason: 'foreign topic'
    })
    // The topic names the type when the payload does not; spellings are normalised.
    const ok = parseRealtimeMessage(
      t,
      '{"action":"update","entities":{"a":{"status":"printing"}}}',
      s
    )
    expect(ok).toMatchObject({ ok: true, message: { entityType: 'printJob', action: 'UPDATE' } })
    expect(
      parseRealtimeMessage(
        `stores/${s}/printer-stats/p1`,
        '{"state":"PRINTING","data":{"print":{"percent":42}}}',
        s
      )
    ).toEqual({
      ok: true,
      message: {
        kind: 'printer-stats',
        topic: `stores/${s}/printer-stats/p1`,
        printerId: 'p1',
        percent: 42,
        state: 'PRINTING',
        hasPrint: true
      }
    })
    // Layer, time left, task and health, when the message carries them; sparse ones keep less.
    expect(
      parseRealtimeMessage(
        `stores/${s}/printer-stats/p1`,
        JSON.stringify({
          state: 'PAUSE',
          isOnline: true,
          isAvailable: false,
          data: {
            print: {
              percent: 50,
              currentLayer: 20,
              totalLayers: 40,
              timeRemaining: 7,
              taskName: 'x'
            },
            health: { errors: [{ code: 'HMS_1', message: 'Nozzle clog' }], warnings: 'bad' }
          }
        }),
        s
      )
    ).toMatchObject({
      ok: true,
      message: {
        state: 'PAUSE',
        currentLayer: 20,
        totalLayers: 40,
        timeRemaining: 7,
        taskName: 'x',
        isOnline: true,
        isAvailable: false,
        health: { errors: [{ code: 'HMS_1', message: 'Nozzle clog' }], warnings: [], infos: [] }
      }
    })
    const sparse = parseRealtimeMessage(
      `stores/${s}/printer-stats/p1`,
      '{"data":{"print":{"percent":51}}}',
      s
    )
    expect(sparse.ok && sparse.message.kind === 'printer-stats' && sparse.message).toEqual({
      kind: 'printer-stats',
      topic: `stores/${s}/printer-stats/p1`,
      printerId: 'p1',
      percent: 51,
      state: null,
      hasPrint: true
    })
  })
})
