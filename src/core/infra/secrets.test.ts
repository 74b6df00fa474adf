import { chmod, lstat, mkdir, readFile, symlink, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { tempDir } from '../../test-support/temp'
import {
  keyFilePath,
  keyringService,
  memorySecretStore,
  openNodeSecrets,
  systemKeyring,
  type Keyring
} from './secrets'

let dir: string
let cleanup: () => Promise<void>
beforeEach(async () => ({ dir, cleanup } = await tempDir('printago-secrets-')))
afterEach(() => cleanup())

const KEY = 'k'.repeat(48)

/** A keyring kept in a map; `broken` makes every call fail as an absent Secret Service does. */
function fakeKeyring(broken = false): Keyring & { data: Map<string, string> } {
  const data = new Map<string, string>()
  const check = (): void => {
    if (broken) throw new Error('Platform failure: no Secret Service')
  }
  return {
    data,
    get: async (s, a) => (check(), data.get(`${s}|${a}`) ?? null),
    set: async (s, a, v) => void (check(), data.set(`${s}|${a}`, v)),
    delete: async (s, a) => void (check(), data.delete(`${s}|${a}`))
  }
}

describe('the key file (no keyring)', () => {
  it('is created readable only by this user, survives a reopen, and is gone with the last key', async () => {
    const secrets = await openNodeSecrets({ dataDir: dir, keyring: null })
    expect(secrets.protection()).toBe('weak')
    expect(secrets.where).toEqual({ kind: 'file', path: keyFilePath(dir) })
    await secrets.save('storea', KEY)
    await secrets.save('storeb', 'other')
    expect((await lstat(keyFilePath(dir))).mode & 0o777).toBe(0o600)

    const reopened = await openNodeSecrets({ dataDir: dir, keyring: null })
    expect(await reopened.load('storea')).toBe(KEY)
    expect(await reopened.load('nope')).toBeNull()
    await reopened.forget('storea')
    expect(await reopened.load('storea')).toBeNull()
    expect(await reopened.load('storeb')).toBe('other')
    await reopened.forget('storeb')
    await expect(lstat(keyFilePath(dir))).rejects.toThrow(/ENOENT/)
  })

  it('saves made at once all land (one write at a time)', async () => {
    const secrets = await openNodeSecrets({ dataDir: dir, keyring: null })
    await Promise.all(['a', 'b', 'c', 'd'].map((a) => secrets.save(a, `key-${a}`)))
    const file = JSON.parse(await readFile(keyFilePath(dir), 'utf8')) as { keys: object }
    expect(file.keys).toEqual({ a: 'key-a', b: 'key-b', c: 'key-c', d: 'key-d' })
  })

  it('narrows a widened file before using it, and never reads a link', async () => {
    const secrets = await openNodeSecrets({ dataDir: dir, keyring: null })
    await secrets.save('storea', KEY)
    await chmod(keyFilePath(dir), 0o644)
    expect(await secrets.load('storea')).toBe(KEY)
    expect((await lstat(keyFilePath(dir))).mode & 0o777).toBe(0o600)

    // A link planted where the key file goes (it could point at any file of this user).
    const planted = join(dir, 'planted')
    await writeFile(join(dir, 'elsewhere.json'), JSON.stringify({ keys: { x: 'y' } }))
    await mkdir(planted)
    await symlink(join(dir, 'elsewhere.json'), keyFilePath(planted))
    const linked = await openNodeSecrets({ dataDir: planted, keyring: null })
    await expect(linked.load('x')).rejects.toThrow(/not a regular file/)
  })
})

describe('the keyring', () => {
  it('is used when it answers; a key once kept in the file moves out of it', async () => {
    const fileOnly = await openNodeSecrets({ dataDir: dir, keyring: null })
    await fileOnly.save('storea', 'old-key')

    const keyring = fakeKeyring()
    const secrets = await openNodeSecrets({ dataDir: dir, keyring })
    expect(secrets.protection()).toBe('strong')
    expect(secrets.where).toEqual({ kind: 'keyring', service: keyringService(dir) })
    // Still readable from the file until the keyring has it.
    expect(await secrets.load('storea')).toBe('old-key')
    await secrets.save('storea', KEY)
    expect(keyring.data.get(`${keyringService(dir)}|storea`)).toBe(KEY)
    await expect(lstat(keyFilePath(dir))).rejects.toThrow(/ENOENT/)
    expect(await secrets.load('storea')).toBe(KEY)
    await secrets.forget('storea')
    expect(keyring.data.size).toBe(0)
  })

  it('one that fails falls back to the file, and says why', async () => {
    const secrets = await openNodeSecrets({ dataDir: dir, keyring: fakeKeyring(true) })
    expect(secrets.protection()).toBe('weak')
    expect(secrets.keyringError).toContain('no Secret Service')
    await secrets.save('storea', KEY)
    expect((await lstat(keyFilePath(dir))).mode & 0o777).toBe(0o600)
  })

  it('the system keyring binding loads here; without a keyring daemon the file is used', async () => {
    // The native module installs and loads on this platform.
    const mod = createRequire(import.meta.url)('@napi-rs/keyring') as { AsyncEntry: unknown }
    expect(typeof mod.AsyncEntry).toBe('function')
    const secrets = await openNodeSecrets({ dataDir: dir, keyring: systemKeyring(2_000) })
    if (secrets.where.kind === 'keyring') {
      // A machine with a Secret Service / Keychain: a real round trip.
      await secrets.save('printago-send-test', KEY)
      expect(await secrets.load('printago-send-test')).toBe(KEY)
      await secrets.forget('printago-send-test')
      expect(await secrets.load('printago-send-test')).toBeNull()
    } else {
      expect(secrets.keyringError).toBeTruthy()
      expect(secrets.protection()).toBe('weak')
    }
  })
})

describe('memory only (--keys memory)', () => {
  it('keeps keys in this process and writes nothing', async () => {
    const secrets = memorySecretStore()
    expect(secrets.protection()).toBe('memory')
    await secrets.save('storea', KEY)
    expect(await secrets.load('storea')).toBe(KEY)
    await secrets.forget('storea')
    expect(await secrets.load('storea')).toBeNull()
    expect(await memorySecretStore().load('storea')).toBeNull()
  })
})
