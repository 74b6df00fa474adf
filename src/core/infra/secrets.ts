// API keys for Node hosts (the browser mode), which have no Electron safeStorage: the system
// keyring where the OS offers one to a Node process (macOS Keychain, Windows Credential Manager,
// the Secret Service on Linux; through @napi-rs/keyring, a maintained binding of keyring-rs),
// otherwise a file in the data folder that only this user can read (mode 0600), reported as weak
// protection so the settings say so. Keys are never logged and never leave this process's host.
import { createRequire } from 'node:module'
import { lstat, chmod, open, readFile, rename, unlink } from 'node:fs/promises'
import { join } from 'node:path'

import type { SecretStore } from '../stores'
import { fsyncDir } from './journal'
import { createLogger } from './log'

const log = createLogger('secrets')

/** The keyring operations the store needs (the real one, or a test double). */
export interface Keyring {
  get(service: string, account: string): Promise<string | null>
  set(service: string, account: string, secret: string): Promise<void>
  delete(service: string, account: string): Promise<void>
}

export type SecretsWhere =
  { kind: 'keyring'; service: string } | { kind: 'file'; path: string } | { kind: 'memory' }

export interface NodeSecretStore extends SecretStore {
  /** Where keys are kept. */
  readonly where: SecretsWhere
  /** Why the keyring is not used (file only). */
  readonly keyringError: string | null
}

export interface NodeSecretsOptions {
  dataDir: string
  /** The keyring to try; default the system's (null: do not try one). */
  keyring?: Keyring | null
  /** A keyring that does not answer within this time counts as absent. Default 5 s. */
  timeoutMs?: number
}

/** `keyringError` when the caller passed no keyring (`--no-keyring`). */
export const KEYRING_NOT_ASKED = 'not asked for'

/** The file that holds keys when there is no keyring. */
export function keyFilePath(dataDir: string): string {
  return join(dataDir, 'api-keys.json')
}

/** One keyring service per data folder, so two folders never share or overwrite a store's key. */
export function keyringService(dataDir: string): string {
  return `Printago Send (${dataDir})`
}

/**
 * The system keyring through @napi-rs/keyring. On Linux only the Secret Service (GNOME Keyring,
 * KWallet…) counts: the library's fallback, the kernel keyring, forgets keys at reboot.
 */
export function systemKeyring(timeoutMs = 5_000): Keyring {
  const { AsyncEntry } = createRequire(import.meta.url)(
    '@napi-rs/keyring'
  ) as typeof import('@napi-rs/keyring')
  const entry = (service: string, account: string): InstanceType<typeof AsyncEntry> =>
    new AsyncEntry(service, account, { linux: { store: 'secret-service' } })
  // A locked keyring can wait for an unlock prompt nobody sees on a headless machine.
  const signal = (): AbortSignal => AbortSignal.timeout(timeoutMs)
  return {
    get: (service, account) => entry(service, account).getPassword(signal()),
    set: (service, account, secret) => entry(service, account).setPassword(secret, signal()),
    delete: async (service, account) =>
      void (await entry(service, account).deletePassword(signal()))
  }
}

type KeyFile = { version: 1; keys: Record<string, string> }

/** The 0600 key file: read, checked, and rewritten whole (temp file + rename) on every change. */
function keyFile(path: string): {
  read(): Promise<KeyFile>
  write(file: KeyFile): Promise<void>
} {
  return {
    async read() {
      let info
      try {
        info = await lstat(path)
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, keys: {} }
        throw error
      }
      if (!info.isFile())
        throw new Error(`${path} is not a regular file; keys are not read from it`)
      const uid = process.getuid?.()
      if (uid !== undefined && info.uid !== uid)
        throw new Error(`${path} belongs to another user; keys are not read from it`)
      if (process.platform !== 'win32' && (info.mode & 0o077) !== 0) {
        // Someone widened it: narrow it again before trusting it with more.
        await chmod(path, 0o600)
        log.warn(`${path} was readable by others; it is now readable only by its owner`)
      }
      const data = JSON.parse(await readFile(path, 'utf8')) as Partial<KeyFile>
      const keys: Record<string, string> = {}
      for (const [k, v] of Object.entries(data.keys ?? {})) if (typeof v === 'string') keys[k] = v
      return { version: 1, keys }
    },
    async write(file) {
      const dir = join(path, '..')
      if (Object.keys(file.keys).length === 0) {
        await unlink(path).catch(() => undefined)
        fsyncDir(dir)
        return
      }
      // Created 0600 from the start: there is no moment when the key sits in a wider file.
      const tmp = `${path}.tmp-${process.pid}`
      await unlink(tmp).catch(() => undefined)
      const fh = await open(tmp, 'wx', 0o600)
      try {
        await fh.writeFile(JSON.stringify(file))
        await fh.sync()
      } finally {
        await fh.close()
      }
      await rename(tmp, path)
      fsyncDir(dir)
    }
  }
}

/** Keys kept by this process only, never written anywhere: gone when it stops. */
export function memorySecretStore(): NodeSecretStore {
  const keys = new Map<string, string>()
  return {
    where: { kind: 'memory' },
    keyringError: null,
    save: async (account, secret) => void keys.set(account, secret),
    load: async (account) => keys.get(account) ?? null,
    forget: async (account) => void keys.delete(account),
    protection: () => 'memory'
  }
}

/** Opens the secret store for `dataDir`: the keyring if it answers, else the 0600 file. */
export async function openNodeSecrets(options: NodeSecretsOptions): Promise<NodeSecretStore> {
  const path = keyFilePath(options.dataDir)
  const service = keyringService(options.dataDir)
  const file = keyFile(path)
  let keyring: Keyring | null = null
  let keyringError: string | null = null
  try {
    keyring = options.keyring === undefined ? systemKeyring(options.timeoutMs) : options.keyring
    if (!keyring) keyringError = KEYRING_NOT_ASKED
    // A read of an entry that does not exist: answers null wherever the keyring works.
    else await keyring.get(service, '(probe)')
  } catch (error) {
    keyringError = (error as Error).message
    keyring = null
  }

  // One change at a time, so two saves never write the file from the same old contents.
  let chain: Promise<unknown> = Promise.resolve()
  const serial = <T>(step: () => Promise<T>): Promise<T> => {
    const run = chain.then(step)
    chain = run.catch(() => undefined)
    return run
  }
  const fromFile = async (account: string): Promise<string | null> =>
    (await file.read()).keys[account] ?? null
  const dropFromFile = async (account: string): Promise<void> => {
    const f = await file.read()
    if (!(account in f.keys)) return
    delete f.keys[account]
    await file.write(f)
  }

  return {
    where: keyring ? { kind: 'keyring', service } : { kind: 'file', path },
    keyringError,
    save: (account, secret) =>
      serial(async () => {
        if (keyring) {
          await keyring.set(service, account, secret)
          // A copy kept in the file while there was no keyring would outlive this one.
          await dropFromFile(account)
          return
        }
        const f = await file.read()
        f.keys[account] = secret
        await file.write(f)
      }),
    load: (account) =>
      serial(
        async () => (keyring ? await keyring.get(service, account) : null) ?? fromFile(account)
      ),
    forget: (account) =>
      serial(async () => {
        if (keyring) await keyring.delete(service, account)
        await dropFromFile(account)
      }),
    protection: () => (keyring ? 'strong' : 'weak')
  }
}
