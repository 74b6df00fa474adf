// Every error a user can meet: one sentence of what happened and what to do, no HTTP words.
import { describe, expect, it } from 'vitest'

import { errorWords } from './error-words'

const words = (code: string, message = 'x', details?: Record<string, unknown>, what?: string) =>
  errorWords({ code, message, ...(details ? { details } : {}) }, what).text

describe('errorWords', () => {
  it('says what happened and what to do for the core codes', () => {
    expect(words('store-busy', 'locked', { pid: 4242 })).toBe(
      'Another Printago Send (process 4242) is sending from this store. Close it, or wait for it to finish; the app tries again by itself.'
    )
    expect(words('disk-full', 'ENOSPC')).toMatch(/^The disk is full, .* Free some space;/)
    expect(words('disk-read-only')).toMatch(/read-only disk\. Make it writable;/)
    expect(words('disk-error')).toMatch(
      /^The disk reported an error while saving\. Check the disk;/
    )
    expect(words('outcome-unknown')).toBe(
      'Not confirmed yet: Printago did not answer in time. The app checks it shortly and never queues it twice.'
    )
    expect(words('cancelled', 'x', undefined, 'The send')).toBe(
      'The send was cancelled before anything reached Printago.'
    )
    expect(words('auth')).toMatch(/Open settings/)
    expect(errorWords({ code: 'auth', message: '401' }).action).toBe('settings')
  })

  it('names a missing permission without the HTTP status or the route', () => {
    const text = words(
      'forbidden',
      'Printago refused POST /v1/parts (403 Forbidden): the API key lacks the "part.create" permission needed to upload files, or this computer\'s IP is not on the key\'s allowlist'
    )
    expect(text).toBe(
      'This API key lacks the part.create permission needed to upload files. Ask the store owner for a key that has it (Printago → Settings → API Keys).'
    )
  })

  it('never shows HTTP words, status codes or URLs', () => {
    const codes = [
      'auth',
      'forbidden',
      'rate-limited',
      'network',
      'timeout',
      'server',
      'bad-response',
      'outcome-unknown',
      'store-busy',
      'disk-full',
      'disk-read-only',
      'disk-error',
      'cancelled',
      'no-store',
      'no-key',
      'not-staged',
      'internal',
      'something-new'
    ]
    const technical =
      'Request failed: POST https://api.printago.io/v2/builds 503 Service Unavailable'
    for (const code of codes) {
      const t = words(code, technical)
      expect(t, code).not.toMatch(/\b(HTTP|POST|GET|[1-5]\d\d)\b|https?:/)
      expect(t, code).toMatch(/[.?]$/)
    }
    // The network words fit where they appear.
    expect(words('network', technical, undefined, 'The send')).toContain('press Send again')
    expect(words('network', technical, undefined, 'Refreshing the printers')).toContain(
      'the app tries again by itself'
    )
  })
})
