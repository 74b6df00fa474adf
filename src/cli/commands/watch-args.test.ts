// `watch` arguments: the send's own rules (one source) checked before anything starts, usage
// errors in one line with exit code 2, and the rules a folder gets from the flags.
import { describe, expect, it } from 'vitest'

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
    ['printer and tags', ['in', '--printer', 'p', '--tags', 'A'], 'either --printer or --tags'],
    ['no copies', ['in', '--quantity', '0'], 'Quantity must'],
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
