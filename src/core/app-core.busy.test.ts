// The app and the CLI share one store lock: while another process sends from the store's folder
// the app says so (with that process's pid) instead of sending too, and takes the store over —
// resuming what is unfinished — as soon as that process is gone.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { boxStl } from '../test-support/stl'
import { startTestSandbox, type TestSandbox } from '../sandbox/testing'
import type { SandboxOptions } from '../sandbox/types'
import { killAllGroups, spawnGroup } from '../test-support/spawn-group'
import { createAppCore, type AppCore } from './app-core'
import { memorySecrets, memorySettings } from './app-core.test-support'
import { nodeConfFactory } from './history/store'
import { storeDataDir } from './infra/data-dir'

describe('a store another process is sending from', () => {
  let dataDir: string
  let sandbox: TestSandbox
  let core: AppCore<TestSandbox> | undefined
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'core-busy-'))
    sandbox = await startTestSandbox({ port: 0, speed: 0 })
  })
  afterEach(async () => {
    await core?.close()
    await killAllGroups()
    await sandbox.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it(
    'send:start says another instance is sending (its pid); the store is used once it is gone',
    { timeout: 60_000 },
    async () => {
      const journalDir = join(storeDataDir(dataDir, sandbox.storeId), 'journal')
      mkdirSync(journalDir, { recursive: true })
      const other = spawnGroup(process.execPath, [
        '--import',
        'tsx',
        'src/test-support/lock-child.ts',
        join(journalDir, 'journal.lock'),
        ''
      ])
      await other.waitForOutput('held')
      core = createAppCore<TestSandbox, SandboxOptions>({
        dataDir,
        settings: memorySettings(),
        secrets: memorySecrets(),
        emit: () => undefined,
        shell: 'web',
        version: 'test',
        demo: { speed: 0 },
        startSandbox: startTestSandbox,
        createConf: nodeConfFactory,
        realtimeUrl: null
      })
      const connected = await core.handlers['store:connect']({
        apiKey: sandbox.apiKey,
        storeId: sandbox.storeId,
        baseUrl: sandbox.url
      })
      expect(connected.ok).toBe(true)
      const file = join(dataDir, 'cube.stl')
      writeFileSync(file, boxStl(10, 10, 10))
      const request = { routing: { mode: 'any' as const }, items: [{ path: file, quantity: 1 }] }
      const refused = await core.handlers['send:start'](request)
      expect(refused).toMatchObject({
        ok: false,
        error: { code: 'store-busy', message: expect.stringContaining(`pid ${other.pid}`) }
      })
      expect(sandbox.state.partBuilds.size).toBe(0)
      other.kill('SIGKILL')
      await other.exited
      const started = await core.handlers['send:start'](request)
      expect(started.ok).toBe(true)
      await expect.poll(() => sandbox.state.partBuilds.size, { timeout: 20_000 }).toBe(1)
    }
  )
})
