import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { openDedupeCache } from './dedupe-cache'
import { tempDir } from '../../test-support/temp'

describe('openDedupeCache', () => {
  let dir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => ({ dir, cleanup } = await tempDir()))
  afterEach(() => cleanup())
  const sha = 'ab'.repeat(32)

  it('persists sha256 → part id per store folder', async () => {
    const a = await openDedupeCache(`${dir}/store-a`)
    await a.set(sha.toUpperCase(), 'part1')
    expect(a.get(sha)?.partId).toBe('part1')
    const again = await openDedupeCache(`${dir}/store-a`)
    expect(again.get(sha)?.partId).toBe('part1')
    const other = await openDedupeCache(`${dir}/store-b`)
    expect(other.get(sha)).toBeUndefined()
    await again.delete(sha)
    expect((await openDedupeCache(`${dir}/store-a`)).get(sha)).toBeUndefined()
  })

  it('starts empty when the file is unreadable', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises')
    await mkdir(`${dir}/s`, { recursive: true })
    await writeFile(`${dir}/s/dedupe.json`, '{not json')
    const cache = await openDedupeCache(`${dir}/s`)
    expect(cache.size).toBe(0)
  })
})
