import type { IncomingMessage } from 'node:http'

import { describe, expect, it } from 'vitest'

import { allowList, checkBindAddress, isLoopbackAddress, refusalOf } from './request-guard'
import { tokenMatches, tokenOf } from './session-token'

const req = (headers: Record<string, string>): IncomingMessage =>
  ({ headers }) as unknown as IncomingMessage

describe('addresses', () => {
  it('loopback is 127.0.0.0/8 and ::1, however spelled', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '::1', '0:0:0:0:0:0:0:1', '::0001'])
      expect(isLoopbackAddress(a), a).toBe(true)
    for (const a of ['10.0.0.1', '192.168.1.5', '::', '::2', 'localhost', '0.0.0.0', 'fe80::1'])
      expect(isLoopbackAddress(a), a).toBe(false)
  })

  it('a bind address must name one interface', () => {
    expect(checkBindAddress('127.0.0.1')).toBeNull()
    expect(checkBindAddress('192.168.1.5')).toBeNull()
    expect(checkBindAddress('::1')).toBeNull()
    expect(checkBindAddress('0.0.0.0')).toMatch(/every interface/)
    expect(checkBindAddress('::')).toMatch(/every interface/)
    expect(checkBindAddress('0:0::0')).toMatch(/every interface/)
    expect(checkBindAddress('localhost')).toMatch(/IP address/)
  })
})

describe('allow-lists', () => {
  it('the bound address, localhost and 127.0.0.1 on the bound port', () => {
    expect([...allowList('127.0.0.1', 5180).hosts].sort()).toEqual([
      '127.0.0.1:5180',
      'localhost:5180'
    ])
    expect([...allowList('::1', 5180).hosts].sort()).toEqual([
      '127.0.0.1:5180',
      '[::1]:5180',
      'localhost:5180'
    ])
    expect([...allowList('192.168.1.5', 5180).origins].sort()).toEqual([
      'http://127.0.0.1:5180',
      'http://192.168.1.5:5180',
      'http://localhost:5180'
    ])
    // Browsers leave port 80 out.
    expect(allowList('127.0.0.1', 80).hosts.has('localhost')).toBe(true)
    expect(allowList('127.0.0.1', 5180).hosts.has('localhost')).toBe(false)
  })

  it('refuses by Host first, then Origin, then (API only) another site’s fetch', () => {
    const list = allowList('127.0.0.1', 5180)
    const good = { host: '127.0.0.1:5180' }
    expect(refusalOf(req(good), list, true)).toBeNull()
    expect(refusalOf(req({ host: 'evil.example:5180', origin: 'http://x' }), list, true)).toBe(
      'host'
    )
    expect(refusalOf(req({}), list, false)).toBe('host')
    expect(refusalOf(req({ ...good, origin: 'http://evil.example' }), list, false)).toBe('origin')
    expect(refusalOf(req({ ...good, origin: 'null' }), list, false)).toBe('origin')
    expect(refusalOf(req({ ...good, 'sec-fetch-site': 'same-site' }), list, true)).toBe(
      'fetch-site'
    )
    // A link from another site to the app's page is a navigation: it gets the sign-in page.
    expect(refusalOf(req({ ...good, 'sec-fetch-site': 'cross-site' }), list, false)).toBeNull()
    expect(refusalOf(req({ ...good, 'sec-fetch-site': 'same-origin' }), list, true)).toBeNull()
  })
})

describe('the token', () => {
  it('matches only itself, read from the bearer header or this port’s cookie', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true)
    expect(tokenMatches('abc', 'abd')).toBe(false)
    expect(tokenMatches('abc', 'abcd')).toBe(false)
    expect(tokenMatches('abc', '')).toBe(false)
    expect(tokenMatches('abc', undefined)).toBe(false)
    expect(tokenOf(req({ authorization: 'Bearer t1' }), 5180)).toBe('t1')
    expect(tokenOf(req({ cookie: 'a=b; printago-send-5180=t2; c=d' }), 5180)).toBe('t2')
    expect(tokenOf(req({ cookie: 'printago-send-5181=t3' }), 5180)).toBeUndefined()
  })
})
