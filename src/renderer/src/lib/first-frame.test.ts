// The first-frame gate: a report waits for its file's first frame, never longer than its cap, and
// never when the preview cannot draw.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import { forgetDrawn, markDrawn, setPreviewAvailable, whenDrawn } from './first-frame'

const settled = async (p: Promise<void>): Promise<boolean> => {
  let done = false
  void p.then(() => (done = true))
  await vi.advanceTimersByTimeAsync(0)
  return done
}

beforeEach(() => {
  vi.useFakeTimers()
  setPreviewAvailable(true)
})
afterEach(() => {
  for (const k of ['a', 'b', 'c']) forgetDrawn(k)
  vi.useRealTimers()
})

describe('whenDrawn', () => {
  it('waits for the file to be drawn', async () => {
    const p = whenDrawn('a', 1000)
    expect(await settled(p)).toBe(false)
    markDrawn('b')
    expect(await settled(p)).toBe(false)
    markDrawn('a')
    expect(await settled(p)).toBe(true)
  })

  it('answers at once for a file already drawn', async () => {
    markDrawn('a')
    expect(await settled(whenDrawn('a', 1000))).toBe(true)
  })

  it('gives up after its cap', async () => {
    const p = whenDrawn('a', 1000)
    await vi.advanceTimersByTimeAsync(999)
    expect(await settled(p)).toBe(false)
    await vi.advanceTimersByTimeAsync(1)
    expect(await settled(p)).toBe(true)
  })

  it('never waits while the preview cannot draw, and releases waiters when it stops', async () => {
    const p = whenDrawn('a', 1000)
    setPreviewAvailable(false)
    expect(await settled(p)).toBe(true)
    expect(await settled(whenDrawn('c', 1000))).toBe(true)
  })

  it('a removed file releases its waiters and is drawn again before it counts', async () => {
    markDrawn('a')
    forgetDrawn('a')
    const p = whenDrawn('a', 1000)
    expect(await settled(p)).toBe(false)
    forgetDrawn('a')
    expect(await settled(p)).toBe(true)
  })
})
