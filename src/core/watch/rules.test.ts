// The cheap rules of a hot folder: which names are never candidates, when a file has stopped
// changing (on a manual clock), and how a queue label is made from the folder's pattern.
import { describe, expect, it } from 'vitest'

import { expandLabel } from '../../shared/watch'
import { createManualClock } from '../infra/clock'
import { ignoreReason, isOwnEntry } from './ignore'
import { createStabilityTracker } from './stable'

describe('ignore rules', () => {
  it.each([
    ['.DS_Store', 'a hidden file'],
    ['.benchy.stl', 'a hidden file'],
    ['~$order.stl', 'a temporary file'],
    ['benchy.stl~', 'a temporary file'],
    ['benchy.stl.part', 'a file still being written (temporary name)'],
    ['benchy.stl.crdownload', 'a file still being written (temporary name)'],
    ['benchy.tmp', 'a file still being written (temporary name)'],
    ['order.pdf', 'not a 3D model file (.stl or .3mf)'],
    ['README', 'not a 3D model file (.stl or .3mf)']
  ])('%s is ignored: %s', (name, why) => {
    expect(ignoreReason(name)).toBe(why)
  })

  it('model files are candidates whatever the case of their extension', () => {
    expect(ignoreReason('Benchy.STL')).toBeNull()
    expect(ignoreReason('plate.3mf')).toBeNull()
  })

  it('subfolders, Sent/, Failed/ and the lock are never candidates', () => {
    expect(ignoreReason('Sent', true)).toBe('where processed files go')
    expect(ignoreReason('models', true)).toBe('a folder (subfolders are not watched)')
    expect(ignoreReason('.printago-watch.lock')).toBe('the hot folder lock')
    expect(['Sent', 'Failed', '.printago-watch.lock'].every(isOwnEntry)).toBe(true)
    expect(isOwnEntry('a.stl')).toBe(false)
  })
})

describe('stable-file detection', () => {
  it('a file is stable once size and mtime stayed the same for stableMs', async () => {
    const clock = createManualClock(1000)
    const t = createStabilityTracker(3000)
    expect(t.observe('a.stl', { size: 10, mtimeMs: 1 }, clock.now())).toBe(false)
    await clock.advance(2999)
    expect(t.observe('a.stl', { size: 10, mtimeMs: 1 }, clock.now())).toBe(false)
    expect(t.settling(clock.now())).toBe(1)
    await clock.advance(1)
    expect(t.observe('a.stl', { size: 10, mtimeMs: 1 }, clock.now())).toBe(true)
    expect(t.settling(clock.now())).toBe(0)
  })

  it('a file still growing (half-written) starts its wait again at every change', async () => {
    const clock = createManualClock(0)
    const t = createStabilityTracker(1000)
    t.observe('a.stl', { size: 10, mtimeMs: 1 }, clock.now())
    await clock.advance(900)
    expect(t.observe('a.stl', { size: 20, mtimeMs: 2 }, clock.now())).toBe(false)
    await clock.advance(900)
    expect(t.observe('a.stl', { size: 20, mtimeMs: 3 }, clock.now())).toBe(false)
    await clock.advance(999)
    expect(t.observe('a.stl', { size: 20, mtimeMs: 3 }, clock.now())).toBe(false)
    await clock.advance(1)
    expect(t.observe('a.stl', { size: 20, mtimeMs: 3 }, clock.now())).toBe(true)
  })

  it('a file that went away and came back waits again', async () => {
    const clock = createManualClock(0)
    const t = createStabilityTracker(1000)
    t.observe('a.stl', { size: 10, mtimeMs: 1 }, clock.now())
    await clock.advance(1000)
    t.keepOnly(new Set())
    expect(t.observe('a.stl', { size: 10, mtimeMs: 1 }, clock.now())).toBe(false)
  })
})

describe('label pattern', () => {
  const at = new Date(2026, 11, 7, 9, 5).getTime()
  it('fills in name, file, folder, date and time; keeps unknown words visible', () => {
    expect(expandLabel('{name}', 'benchy.v2.stl', 'inbox', at)).toBe('benchy.v2')
    expect(expandLabel('{folder}/{file} {date} {time}', 'a.stl', 'inbox', at)).toBe(
      'inbox/a.stl 2026-12-07 09:05'
    )
    expect(expandLabel('{nmae}', 'a.stl', 'inbox', at)).toBe('{nmae}')
  })
  it('an empty result falls back to the file name', () => {
    expect(expandLabel('   ', 'a.stl', 'inbox', at)).toBe('a')
  })
})
