// The fate journal: what became of each file survives a restart (replayed from the log, and from
// a snapshot after compaction), and a second opener of the same folder is kept out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { JournalLockedError } from '../infra/journal'
import { tempDir } from '../../test-support/temp'
import { openFateJournal, recordFate } from './fates'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => ({ dir, cleanup } = await tempDir('fates-')))
afterEach(() => cleanup())

describe('fate journal', () => {
  it('replays picked → sent / failed / forget after a restart', async () => {
    const j = await openFateJournal(dir, () => 1000)
    await recordFate(j, {
      type: 'picked',
      jobId: 'job-1',
      files: [
        { sha256: 'a', name: 'a.stl' },
        { sha256: 'b', name: 'b.stl' },
        { sha256: 'c', name: 'c.stl' }
      ]
    })
    await recordFate(j, { type: 'sent', sha256: 'a', name: 'a.stl', partBuildId: 'pb1' })
    await recordFate(j, { type: 'failed', sha256: 'b', name: 'b.stl', reason: 'Broken.' })
    await recordFate(j, { type: 'held', sha256: 'd', name: 'd.stl' })
    await recordFate(j, { type: 'forget', sha256: 'd' })
    await j.close()

    const again = await openFateJournal(dir, () => 2000)
    const fates = again.state.fates
    expect(fates.get('a')).toMatchObject({ state: 'sent', partBuildId: 'pb1', name: 'a.stl' })
    expect(fates.get('b')).toMatchObject({ state: 'failed', reason: 'Broken.' })
    expect(fates.get('c')).toMatchObject({ state: 'picked', jobId: 'job-1' })
    expect(fates.has('d')).toBe(false)
    await again.compact()
    await again.close()

    const compacted = await openFateJournal(dir, () => 3000)
    expect([...compacted.state.fates.keys()].sort()).toEqual(['a', 'b', 'c'])
    expect(compacted.state.fates.get('c')).toMatchObject({ state: 'picked', jobId: 'job-1' })
    await compacted.close()
  })

  it('one writer per data folder: a second open is refused while the first holds it', async () => {
    const j = await openFateJournal(dir, Date.now)
    await expect(openFateJournal(dir, Date.now)).rejects.toBeInstanceOf(JournalLockedError)
    await j.close()
  })
})
