import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resolveDataDir, stagedFilesDir, storeDataDir } from './data-dir'

describe('resolveDataDir', () => {
  it('matches Electron userData for "Printago Send" on each platform', () => {
    expect(resolveDataDir({ env: {}, platform: 'linux', home: '/home/u' })).toBe(
      '/home/u/.config/Printago Send'
    )
    expect(
      resolveDataDir({ env: { XDG_CONFIG_HOME: '/x/cfg' }, platform: 'linux', home: '/home/u' })
    ).toBe('/x/cfg/Printago Send')
    expect(resolveDataDir({ env: {}, platform: 'darwin', home: '/Users/u' })).toBe(
      '/Users/u/Library/Application Support/Printago Send'
    )
    expect(
      resolveDataDir({
        env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' },
        platform: 'win32',
        home: 'C:\\Users\\u'
      })
    ).toBe(join('C:\\Users\\u\\AppData\\Roaming', 'Printago Send'))
  })

  it('PRINTAGO_DATA_DIR wins', () => {
    expect(
      resolveDataDir({ env: { PRINTAGO_DATA_DIR: '/tmp/pd' }, platform: 'linux', home: '/h' })
    ).toBe('/tmp/pd')
  })

  it('keeps stores apart and path-safe', () => {
    expect(storeDataDir('/d', 'abcdefghijklmnopqrstuvwx')).toBe(
      '/d/stores/abcdefghijklmnopqrstuvwx'
    )
    const odd = storeDataDir('/d', '../../etc')
    expect(odd.startsWith('/d/stores/store-')).toBe(true)
    expect(storeDataDir('/d', 'a')).not.toBe(storeDataDir('/d', 'b'))
  })

  it('keeps the browser mode’s staged files in the data folder, apart from the stores', () => {
    expect(stagedFilesDir('/d')).toBe('/d/staged-files')
    expect(stagedFilesDir('/d').startsWith(join('/d', 'stores'))).toBe(false)
  })
})
