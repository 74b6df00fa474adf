// A send through the legacy /v1/builds (when /v2/builds is not routed) says what it dropped: the
// entry of the build carries the note, for the history to show, and the CLI prints it.
import { join } from 'node:path'

import { afterEach, describe, expect, it } from 'vitest'

import { runCli } from '../cli/index'
import type { TestSandbox } from '../sandbox/testing'
import { sandbox } from '../sandbox/testing/test-utils'
import { writeStl } from '../test-support/stl'
import { tempDir } from '../test-support/temp'
import { nodeConfFactory } from './history/store'
import { openStoreSession } from './session'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

const v2Missing = (sb: TestSandbox): void =>
  sb.injectFault({
    path: '/v2/builds',
    kind: 'status',
    status: 404,
    body: { statusCode: 404, message: 'Cannot POST /v2/builds', error: 'Not Found' }
  })

describe('the legacy /v1/builds fallback', () => {
  it('notes on the entry that "front of the queue" was not applied', async () => {
    const sb = await sandbox()
    cleanups.push(() => sb.close())
    const { dir, cleanup } = await tempDir('session-legacy-')
    cleanups.push(cleanup)
    const session = await openStoreSession({
      dir: join(dir, 'store'),
      storeId: sb.storeId,
      baseUrl: sb.url,
      apiKey: sb.apiKey,
      createConf: nodeConfFactory,
      historyWriteDelayMs: 0
    })
    cleanups.push(() => session.close())
    v2Missing(sb)
    const file = await writeStl(dir, 'rush.stl')
    const r = await session.send({
      items: [{ path: file, quantity: 1, position: 'front' }],
      routing: { mode: 'any' }
    })
    expect(r.status).toBe('done')
    const entry = session.history.byPartBuildId(r.files[0]!.partBuildId)!
    expect(entry.position).toBe('front')
    expect(entry.notes).toEqual([
      expect.stringMatching(
        /older \/v1\/builds, which has no queue position \(front of the queue\)/
      )
    ])
    expect(sb.log.map((e) => `${e.status} ${e.path}`)).toContain('201 /v1/builds')
  })

  it('the CLI says it too', async () => {
    const sb = await sandbox()
    cleanups.push(() => sb.close())
    const { dir, cleanup } = await tempDir('cli-legacy-')
    cleanups.push(cleanup)
    v2Missing(sb)
    const file = await writeStl(dir, 'rush.stl')
    let stderr = ''
    const code = await runCli(
      ['send', file, '--position', 'front'],
      { stdout: () => undefined, stderr: (s) => (stderr += s) },
      {
        env: {
          PRINTAGO_API_KEY: sb.apiKey,
          PRINTAGO_STORE_ID: sb.storeId,
          PRINTAGO_BASE_URL: sb.url,
          PRINTAGO_DATA_DIR: dir
        }
      }
    )
    expect(code).toBe(0)
    expect(stderr).toMatch(/note: Printago's \/v2\/builds is not available.*queue position/)
  })
})
