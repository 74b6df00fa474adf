import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Conf from 'conf'
import { describe, expect, it } from 'vitest'

import { HISTORY_VERSION } from './store'
import { numberedEntry, STORE, storeFixture } from './store.test-support'

const f = storeFixture()

describe('history store: damaged files', () => {
  /** Writes two good generations (so a .bak exists), then damages the file with `damage`. */
  function prepare(damage: (good: string) => string | Buffer): { bakCount: number } {
    let s = f.open()
    s.add(numberedEntry(1))
    s.add(numberedEntry(2))
    s = f.reopen(s) // the clean open refreshes the .bak (2 entries)
    s.add(numberedEntry(3))
    s.close()
    f.closeAll()
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
      const bytes = readFileSync(join(f.dir, `history-${STORE}.json`))
      const s = f.open()
      expect(s.recovered?.message).toMatch(reason)
      expect(s.recovered?.message).toContain(s.recovered!.backupPath)
      // The damaged bytes are kept, byte for byte.
      expect(f.quarantined()).toHaveLength(1)
      expect(readFileSync(s.recovered!.backupPath)).toEqual(bytes)
      expect(s.list()).toHaveLength(expected)
      expect(s.list().map((e) => e.label)).toContain('Part 1')
      // The recovered state was written: the next start is clean.
      const again = f.reopen(s)
      expect(again.recovered).toBeUndefined()
      expect(again.list()).toHaveLength(expected)
    })
  }

  it('is needed: Conf itself throws on such a file (clearInvalidConfig stays false)', () => {
    writeFileSync(join(f.dir, 'plain.json'), '{"entries": [')
    expect(() => new Conf({ cwd: f.dir, configName: 'plain' })).toThrow()
  })

  it('starts empty, and says so, when nothing can be recovered', () => {
    const s0 = f.open()
    s0.close()
    f.closeAll()
    writeFileSync(s0.path, '\u0000\u0000\u0000')
    const s = f.open()
    expect(s.list()).toEqual([])
    expect(s.recovered?.message).toMatch(/no jobs could be recovered/)
  })

  it('leaves out unreadable entries but keeps the original', () => {
    const s0 = f.open()
    s0.add(numberedEntry(1))
    s0.close()
    f.closeAll()
    const data = JSON.parse(readFileSync(s0.path, 'utf8'))
    data.entries.push({ id: 'broken', storeId: STORE })
    writeFileSync(s0.path, JSON.stringify(data))
    const s = f.open()
    expect(s.list()).toHaveLength(1)
    expect(s.recovered?.message).toMatch(/1 entry .* could not be read/)
    expect(f.quarantined()).toHaveLength(1)
  })
})
