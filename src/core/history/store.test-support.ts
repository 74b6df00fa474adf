// Helpers for the history store's tests: a fresh folder per test, stores opened in it (closed
// afterwards), and numbered entries whose order and identity the tests can predict.
import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach } from 'vitest'

import type { HistoryEntry } from '../../shared/history'
import type { Clock } from '../infra/clock'
import { createHistoryEntry } from './entry'
import { nodeConfFactory, openHistoryStore, type HistoryStore } from './store'

export const STORE = 'store0000000000000000001'
export const OTHER = 'store0000000000000000002'

export interface StoreFixture {
  /** This test's folder. */
  readonly dir: string
  open(
    storeId?: string,
    extra?: { dir?: string; maxEntries?: number; writeDelayMs?: number; clock?: Clock }
  ): HistoryStore
  /** Closes `s` and opens its store again. */
  reopen(s: HistoryStore, storeId?: string): HistoryStore
  /** Closes every store opened so far (before a test edits their file by hand). */
  closeAll(): void
  /** The files set aside in quarantine/. */
  quarantined(): string[]
}

/** Registers the hooks that give each test a fresh folder; call at the top of a test file. */
export function storeFixture(): StoreFixture {
  let dir = ''
  const opened: HistoryStore[] = []
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'history-store-'))
  })
  afterEach(async () => {
    for (const s of opened.splice(0)) s.close()
    await rm(dir, { recursive: true, force: true })
  })
  const fixture: StoreFixture = {
    get dir() {
      return dir
    },
    open(storeId = STORE, extra = {}) {
      const s = openHistoryStore({
        dir: extra.dir ?? dir,
        storeId,
        createConf: nodeConfFactory,
        maxEntries: extra.maxEntries,
        writeDelayMs: extra.writeDelayMs ?? 0,
        clock: extra.clock
      })
      opened.push(s)
      return s
    },
    reopen(s, storeId = STORE) {
      s.close()
      return fixture.open(storeId)
    },
    closeAll() {
      for (const s of opened.splice(0)) s.close()
    },
    quarantined() {
      const q = join(dir, 'quarantine')
      return existsSync(q) ? readdirSync(q) : []
    }
  }
  return fixture
}

let seq = 0

/** Entry `n`: sent at second `n` of 2026, one pending copy, a small thumbnail. */
export function numberedEntry(
  n: number,
  storeId = STORE,
  over: Partial<HistoryEntry> = {}
): HistoryEntry {
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
