import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { stat, symlink, truncate, utimes, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkModelFile, inspectAndHashFile, type InspectionOutcome } from './file-check'
import { createInspectionCache } from './inspection-cache'
import { randomStl } from '../../test-support/stl'
import { tempDir } from '../../test-support/temp'

describe('checkModelFile', () => {
  let dir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => ({ dir, cleanup } = await tempDir()))
  afterEach(() => cleanup())
  const put = async (name: string, data: string | Buffer): Promise<string> => {
    await writeFile(join(dir, name), data)
    return join(dir, name)
  }

  it('accepts binary STLs by size (even with a "solid" header) and ASCII STLs', async () => {
    expect(await checkModelFile(await put('b.stl', randomStl(3)))).toEqual({
      size: 234,
      format: 'binary'
    })
    const solidHeader = randomStl(2)
    solidHeader.write('solid tricky', 0, 'latin1')
    expect((await checkModelFile(await put('s.stl', solidHeader))).format).toBe('binary')
    expect(
      (
        await checkModelFile(
          await put(
            'a.stl',
            '  solid cube\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid\n'
          )
        )
      ).format
    ).toBe('ascii')
    // A binary with trailing padding is a real STL: the preview accepts it, so must the send.
    const padded = Buffer.concat([randomStl(2), Buffer.alloc(10)])
    expect((await checkModelFile(await put('padded.stl', padded))).format).toBe('binary')
  })

  it('refuses what the preview refuses, with the engine’s words', async () => {
    await expect(checkModelFile(await put('empty-count.stl', randomStl(0)))).rejects.toMatchObject({
      reason: 'not-stl'
    })
    await expect(checkModelFile(await put('hello.stl', 'hello world\n'))).rejects.toMatchObject({
      reason: 'not-stl'
    })
  })

  it('names the file and the reason', async () => {
    await expect(checkModelFile(join(dir, 'nope.stl'))).rejects.toMatchObject({
      reason: 'missing',
      message: expect.stringContaining('nope.stl: file not found')
    })
    await expect(checkModelFile(dir)).rejects.toMatchObject({ reason: 'directory' })
    await expect(checkModelFile(await put('e.stl', ''))).rejects.toMatchObject({ reason: 'empty' })
    await expect(
      checkModelFile(await put('z.stl', Buffer.from('PK\x03\x04rest-of-zip-file', 'latin1')))
    ).rejects.toMatchObject({
      // A ZIP is read as a 3MF whatever its name: the 3MF engine says what is wrong with it.
      reason: 'not-3mf',
      code: 'truncated'
    })
    const truncated = randomStl(10).subarray(0, 300)
    await expect(checkModelFile(await put('t.stl', truncated))).rejects.toMatchObject({
      reason: 'not-stl'
    })
  })
})

