import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import Conf from 'conf'
import { afterEach, describe, expect, it } from 'vitest'

import { openSettingsFile } from './settings-file'

describe('openSettingsFile', () => {
  const dirs: string[] = []
  afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })))
  const open = (dir: string) =>
    openSettingsFile(
      join(dir, 'settings.json'),
      () =>
        new Conf<Record<string, unknown>>({
          cwd: dir,
          configName: 'settings',
          projectName: 't',
          clearInvalidConfig: false
        }),
      () => 42
    )

  it.each([
    ['not JSON', '{ this is :: nonsense'],
    ['truncated', '{"prefs": {"theme": "da'],
    ['NUL-filled', '\u0000'.repeat(64)]
  ])('sets a %s file aside and starts fresh', (_name, content) => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'))
    dirs.push(dir)
    writeFileSync(join(dir, 'settings.json'), content)
    const { store, damagedBackup } = open(dir)
    expect(damagedBackup).toBe(join(dir, 'settings.json.damaged-42'))
    expect(readFileSync(damagedBackup!, 'utf8')).toBe(content)
    store.set('prefs', { theme: 'dark' })
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual({
      prefs: { theme: 'dark' }
    })
  })

  it('opens a good file as it is', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'))
    dirs.push(dir)
    writeFileSync(join(dir, 'settings.json'), '{"prefs":{"theme":"light"}}')
    const { store, damagedBackup } = open(dir)
    expect(damagedBackup).toBeNull()
    expect(store.get('prefs')).toEqual({ theme: 'light' })
  })
})
