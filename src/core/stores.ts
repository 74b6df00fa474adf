// The stores the user saved: the demo store and Printago stores (key + store id), which one is
// active, where their keys live, and the checks a pasted key goes through before it is saved.
import type { SavedStoreView, StoreStatus } from '../shared/ipc'
import { fail, ok, type Result } from '../shared/result'
import type { KeyProtection } from '../shared/settings'
import { createPrintagoClient, DEFAULT_BASE_URL } from './printago/client'
import { isPrintagoError } from './printago/errors'
import type { SettingsStore } from './settings'
import { toFailure } from './handlers/failure'

/** Where API keys live: safeStorage ciphertext in the app, memory in the web bridge and tests. */
export interface SecretStore {
  save(account: string, secret: string): Promise<void>
  load(account: string): Promise<string | null>
  forget(account: string): Promise<void>
  /** How well stored keys are protected here (Linux without a keyring: 'weak'). */
  protection(): KeyProtection
}

/**
 * What the core needs of the demo store's backend (a Printago sandbox started by the host). The
 * core never imports the sandbox: the Electron adapter loads it with import() when the demo store
 * is chosen, the web host and tests pass their own.
 */
export interface DemoBackend {
  url: string
  apiKey: string
  storeId: string
  mqttUrl?: string | null
  close(): Promise<void>
}

/** Options the host passes through to its demo backend (port, speed…); opaque to the core. */
export interface DemoOptions {
  port?: number
  speed?: number
  /** The sandbox's job lifecycle and MQTT row shapes (the app core asks for all of them). */
  lifecycle?: 'compact' | 'full'
  mqttEntityPayloads?: 'full' | 'changes' | 'mixed'
}

/** The id of the demo store (its data folder is `stores/demo`). */
export const DEMO_STORE = 'demo'

export const NO_STORE: StoreStatus = {
  kind: 'none',
  name: 'No store',
  storeId: null,
  keyMasked: null,
  baseUrl: null
}

export interface SavedStore {
  storeId: string
  baseUrl: string
  name: string
  keyMasked: string
}

/** "abcd…wxyz": enough to recognise a key, never enough to use it. */
export function maskKey(key: string): string {
  return key.length <= 10 ? '…' : `${key.slice(0, 4)}…${key.slice(-4)}`
}

function isLoopback(url: URL): boolean {
  return ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)
}

/** Checks a pasted key, store id and base URL before any network call. */
export function checkCredentials(input: {
  apiKey: string
  storeId: string
  baseUrl?: string
}): Result<{ apiKey: string; storeId: string; baseUrl: string }> {
  const apiKey = input.apiKey.trim()
  const storeId = input.storeId.trim()
  if (/\s/.test(apiKey))
    return fail('invalid-key', 'The API key contains spaces or line breaks. Paste only the key.')
  if (!/^[a-z0-9]{24,256}$/.test(apiKey))
    return fail(
      'invalid-key',
      'That does not look like a Printago API key (lowercase letters and digits, at least 24).'
    )
  if (!/^[a-z0-9]{24}$/.test(storeId))
    return fail(
      'invalid-store-id',
      'A store id is 24 lowercase letters or digits. Copy it from Printago → Settings.'
    )
  let baseUrl = DEFAULT_BASE_URL
  if (input.baseUrl?.trim()) {
    let url: URL
    try {
      url = new URL(input.baseUrl.trim())
    } catch {
      return fail('invalid-url', 'The base URL is not a valid URL.')
    }
    // Plain http only to this computer (a local sandbox): a key must never cross a network in clear.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url)))
      return fail(
        'invalid-url',
        'The base URL must start with https:// (http:// only for this computer).'
      )
    baseUrl = url.origin
  }
  return ok({ apiKey, storeId, baseUrl })
}

/**
 * Asks Printago whether the key may use the store; resolves with the store's name. Every way it
 * can fail (401, 403, unreachable) gets its own sentence.
 */