describe('inspectAndHashFile', () => {
  let dir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => ({ dir, cleanup } = await tempDir()))
  afterEach(() => cleanup())
  const put = async (name: string, data: string | Buffer): Promise<string> => {
    await writeFile(join(dir, name), data)
    return join(dir, name)
  }
  const sha = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

  it('hashes and checks in one read, at any chunk size', async () => {
    const bytes = randomStl(200, 3)
    const file = await put('a.stl', bytes)
    for (const chunkSize of [7, 50, 4097, 1 << 20]) {
      const result = await inspectAndHashFile(file, { cache: null, chunkSize })
      expect(result).toMatchObject({ sha256: sha(bytes), size: bytes.length, format: 'binary' })
      expect(result.triangles).toBe(200)
    }
    const text =
      'solid t\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid t\n'
    const ascii = await inspectAndHashFile(await put('t.stl', text), { cache: null, chunkSize: 5 })
    expect(ascii).toMatchObject({ sha256: sha(Buffer.from(text)), format: 'ascii', triangles: 1 })
  })

  it('answers an unchanged file from the cache without reading it', async () => {
    const cache = createInspectionCache<InspectionOutcome>()
    const file = await put('c.stl', randomStl(20))
    const first: number[] = []
    const again: number[] = []
    const a = await inspectAndHashFile(file, { cache, onProgress: (p) => first.push(p.bytesDone) })
    const b = await inspectAndHashFile(file, { cache, onProgress: (p) => again.push(p.bytesDone) })
    // A read always reports 0 bytes first; the cached answer reports only the end.
    expect(first[0]).toBe(0)
    expect(again).toEqual([a.size])
    expect(b).toBe(a)
  })

  it('reads a changed file again, even when its size and mtime were put back', async () => {
    const cache = createInspectionCache<InspectionOutcome>()
    const file = await put('e.stl', randomStl(20, 1))
    const before = await inspectAndHashFile(file, { cache })
    const { mtime } = await stat(file)
    const edited = randomStl(20, 2)
    await writeFile(file, edited)
    await utimes(file, mtime, mtime)
    const after = await inspectAndHashFile(file, { cache })
    expect(after.sha256).toBe(sha(edited))
    expect(after.sha256).not.toBe(before.sha256)
  })

  it('reads again when the file changes during the read, and gives up if it never settles', async () => {
    const file = await put('w.stl', randomStl(200, 1))
    const final = randomStl(200, 9)
    let edits = 0
    const settled = await inspectAndHashFile(file, {
      cache: null,
      chunkSize: 1000,
      onProgress: (p) => {
        if (p.bytesDone === 0 && edits++ === 0) writeFileSync(file, final)
      }
    })
    expect(settled.sha256).toBe(sha(final))
    expect(edits).toBe(2)
    await expect(
      inspectAndHashFile(file, {
        cache: null,
        chunkSize: 1000,
        onProgress: (p) => {
          if (p.bytesDone === 0) writeFileSync(file, randomStl(200, ++edits))
        }
      })
    ).rejects.toMatchObject({
      reason: 'changed',
      message: expect.stringContaining('kept changing')
    })
  })

  it('refuses with the engine’s code and words, remembers the refusal, stops reading early', async () => {
    const cache = createInspectionCache<InspectionOutcome>()
    const nan = randomStl(4)
    for (let t = 0; t < 4; t++) nan.writeFloatLE(NaN, 84 + 50 * t + 12)
    const file = await put('nan.stl', nan)
    await expect(inspectAndHashFile(file, { cache })).rejects.toMatchObject({
      reason: 'not-stl',
      code: 'nan-coordinates',
      message: expect.stringContaining('nan.stl: 4 of 4 triangles')
    })
    expect(cache.size).toBe(1)
    const seen: number[] = []
    await expect(
      inspectAndHashFile(file, { cache, onProgress: (p) => seen.push(p.bytesDone) })
    ).rejects.toMatchObject({ code: 'nan-coordinates' })
    expect(seen).toEqual([])
    // Remembered per file, told per name: a link to it is refused under the link's name.
    await symlink(file, join(dir, 'link.stl'))
    await expect(inspectAndHashFile(join(dir, 'link.stl'), { cache })).rejects.toMatchObject({
      message: expect.stringMatching(/link\.stl: 4 of 4/)
    })
    expect(cache.size).toBe(1)
    // A file over the engine's byte limit (2 GiB, sparse here) is refused from its size: the
    // same size rule as the preview, whatever its contents.
    const huge = join(dir, 'huge.stl')
    await writeFile(huge, randomStl(1))
    await truncate(huge, 2.2e9)
    await expect(inspectAndHashFile(huge, { cache: null })).rejects.toMatchObject({
      code: 'too-large',
      message: expect.stringContaining('the limit is')
    })
  })

  it('shares one read between concurrent callers; one giving up does not stop the other', async () => {
    const file = await put('s.stl', randomStl(2000))
    // The second caller comes once the first read is under way (1,000 reads of 100 bytes).
    let joined: Promise<unknown> | undefined
    const a = await inspectAndHashFile(file, {
      cache: null,
      chunkSize: 100,
      onProgress: (p) => {
        if (p.bytesDone > 0) joined ??= inspectAndHashFile(file, { cache: null })
      }
    })
    // The same answer object: one read served both.
    expect(await joined).toBe(a)
    const quitter = new AbortController()
    const left = inspectAndHashFile(file, {
      cache: null,
      chunkSize: 1000,
      signal: quitter.signal,
      onProgress: (p) => {
        if (p.bytesDone > 0) quitter.abort(new Error('user left'))
      }
    })
    const stays = inspectAndHashFile(file, { cache: null, chunkSize: 1000 })
    await expect(left).rejects.toThrow('user left')
    expect((await stays).sha256).toBe(a.sha256)
    const alone = new AbortController()
    alone.abort(new Error('never mind'))
    await expect(inspectAndHashFile(file, { signal: alone.signal })).rejects.toThrow('never mind')
  })
})
