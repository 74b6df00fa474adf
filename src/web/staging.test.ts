import { lstat, mkdir, readdir, readFile, symlink, utimes, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { tempDir } from '../test-support/temp'
import { openStagingArea, safeFileName, StagingTooLargeError } from './staging'

let dir: string
let cleanup: () => Promise<void>
let clock: number
const now = (): number => clock

beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('printago-staging-'))
  // Near real time: the files' own mtimes (set by the file system) take part too.
  clock = Date.now()
})
afterEach(() => cleanup())

const body = (text: string): Readable => Readable.from([Buffer.from(text)])

describe('staging', () => {
  it('keeps each upload in a folder of its own, only for this user', async () => {
    const area = await openStagingArea(join(dir, 'staged'), { retainMs: 1000, now })
    const a = await area.stage('part.stl', body('one'), 100)
    const b = await area.stage('part.stl', body('two'), 100)
    expect(a).not.toBe(b)
    expect(await readFile(a, 'utf8')).toBe('one')
    expect(await readFile(b, 'utf8')).toBe('two')
    expect(a.endsWith('/part.stl')).toBe(true)
    expect(area.has(a) && area.has(b)).toBe(true)
    expect((await lstat(a)).mode & 0o777).toBe(0o600)
    expect((await lstat(dirname(a))).mode & 0o777).toBe(0o700)
    expect((await lstat(area.dir)).mode & 0o777).toBe(0o700)
  })

  it('names stay one safe path segment', () => {
    expect(safeFileName('../../etc/passwd')).toBe('.._.._etc_passwd')
    expect(safeFileName('..')).toBe('file')
    expect(safeFileName('')).toBe('file')
    expect(safeFileName('a"b\\c\nd.stl')).toBe('a_b_c_d.stl')
    expect(safeFileName('x'.repeat(500))).toHaveLength(200)
  })

  it('refuses an upload over the limit and leaves nothing behind', async () => {
    const area = await openStagingArea(join(dir, 'staged'), { retainMs: 1000, now })
    await expect(area.stage('big.stl', body('x'.repeat(101)), 100)).rejects.toBeInstanceOf(
      StagingTooLargeError
    )
    expect(area.list()).toEqual([])
    expect(await readdir(area.dir)).toEqual([])
  })

  it('a restart knows the staged files again; partial uploads and links are not files', async () => {
    const first = await openStagingArea(join(dir, 'staged'), { retainMs: 1000, now })
    const kept = await first.stage('kept.stl', body('solid'), 100)
    // A crash mid-upload leaves a `.part` folder; a link planted in the area points elsewhere.
    const partial = join(first.dir, '11111111-1111-4111-8111-111111111111.part')
    await mkdir(partial)
    await writeFile(join(partial, 'half.stl'), 'sol')
    const linked = join(first.dir, '22222222-2222-4222-8222-222222222222')
    await mkdir(linked)
    await symlink('/etc/passwd', join(linked, 'passwd.stl'))

    const second = await openStagingArea(join(dir, 'staged'), { retainMs: 1000, now })
    expect(second.list()).toEqual([kept])
    expect(second.has(join(partial, 'half.stl'))).toBe(false)
    expect(second.has(join(linked, 'passwd.stl'))).toBe(false)
  })

  it('removes copies no unfinished send names once unused for the retention time', async () => {
    const area = await openStagingArea(join(dir, 'staged'), { retainMs: 1000, now })
    const pending = await area.stage('pending.stl', body('a'), 100)
    const sentLongAgo = await area.stage('old.stl', body('b'), 100)
    const usedRecently = await area.stage('recent.stl', body('c'), 100)
    clock += 5000
    await area.touch([usedRecently])
    const partial = join(area.dir, '33333333-3333-4333-8333-333333333333.part')
    await mkdir(partial)
    const old = new Date(clock - 2000)
    await utimes(partial, old, old)

    const removed = await area.collect(new Set([pending]))
    expect(removed).toEqual([sentLongAgo])
    expect(area.list().sort()).toEqual([pending, usedRecently].sort())
    expect(area.has(sentLongAgo)).toBe(false)
    const left = await readdir(area.dir)
    expect(left).toHaveLength(2)
    expect(left.some((e) => e.endsWith('.part'))).toBe(false)

    // The last use is kept on disk: after a restart the recently used copy stays, the other goes.
    const again = await openStagingArea(join(dir, 'staged'), { retainMs: 1000, now })
    expect(again.list().sort()).toEqual([pending, usedRecently].sort())
    expect(await again.collect(new Set())).toEqual([pending])
    expect(again.list()).toEqual([usedRecently])
  })
})
