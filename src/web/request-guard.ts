// Who may talk to the bridge, decided from the request line and headers alone, before any route or
// handler runs: the Host must name this server (a DNS-rebinding page reaches 127.0.0.1 under a
// foreign name, and its requests carry that name), an Origin, when sent, must be this server's,
// and API requests must come from this server's own pages (Fetch Metadata), not another site's.
import type { IncomingMessage } from 'node:http'
import { isIP } from 'node:net'

/** Why a request was refused; each reason has its own counter (see BridgeStats). */
export type Refusal = 'host' | 'origin' | 'fetch-site' | 'token' | 'path'

/** True for 127.0.0.0/8 and ::1: only this computer can reach such an address. */
export function isLoopbackAddress(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.')
  // The URL parser writes every spelling of ::1 (0:0:0:0:0:0:0:1, ::0001…) the same way.
  if (isIP(host) === 6) return new URL(`http://[${host}]/`).hostname === '[::1]'
  return false
}

/** Checks a --host value: an IP literal that names one interface (a wildcard has no one name). */
export function checkBindAddress(host: string): string | null {
  if (isIP(host) === 0)
    return `--host must be an IP address (e.g. 127.0.0.1 or ::1), not "${host}".`
  if (host === '0.0.0.0' || (isIP(host) === 6 && new URL(`http://[${host}]/`).hostname === '[::]'))
    return `--host ${host} listens on every interface, so requests could name any address; bind to one address (e.g. 127.0.0.1, or this computer's LAN address).`
  return null
}

/** `host:port` as a Host header or URL spells it ([…] around IPv6). */
export function authority(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`
}

export interface AllowList {
  /** Accepted Host header values (lowercase). */
  hosts: ReadonlySet<string>
  /** Accepted Origin header values (lowercase). */
  origins: ReadonlySet<string>
}

/** The bound address, `localhost` and `127.0.0.1` (and `[::1]` when bound there), on this port. */
export function allowList(boundHost: string, port: number): AllowList {
  const names = new Set([boundHost, 'localhost', '127.0.0.1'])
  const hosts = new Set<string>()
  for (const name of names) {
    const a = authority(name, port).toLowerCase()
    hosts.add(a)
    // Browsers leave the default port out of Host and Origin.
    if (port === 80) hosts.add(a.slice(0, a.lastIndexOf(':')))
  }
  return { hosts, origins: new Set([...hosts].map((h) => `http://${h}`)) }
}

/** The first reason to refuse `req`, or null. `api`: the bridge's own endpoints, not pages. */
export function refusalOf(req: IncomingMessage, allowed: AllowList, api: boolean): Refusal | null {
  const host = req.headers.host?.toLowerCase()
  if (!host || !allowed.hosts.has(host)) return 'host'
  const origin = req.headers.origin
  if (origin !== undefined && !allowed.origins.has(origin.toLowerCase())) return 'origin'
  if (api) {
    // Sent by every current browser. 'same-site' includes other ports of this host, which are
    // other programs: only our own pages ('same-origin') and typed addresses ('none') pass.
    const site = req.headers['sec-fetch-site']
    if (site !== undefined && site !== 'same-origin' && site !== 'none') return 'fetch-site'
  }
  return null
}
