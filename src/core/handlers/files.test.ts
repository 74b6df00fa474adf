// `files:hash` stops when its caller goes away, and never reads a file without end.
import { appendFileSync, closeSync, ftruncateSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { DEFAULT_MAX_BYTES } from '../../shared/stl'
import { inspectCommand } from '../../cli/commands/inspect'
import { tempDir } from '../../test-support/temp'
import type { Implementations } from '../handler-table'
import { FileCheckError, inspectAndHashFile } from '../send/file-check'
import { filesHandlers } from './files'
import type { CoreContext } from './context'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => {
  ;({ dir, cleanup } = await tempDir('printago-files-'))
})
afterEach(() => cleanup())

/** A valid binary STL of `triangles` zero triangles, sparse on disk (no real space used). */
function sparseStl(name: string, triangles: number): string {
  const path = join(dir, name)
  const fd = openSync(path, 'w')
  const head = Buffer.alloc(84)
  head.write('sparse', 0)
  head.writeUInt32LE(triangles, 80)
  writeSync(fd, head)
  ftruncateSync(fd, 84 + 50 * triangles)
  closeSync(fd)
  return path
}

function hashHandler(): Implementations['files:hash'] {
  return filesHandlers({} as CoreContext)['files:hash']
}

describe('files:hash', () => {
  it('stops reading when its caller is gone (the page reloaded or closed)', async () => {
    // 400 MB of triangles: a read of it takes a while, long enough to be abandoned.
    const path = sparseStl('big.stl', 8_000_000)
    const caller = new AbortController()
    const pending = hashHandler()({ path }, { signal: caller.signal })
    caller.abort()
    const result = await pending
    expect(result).toMatchObject({ ok: false, error: { code: 'cancelled' } })
  })

  it('refuses a file that keeps growing while it is read, instead of reading it forever', async () => {
    const path = sparseStl('growing.stl', 20_000)
    let appended = 0
    // Every bit read brings more bytes than it read: without a bound the read never ends.
    const error = await inspectAndHashFile(path, {
      cache: null,
      chunkSize: 4096,
      onProgress: () => {
        appendFileSync(path, Buffer.alloc(128 * 1024))
        appended++
      }
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(FileCheckError)
    expect((error as FileCheckError).reason).toBe('changed')
    expect(appended).toBeLessThan(1000)
  })

  it('a FIFO is refused at once, not read', async () => {
    const { execFileSync } = await import('node:child_process')
    const fifo = join(dir, 'pipe.stl')
    execFileSync('mkfifo', [fifo])
    const result = await hashHandler()({ path: fifo }, { signal: new AbortController().signal })
    expect(result).toMatchObject({ ok: false, error: { code: 'unreadable' } })
  })

  it('inspect and send apply one size rule', async () => {
    const path = sparseStl('huge.stl', 0)
    ftruncateSync(openSync(path, 'r+'), DEFAULT_MAX_BYTES + 1)
    let out = ''
    const code = await inspectCommand([path, '--json'], {
      stdout: (s) => (out += s),
      stderr: (s) => (out += s)
    })
    expect(code).toBe(1)
    expect(out).toMatch(/too-large/)
    const error = await inspectAndHashFile(path, { cache: null }).catch((e: unknown) => e)
    expect(error).toMatchObject({ reason: 'not-stl', code: 'too-large' })
  })
})
