// In-memory stand-ins for the host's storage (the settings file and the OS key store), for the
// app core's tests: everything else in those tests is real.
import type { SecretStore } from './stores'
import type { SettingsStore } from './settings'

/** Settings kept in a plain object (`data`), as electron-store would keep them on disk. */
export function memorySettings(
  initial: Record<string, unknown> = {}
): SettingsStore & { data: Record<string, unknown> } {
  const data = { ...initial }
  return {
    data,
    get: (k) => data[k],
    set: (k, v) => void (data[k] = v),
    delete: (k) => void delete data[k]
  }
}

/** Keys kept as (mock) ciphertext, so a test can check that no plain key is ever stored. */
export function memorySecrets(
  protection: ReturnType<SecretStore['protection']> = 'strong'
): SecretStore & { data: Map<string, string> } {
  const data = new Map<string, string>()
  return {
    data,
    save: async (a, s) => void data.set(a, `enc:${Buffer.from(s).toString('base64')}`),
    load: async (a) =>
      data.has(a) ? Buffer.from(data.get(a)!.slice(4), 'base64').toString() : null,
    forget: async (a) => void data.delete(a),
    protection: () => protection
  }
}
