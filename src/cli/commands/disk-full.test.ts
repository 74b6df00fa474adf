// A full disk is an error on the command line — a non-zero exit and a clear sentence — and a
// queued job whose history entry could not be written is written by the next run, never lost.
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { nodeConfFactory, type ConfFactory } from '../../core/history/store'
import { setFsLayer } from '../../core/infra/fs'
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing'
import { tempDir } from '../../test-support/temp'
import { writeStl } from '../../test-support/stl'
import { runCli } from '../index'

let sandbox: TestSandbox
let dir: string
let cleanup: () => Promise<void>
beforeAll(async () => {
  sandbox = await startTestSandbox({ ratePerMinute: 0, ratePerHour: 0, speed: 0 })
  ;({ dir, cleanup } = await tempDir('printago-full-'))
})
afterAll(async () => {
  await sandbox.close()
  await cleanup()
})
afterEach(() => setFsLayer(null))

/** The error a full disk gives (a write to /dev/full: the kernel's own ENOSPC). */
function enospc(): Error {
  try {
    const fd = openSync('/dev/full', 'w')
    try {
      writeSync(fd, 'x')
    } finally {
      closeSync(fd)
    }
  } catch (error) {
    return error as Error
  }
  throw new Error('/dev/full accepted a write')
}

/** A history file on a disk that is full while `full()` says so. */
function fullDiskConf(full: () => boolean): ConfFactory {
  return (options) => {
    const conf = nodeConfFactory(options)
    return {
      get path() {
        return conf.path
      },
      get store() {
        return conf.store
      },
      set store(value) {
        if (full()) throw enospc()
        conf.store = value
      }
    }
  }
}

async function cli(args: string[], dataDir: string, createConf?: ConfFactory) {
  let stdout = ''
  let stderr = ''
  const code = await runCli(
    args,
    { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
    {
      env: {
        PRINTAGO_DATA_DIR: dataDir,
        PRINTAGO_BASE_URL: sandbox.url,
        PRINTAGO_API_KEY: sandbox.apiKey,
        PRINTAGO_STORE_ID: sandbox.storeId
      },
      ...(createConf ? { createConf } : {})
    }
  )
  return { code, stdout, stderr }
}

describe('a full disk', () => {
  it('while the history is written: exit 1 with a sentence; the next run writes the entry', async () => {
    const dataDir = join(dir, 'history-full')
    mkdirSync(dataDir, { recursive: true })
    const file = await writeStl(dir, 'hfull.stl', 4, 5)
    let full = true
    const r = await cli(
      ['send', file, '--label', 'HF'],
      dataDir,
      fullDiskConf(() => full)
    )
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/disk is full \(ENOSPC\)/)
    // Queued on Printago once…
    expect(sandbox.state.partBuilds.size).toBe(1)
    // …and the next command that opens the store writes the missing history entry.
    full = false
    const next = await cli(['history', '--refresh', '--json'], dataDir)
    expect(next.code, next.stderr).toBe(0)
    const entries = JSON.parse(next.stdout) as Array<{ label: string }>
    expect(entries.map((e) => e.label)).toEqual(['HF'])
    expect(sandbox.state.partBuilds.size).toBe(1)
  })

  it('while the journal is written: exit 1 with a sentence, nothing queued, resumed later', async () => {
    const dataDir = join(dir, 'journal-full')
    const file = await writeStl(dir, 'jfull.stl', 4, 6)
    const before = sandbox.state.partBuilds.size
    let room = 4
    const { open } = await import('node:fs/promises')
    setFsLayer({
      async openAppend(path) {
        const real = await open(path, 'a')
        return {
          write: async (data: string) => {
            if (room-- > 0) return real.write(data)
            throw enospc()
          },
          sync: () => real.sync(),
          close: () => real.close()
        }
      }
    })
    const r = await cli(['send', file, '--label', 'JF'], dataDir)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/disk is full \(ENOSPC\)/)
    expect(sandbox.state.partBuilds.size).toBe(before)
    setFsLayer(null)
    const again = await cli(['send', file, '--label', 'JF'], dataDir)
    expect(again.code, again.stderr).toBe(0)
    expect(again.stderr).toMatch(/Resumed your unfinished send of jfull\.stl/)
    expect(sandbox.state.partBuilds.size).toBe(before + 1)
  })
})
