// The CLI's shared plumbing: argument parsing and credentials in-process, and the store session
// every Printago command opens — one request log, persisted, whichever command runs.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterAll, beforeAll, describe, expect, it } from 'vitest'

import { sandbox as startTestSandbox } from '../sandbox/testing/test-utils'
import type { RunningSandbox } from '../sandbox/types'
import { writeStl } from '../test-support/stl'
import { tempDir } from '../test-support/temp'
import { runCli } from './index'
import { cliStoreDir, parseCommandArgs, readCredentials, UsageError, wantsHelp } from './io'

const OPTIONS = { json: { type: 'boolean' }, label: { type: 'string' } } as const

describe('parseCommandArgs', () => {
  it('reads flags, values (separate or inline) and positionals, all after -- included', () => {
    expect(parseCommandArgs(['a.stl', '--label', 'L', '--json', '--', '--b.stl'], OPTIONS)).toEqual(
      {
        values: { label: 'L', json: true },
        positionals: ['a.stl', '--b.stl']
      }
    )
    expect(parseCommandArgs(['--label=--x', '-'], OPTIONS)).toEqual({
      values: { label: '--x' },
      positionals: ['-']
    })
  })

  it.each([
    [['--frobnicate'], 'unknown option --frobnicate'],
    [['-x'], 'unknown option -x'],
    [['--label'], '--label needs a value'],
    [['--label', '--json'], '--label needs a value'],
    [['--json=yes'], '--json takes no value']
  ])('%j is a usage error: %s', (args, message) => {
    expect(() => parseCommandArgs(args, OPTIONS)).toThrow(new UsageError(message))
  })

  it('knows a request for help, before any --', () => {
    expect(wantsHelp(['a.stl', '--help'])).toBe(true)
    expect(wantsHelp(['-h'])).toBe(true)
    expect(wantsHelp(['--', '--help'])).toBe(false)
  })
})

describe('readCredentials', () => {
  it('names what is missing or wrong', () => {
    expect(() => readCredentials({})).toThrow('PRINTAGO_API_KEY and PRINTAGO_STORE_ID are not set')
    expect(() =>
      readCredentials({
        PRINTAGO_API_KEY: 'k',
        PRINTAGO_STORE_ID: 's',
        PRINTAGO_BASE_URL: 'ftp://x'
      })
    ).toThrow('PRINTAGO_BASE_URL is not an http(s) URL: ftp://x')
    expect(readCredentials({ PRINTAGO_API_KEY: ' k ', PRINTAGO_STORE_ID: 's' })).toEqual({
      apiKey: 'k',
      storeId: 's',
      baseUrl: 'https://api.printago.io'
    })
  })
})

describe('the store session of CLI commands', () => {
  let sb: RunningSandbox
  let dir: string
  let cleanup: () => Promise<void>
  let env: Record<string, string>

  beforeAll(async () => {
    sb = await startTestSandbox()
    ;({ dir, cleanup } = await tempDir('cli-io-'))
    env = {
      PRINTAGO_API_KEY: sb.apiKey,
      PRINTAGO_STORE_ID: sb.storeId,
      PRINTAGO_BASE_URL: sb.url,
      PRINTAGO_DATA_DIR: join(dir, 'data')
    }
  })
  afterAll(async () => {
    await sb.close()
    await cleanup()
  })

  const run = async (...args: string[]): Promise<number> =>
    runCli(args, { stdout: () => undefined, stderr: () => undefined }, { env })
  /** The request times in the store's persisted rate-limit log. */
  const requestLog = (): number[] =>
    (
      JSON.parse(readFileSync(join(cliStoreDir(env, sb.storeId), 'rate-limit.json'), 'utf8')) as {
        log: number[]
      }
    ).log

  it('every Printago command adds its requests to one persisted log', async () => {
    expect(await run('printers')).toBe(0)
    expect(requestLog()).toHaveLength(1)
    // A second run starts from the first one's log, so runs in a row cannot burst.
    expect(await run('printers', '--json')).toBe(0)
    const two = requestLog()
    expect(two).toHaveLength(2)
    expect(two[1]!).toBeGreaterThanOrEqual(two[0]!)
    const file = await writeStl(dir, 'cube.stl')
    expect(await run('send', file)).toBe(0)
    expect(requestLog()).toHaveLength(2 + 3) // signed URL, part, build (the PUT is storage)
    expect(await run('history', '--refresh')).toBe(0)
    expect(requestLog()).toHaveLength(2 + 3 + 1)
  })
})
