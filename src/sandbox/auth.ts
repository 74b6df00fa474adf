// API-key authentication and the limited key's permission set.
import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

/** Who made a request. */
export interface Caller {
  /** Masked key for logs and limiter buckets; never the raw key. */
  keyId: string
  limited: boolean
}

/**
 * Permissions the limited demo key lacks: managing the queue and the printers. It can still read
 * everything, upload, create parts and queue builds.
 */
export const LIMITED_DENIED = new Set([
  'queue.manage',
  'queue.override',
  'job.delete.all',
  'job.edit.all',
  'printer.ready',
  'printer.config',
  'printer.delete',
  'maintenance.edit'
])

/** Masks a key: its public 24-char Key ID when shaped like a Printago key, else a fingerprint. */
export function maskKey(key: string): string {
  if (/^[a-z0-9]{72}$/.test(key)) return key.slice(0, 24)
  return 'fp:' + createHash('sha256').update(key).digest('hex').slice(0, 12)
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name]
  return Array.isArray(v) ? v[0] : v
}

/** The presented key (masked) even if invalid, for the request log. */
export function presentedKeyId(headers: IncomingHttpHeaders): string | null {
  const m = /^\s*\S+\s+(\S+)\s*$/.exec(header(headers, 'authorization') ?? '')
  return m?.[1] ? maskKey(m[1]) : null
}

/** Resolves the caller from `authorization: ApiKey <key>` + `x-printago-storeid`, or null (401). */
export function authenticate(
  headers: IncomingHttpHeaders,
  cfg: { apiKey: string; limitedApiKey: string; storeId: string }
): Caller | null {
  const m = /^ApiKey\s+(\S+)\s*$/i.exec(header(headers, 'authorization') ?? '')
  const key = m?.[1]
  const store = header(headers, 'x-printago-storeid')?.trim()
  if (!key || !store || !same(store, cfg.storeId)) return null
  if (same(key, cfg.apiKey)) return { keyId: maskKey(key), limited: false }
  if (same(key, cfg.limitedApiKey)) return { keyId: maskKey(key), limited: true }
  return null
}

/** Whether the caller holds `permission` (undefined = none; "a, b" = all of them). */
export function hasPermission(caller: Caller, permission: string | undefined): boolean {
  if (!permission || !caller.limited) return true
  return permission.split(',').every((p) => !LIMITED_DENIED.has(p.trim()))
}
