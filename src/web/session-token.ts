// The browser mode's session secret: one random token per server start, printed with the address
// (`…/#token=…`). The page trades it for an HttpOnly, SameSite=Strict cookie; scripts and tests may
// send it as `Authorization: Bearer …` instead. Comparisons take the same time whatever matches.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** 256 random bits, URL-safe, so the token can sit in an address without escaping. */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url')
}

/**
 * Cookies are scoped by host, not by port: two servers on 127.0.0.1 (two data folders, tests)
 * would overwrite each other's cookie if it had one name.
 */
export function sessionCookieName(port: number): string {
  return `printago-send-${port}`
}

/** The Set-Cookie value: never readable by page scripts, never sent by another site's pages. */
export function sessionCookie(port: number, token: string): string {
  return `${sessionCookieName(port)}=${token}; Path=/; HttpOnly; SameSite=Strict`
}

/** Constant-time equality; hashing first makes both sides the same length whatever was sent. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(given).digest()
  return timingSafeEqual(a, b)
}

/** The token a request carries: the bearer header first, else this server's cookie. */
export function tokenOf(req: IncomingMessage, port: number): string | undefined {
  const auth = req.headers.authorization
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim()
  const name = sessionCookieName(port)
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}
