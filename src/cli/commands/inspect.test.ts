import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { asciiStl, binaryStl, box, utf8 } from '../../test-support/stl'
import { inspectCommand } from './inspect'

let dir = ''

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'inspect-test-'))
  await writeFile(join(dir, 'cube.stl'), binaryStl(box([0, 0, 0], [20, 20, 20])))
  await writeFile(join(dir, 'cube-ascii.stl'), utf8(asciiStl(box([0, 0, 0], [10, 20, 30]))))
  await writeFile(join(dir, 'open.stl'), binaryStl(box([0, 0, 0], [20, 20, 20]).slice(0, 10)))
  await writeFile(
    join(dir, 'truncated.stl'),
    binaryStl(box([0, 0, 0], [20, 20, 20])).subarray(0, 300)
  )
  await writeFile(join(dir, 'empty.stl'), new Uint8Array(0))
})

afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
})

async function run(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await inspectCommand(args, {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s)
  })
  return { code, out, err }
}

describe('inspect command', () => {
  it('prints the JSON report', async () => {
    const r = await run(join(dir, 'cube.stl'), '--json')
    expect(r.code).toBe(0)
    expect(r.err).toBe('')
    const j = JSON.parse(r.out) as Record<string, unknown>
    expect(j).toMatchObject({
      format: 'binary',
      triangles: 12,
      bbox: { min: [0, 0, 0], max: [20, 20, 20] },
      size: [20, 20, 20],
      surfaceArea: 2400,
      volume: 8000,
      closed: true,
      openEdges: 0,
      nonManifoldEdges: 0,
      degenerate: 0,
      shells: 1,
      inchSuspect: false
    })
  })

  it('prints a human report', async () => {
    const r = await run(join(dir, 'cube-ascii.stl'))
    expect(r.code).toBe(0)
    expect(r.out).toContain('ascii STL, 12 triangles')
    expect(r.out).toContain('10 × 20 × 30 mm')
    expect(r.out).toContain('Surface area  2,200 mm²')
    expect(r.out).toContain('Volume        6,000 mm³')
    expect(r.out).toContain('Verdict       ok')
  })

  it('reports an open mesh with a null volume', async () => {
    const r = await run('--json', join(dir, 'open.stl'))
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out) as { volume: unknown; closed: boolean; openEdges: number }
    expect(j.volume).toBeNull()
    expect(j.closed).toBe(false)
    expect(j.openEdges).toBe(4)
  })

  it('says whether the model fits a printer', async () => {
    const r = await run(join(dir, 'cube.stl'), '--printer', 'X1C')
    expect(r.out).toContain('Bambu Lab X1 Carbon: fits')
    const j = JSON.parse((await run(join(dir, 'cube.stl'), '--json', '--printer=Nope')).out)
    expect(j).toMatchObject({ printer: 'Nope', fit: 'unknown' })
  })

  it('exits 1 with a typed error for a bad file', async () => {
    const r = await run(join(dir, 'truncated.stl'), '--json')
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out)).toEqual({
      error: { code: 'truncated', message: 'The file ends after 4 of 12 triangles (truncated).' }
    })
    const h = await run(join(dir, 'empty.stl'))
    expect(h.code).toBe(1)
    expect(h.out).toBe('')
    expect(h.err).toContain('[empty]')
  })

  it('exits 1 with unreadable for a missing file and a directory', async () => {
    const missing = await run(join(dir, 'nope.stl'), '--json')
    expect(missing.code).toBe(1)
    expect(JSON.parse(missing.out)).toMatchObject({ error: { code: 'unreadable' } })
    const d = await run(dir)
    expect(d.code).toBe(1)
    expect(d.err).toContain('is a directory')
    expect(d.err).toContain('[unreadable]')
  })

  it('refuses a file above the 2 GiB − 1 limit before reading it', async () => {
    // A sparse file: 2 GiB of size, no disk blocks, never read.
    const big = join(dir, 'huge.stl')
    await writeFile(big, new Uint8Array(0))
    await truncate(big, 2 ** 31)
    const r = await run(big, '--json')
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'too-large' } })
  })

  it('exits 2 on usage errors', async () => {
    expect((await run()).code).toBe(2)
    expect((await run('--json')).code).toBe(2)
    expect((await run('a.stl', 'b.stl')).code).toBe(2)
    // One line naming the problem and where help is, as every command says it.
    const r = await run('--frobnicate', 'a.stl')
    expect(r.code).toBe(2)
    expect(r.err).toBe('inspect: unknown option --frobnicate (see inspect --help)\n')
    expect((await run('a.stl', '--printer')).err).toContain('--printer needs a value')
  })

  it('prints help with exit 0', async () => {
    const r = await run('--help')
    expect(r.code).toBe(0)
    expect(r.out).toContain('Usage: inspect')
  })
})
