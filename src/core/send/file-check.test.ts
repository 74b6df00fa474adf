import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { checkStlFile } from './file-check'
import { randomStl } from '../../test-support/stl'
import { tempDir } from '../../test-support/temp'

describe('checkStlFile', () => {
  let dir: string
  let cleanup: () => Promise<void>
  beforeEach(async () => ({ dir, cleanup } = await tempDir()))
  afterEach(() => cleanup())
  const put = async (name: string, data: string | Buffer): Promise<string> => {
    await writeFile(join(dir, name), data)
    return join(dir, name)
  }

  it('accepts binary STLs by size (even with a "solid" header) and ASCII STLs', async () => {
    expect(await checkStlFile(await put('b.stl', randomStl(3)))).toEqual({
      size: 234,
      format: 'binary'
    })
    const solidHeader = randomStl(2)
    solidHeader.write('solid tricky', 0, 'latin1')
    expect((await checkStlFile(await put('s.stl', solidHeader))).format).toBe('binary')
    expect(
      (
        await checkStlFile(
          await put(
            'a.stl',
            '  solid cube\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid\n'
          )
        )
      ).format
    ).toBe('ascii')
    // A binary with trailing padding is a real STL: the preview accepts it, so must the send.
    const padded = Buffer.concat([randomStl(2), Buffer.alloc(10)])
    expect((await checkStlFile(await put('padded.stl', padded))).format).toBe('binary')
  })

  it('refuses what the preview refuses, with the engine’s words', async () => {
    await expect(checkStlFile(await put('empty-count.stl', randomStl(0)))).rejects.toMatchObject({
      reason: 'not-stl'
    })
    await expect(checkStlFile(await put('hello.stl', 'hello world\n'))).rejects.toMatchObject({
      reason: 'not-stl'
    })
  })

  it('names the file and the reason', async () => {
    await expect(checkStlFile(join(dir, 'nope.stl'))).rejects.toMatchObject({
      reason: 'missing',
      message: expect.stringContaining('nope.stl: file not found')
    })
    await expect(checkStlFile(dir)).rejects.toMatchObject({ reason: 'directory' })
    await expect(checkStlFile(await put('e.stl', ''))).rejects.toMatchObject({ reason: 'empty' })
    await expect(
      checkStlFile(await put('z.stl', Buffer.from('PK\x03\x04rest-of-zip-file', 'latin1')))
    ).rejects.toMatchObject({
      reason: 'not-stl',
      message: expect.stringContaining('3MF')
    })
    const truncated = randomStl(10).subarray(0, 300)
    await expect(checkStlFile(await put('t.stl', truncated))).rejects.toMatchObject({
      reason: 'not-stl'
    })
  })
})
