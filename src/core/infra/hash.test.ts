import { createHash } from 'node:crypto'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { hashFile } from './hash'
import { tempDir } from '../../test-support/temp'

describe('hashFile', () => {
  let dir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => ({ dir, cleanup } = await tempDir()))
  afterEach(() => cleanup())

  it('matches node:crypto over the whole buffer for sizes around the chunk size', async () => {
    for (const size of [0, 1, 1023, 1024, 1025, 5 * 1024 + 7]) {
      const data = Buffer.alloc(size, 7)
      for (let i = 0; i < size; i++) data[i] = (i * 31) & 0xff
      const file = join(dir, `f${size}`)
      await writeFile(file, data)
      const result = await hashFile(file, { chunkSize: 1024 })
      expect(result).toEqual({ sha256: createHash('sha256').update(data).digest('hex'), size })
    }
  })

  it('reports monotonic progress ending at the file size', async () => {
    const file = join(dir, 'p')
    await writeFile(file, Buffer.alloc(10_000, 1))
    const seen: number[] = []
    await hashFile(file, {
      chunkSize: 1000,
      progressIntervalBytes: 1000,
      onProgress: (p) => seen.push(p.bytesDone)
    })
    expect(seen[0]).toBe(0)
    expect(seen.at(-1)).toBe(10_000)
    expect([...seen].sort((a, b) => a - b)).toEqual(seen)
  })

  it('stops when aborted', async () => {
    const file = join(dir, 'a')
    await writeFile(file, Buffer.alloc(100_000, 1))
    const controller = new AbortController()
    const promise = hashFile(file, {
      chunkSize: 1000,
      progressIntervalBytes: 1000,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesDone >= 5000) controller.abort(new Error('stop'))
      }
    })
    await expect(promise).rejects.toThrow('stop')
  })

  it('rejects for a missing file', async () => {
    await expect(hashFile(join(dir, 'missing'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})
