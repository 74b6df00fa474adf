// `watch` arguments: the send's own rules (one source) checked before anything starts, usage
// errors in one line with exit code 2, and the rules a folder gets from the flags. And Ctrl-C:
// exit 130, the folder's lock given back.
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'

import { describe, expect, it } from 'vitest'

import { tempDir } from '../../test-support/temp'
import { waitFor } from '../../test-support/wait'

import { runCli } from '../index'
import { parseWatchArgs } from './watch'

async function run(args: string[]): Promise<{ code: number; err: string }> {
  let err = ''
  const code = await runCli(
    ['watch', ...args],
    { stdout: () => undefined, stderr: (s) => void (err += s) },
    { env: { PRINTAGO_API_KEY: 'k', PRINTAGO_STORE_ID: 's' } }
  )
  return { code, err }
}

describe('watch arguments', () => {
  it.each([
    ['no folder', [], 'give exactly one folder'],
    ['two folders', ['a', 'b'], 'give exactly one folder'],
    [
      'printer and tags',
      ['in', '--printer', 'p'.repeat(24), '--tags', 'A'],
      'either --printer or --tags'
    ],
    ['no copies', ['in', '--quantity', '0'], '--quantity must be a whole number'],
    ['a priority', ['in', '--priority', 'urgent'], '--priority must be low or normal'],
    ['a stable time', ['in', '--stable-seconds', 'soon'], '--stable-seconds must be a number'],
    ['a material', ['in', '--material', 'PLA|PETG'], '--material needs a filament type'],
    ['a long label', ['in', '--label', 'x'.repeat(2000)], 'Label must']
  ])('%s: a usage error', async (_what, args, words) => {
    const { code, err } = await run(args)
    expect(code).toBe(2)
    expect(err).toContain(words)
    expect(err).not.toContain('sample.stl')
    expect(err.trim().split('\n')).toHaveLength(1)
  })

  it('turns the flags into the folder rules', () => {
    const { config, stableMs, poll, json } = parseWatchArgs([
      '/farm/in',
      '--tags',
      'PLA, RackA',
      '--material',
      'PLA',
      '--quantity',
      '2',
      '--label',
      '{name} {date}',
      '--priority',
      'low',
      '--leave',
      '--stable-seconds',
      '0.5',
      '--poll',
      '--json'
    ])
    expect(config).toMatchObject({
      folder: '/farm/in',
      routing: { mode: 'tags', tags: ['PLA', 'RackA'] },
      material: { kind: 'type', type: 'PLA' },
      quantity: 2,
      labelPattern: '{name} {date}',
      priority: 'low',
      afterSend: 'leave',
      mode: 'send'
    })
    expect({ stableMs, poll, json }).toEqual({ stableMs: 500, poll: true, json: true })
  })
})

describe('watch and Ctrl-C', () => {
  it('stops with exit code 130 and gives the folder back', async () => {
    const { dir, cleanup } = await tempDir('watch-ctrl-c-')
    try {
      const folder = join(dir, 'in')
      mkdirSync(folder)
      const stop = new AbortController()
      let out = ''
      let err = ''
      const running = runCli(
        ['watch', folder, '--json'],
        { stdout: (s) => void (out += s), stderr: (s) => void (err += s) },
        {
          env: {
            PRINTAGO_API_KEY: 'k',
            PRINTAGO_STORE_ID: 's',
            PRINTAGO_BASE_URL: 'http://127.0.0.1:9',
            PRINTAGO_DATA_DIR: join(dir, 'data')
          },
          signal: stop.signal
        }
      )
      await waitFor(() => out.includes('"state":"watching"'), 20_000, 'watching')
      expect(existsSync(join(folder, '.printago-watch.lock'))).toBe(true)
      stop.abort()
      expect(await running).toBe(130)
      expect(err).toContain('Stopped')
      expect(existsSync(join(folder, '.printago-watch.lock'))).toBe(false)
    } finally {
      await cleanup()
    }
  })
})
