// Back-to-back CLI runs share one persisted request log: against Printago's real 60/min limit
// they wait for the window — with a margin for the server's clock — and never meet a 429.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing'
import { tempDir } from '../../test-support/temp'
import { writeStl } from '../../test-support/stl'
import { killAllGroups, spawnGroup } from '../../test-support/spawn-group'

let sandbox: TestSandbox
let dir: string
let cleanup: () => Promise<void>
beforeAll(async () => {
  sandbox = await startTestSandbox({ ratePerMinute: 60, ratePerHour: 600, speed: 0 })
  ;({ dir, cleanup } = await tempDir('printago-rate-'))
})
afterAll(async () => {
  await killAllGroups()
  await sandbox.close()
  await cleanup()
})

describe('back-to-back CLI runs', () => {
  it('20 runs of two files each meet no 429', { timeout: 300_000 }, async () => {
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      PRINTAGO_DATA_DIR: join(dir, 'data'),
      PRINTAGO_BASE_URL: sandbox.url,
      PRINTAGO_API_KEY: sandbox.apiKey,
      PRINTAGO_STORE_ID: sandbox.storeId
    }
    for (let run = 0; run < 20; run++) {
      const a = await writeStl(dir, `r${run}-a.stl`, 3, run * 2 + 1)
      const b = await writeStl(dir, `r${run}-b.stl`, 3, run * 2 + 2)
      const child = spawnGroup(
        process.execPath,
        ['--import', 'tsx', 'src/cli/index.ts', 'send', a, b, '--json'],
        { env }
      )
      const { code } = await child.exited
      expect(code, child.stderr).toBe(0)
    }
    const api = sandbox.log.filter((e) => !e.path.startsWith('/_storage/'))
    // More requests than one window allows, so the client really had to wait…
    expect(api.length).toBeGreaterThan(60)
    // …and never did so too late for the server.
    expect(api.filter((e) => e.status === 429)).toEqual([])
  })
})
