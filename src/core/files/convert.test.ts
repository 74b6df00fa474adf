// Units that are real: a file read in inches (or metres, micrometres) is sent as its scaled copy.
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { inspectStl } from '../../shared/stl'
import { asciiStl, box, boxStl } from '../../test-support/stl'
import { tempDir } from '../../test-support/temp'
import { ConvertError, convertedName, convertToMillimetres } from './convert'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('printago-convert-'))
})
afterEach(() => cleanup())

async function sizeOf(path: string): Promise<number[]> {
  const r = inspectStl(new Uint8Array(await readFile(path)))
  if (!r.ok) throw new Error(r.error.message)
  return r.value.size.map((v) => Math.round(v * 1000) / 1000)
}

describe('convertToMillimetres', () => {
  it('an inch model becomes its millimetre copy, 25.4× in every axis, once', async () => {
    const source = join(dir, 'bracket.stl')
    await writeFile(source, boxStl(1, 2, 0.5))
    const first = await convertToMillimetres(source, 'inch', join(dir, 'store'))
    expect(first.path).toContain(join('converted', `${first.sourceSha256}-inch`))
    expect(first.path.endsWith('bracket (from inches).stl')).toBe(true)
    expect(await sizeOf(first.path)).toEqual([25.4, 50.8, 12.7])
    const before = await stat(first.path)
    const again = await convertToMillimetres(source, 'inch', join(dir, 'store'))
    expect(again).toEqual(first)
    // Found, not written again: the same bytes, the same hash, the same part.
    expect((await stat(again.path)).mtimeMs).toBe(before.mtimeMs)
  })

  it('metres ×1000 and micrometres ÷1000; an ASCII source gives a binary copy', async () => {
    const tiny = join(dir, 'hourglass.stl')
    await writeFile(tiny, asciiStl(box([0, 0, 0], [0.07, 0.03, 0.03])))
    const m = await convertToMillimetres(tiny, 'm', dir)
    expect(await sizeOf(m.path)).toEqual([70, 30, 30])
    expect((await readFile(m.path)).subarray(0, 5).toString()).not.toBe('solid')
    const huge = join(dir, 'vase.stl')
    await writeFile(huge, boxStl(50_000, 20_000, 10_000))
    expect(await sizeOf((await convertToMillimetres(huge, 'um', dir)).path)).toEqual([50, 20, 10])
  })

  it('the same model under two names gives identical bytes', async () => {
    await writeFile(join(dir, 'a.stl'), boxStl(1, 1, 1))
    await writeFile(join(dir, 'b.stl'), boxStl(1, 1, 1))
    const a = await convertToMillimetres(join(dir, 'a.stl'), 'inch', dir)
    const b = await convertToMillimetres(join(dir, 'b.stl'), 'inch', dir)
    expect(a.path).not.toBe(b.path)
    expect(await readFile(a.path)).toEqual(await readFile(b.path))
  })

  it('a file that is not an STL, or is gone, is a ConvertError naming it', async () => {
    await writeFile(join(dir, 'notes.stl'), 'hello')
    await expect(convertToMillimetres(join(dir, 'notes.stl'), 'inch', dir)).rejects.toBeInstanceOf(
      ConvertError
    )
    await expect(convertToMillimetres(join(dir, 'gone.stl'), 'inch', dir)).rejects.toThrow(
      /gone\.stl: file not found/
    )
  })

  it('names the copy after the source and the unit, safely', () => {
    expect(convertedName('/x/Part A.STL', 'm')).toBe('Part A (from metres).stl')
    expect(convertedName('C:\\x\\a:b.stl', 'um')).toBe('a_b (from micrometres).stl')
  })
})