export async function verifyStoreAccess(creds: {
  apiKey: string
  storeId: string
  baseUrl: string
}): Promise<Result<{ name: string }>> {
  const client = createPrintagoClient({ ...creds, retry: { maxAttempts: 2 }, timeoutMs: 15_000 })
  const fallbackName = `Store ${creds.storeId.slice(0, 6)}`
  try {
    const stores = await client.listStores()
    return ok({
      name: stores.find((s) => s.id === creds.storeId)?.name ?? stores[0]?.name ?? fallbackName
    })
  } catch (err) {
    if (isPrintagoError(err) && (err.code === 'network' || err.code === 'timeout'))
      return fail(err.code, `Could not reach ${creds.baseUrl}: ${err.message}`)
    // A 401 from /v1/stores may only mean that API keys cannot list "the stores of the current
    // user" (it is documented for users, API.md §13.10): the printers decide whether the key is
    // wrong. A 403 may be a missing permission to read stores; printers are what the app needs.
    if (!(isPrintagoError(err) && (err.code === 'forbidden' || err.code === 'auth')))
      return toFailure(err)
  }
  try {
    await client.listPrinters({ limit: 1 })
    return ok({ name: fallbackName })
  } catch (err) {
    if (isPrintagoError(err) && err.code === 'auth')
      return fail(
        'auth',
        'Printago did not accept this API key for this store id (401 Unauthorized). Check both and try again.'
      )
    if (isPrintagoError(err) && err.code === 'forbidden')
      return fail(
        'forbidden',
        'This key may not see printers (403: it lacks printer.view). Ask the store owner for a key with printer.view, part.create and queue permissions.'
      )
    return toFailure(err)
  }
}

export interface SavedStores {
  list(): SavedStore[]
  views(): SavedStoreView[]
  activeId(): string | null
  setActive(id: string | null): void
  /**
   * Saves a store and keeps its key: encrypted by the OS, or for this session only when the OS
   * cannot protect it well (`keep: 'session'`) or not at all.
   */
  save(store: SavedStore, apiKey: string, keep: 'store' | 'session'): Promise<void>
  /** Removes a saved store and its key. */
  forget(storeId: string): Promise<void>
  /** A saved store's status and key; null when the store or its key is gone. */
  credentials(storeId: string): Promise<{ status: StoreStatus; apiKey: string } | null>
  protection(): KeyProtection
}

/** The saved stores in `settings` ('stores', 'activeStore') with their keys in `secrets`. */
export function createSavedStores(settings: SettingsStore, secrets: SecretStore): SavedStores {
  /** Keys the user chose to keep for this session only (weak OS protection). */
  const sessionKeys = new Map<string, string>()

  const list = (): SavedStore[] => {
    const raw = settings.get('stores')
    if (!Array.isArray(raw)) return []
    return raw.filter(
      (s): s is SavedStore =>
        !!s &&
        typeof s === 'object' &&
        /^[a-z0-9]{24}$/.test(String((s as SavedStore).storeId)) &&
        typeof (s as SavedStore).baseUrl === 'string'
    )
  }
  const activeId = (): string | null => {
    const a = settings.get('activeStore')
    return typeof a === 'string' ? a : null
  }

  return {
    list,
    views: () => list().map((s) => ({ ...s, active: activeId() === s.storeId, hasKey: true })),
    activeId,
    setActive(id) {
      if (id === null) settings.delete('activeStore')
      else settings.set('activeStore', id)
    },
    async save(store, apiKey, keep) {
      if (keep === 'session' || secrets.protection() === 'unavailable')
        sessionKeys.set(store.storeId, apiKey)
      else {
        await secrets.save(store.storeId, apiKey)
        sessionKeys.delete(store.storeId)
      }
      settings.set('stores', [...list().filter((s) => s.storeId !== store.storeId), store])
    },
    async forget(storeId) {
      await secrets.forget(storeId)
      sessionKeys.delete(storeId)
      settings.set(
        'stores',
        list().filter((s) => s.storeId !== storeId)
      )
    },
    async credentials(storeId) {
      const store = list().find((s) => s.storeId === storeId)
      if (!store) return null
      const apiKey = sessionKeys.get(storeId) ?? (await secrets.load(storeId))
      if (!apiKey) return null
      const status: StoreStatus = {
        kind: 'printago',
        name: store.name,
        storeId: store.storeId,
        keyMasked: store.keyMasked,
        baseUrl: store.baseUrl,
        ...(sessionKeys.has(storeId) ? { sessionOnlyKey: true } : {})
      }
      return { status, apiKey }
    },
    protection: () => secrets.protection()
  }
}
