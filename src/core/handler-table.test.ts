import { describe, expect, it } from 'vitest'

import { channels, type Channel } from '../shared/ipc'
import { ok } from '../shared/result'
import { createHandlerTable, isChannel, type Implementations } from './handler-table'

function echoImpl(): { impl: Implementations; calls: unknown[] } {
  const calls: unknown[] = []
  const impl = Object.fromEntries(
    (Object.keys(channels) as Channel[]).map((c) => [
      c,
      async (p: unknown) => {
        calls.push(p)
        return ok(p)
      }
    ])
  ) as unknown as Implementations
  return { impl, calls }
}

// Payloads of the wrong shape for every channel: none may reach a service.
const MALFORMED: unknown[] = [
  42,
  'string',
  [],
  { path: 12 },
  { jobId: {} },
  { items: 'x' },
  { routing: { mode: 'nope' }, items: [] },
  { apiKey: null },
  { url: ['a'] },
  { refresh: 'yes' },
  { __proto__: { polluted: true } },
  Symbol.for('x'),
  () => 1
]

describe('handler table', () => {
  it('has exactly one handler per contract channel', () => {
    const table = createHandlerTable(echoImpl().impl)
    expect(Object.keys(table).sort()).toEqual(Object.keys(channels).sort())
  })

  it('rejects malformed payloads on every channel as data, without calling the service', async () => {
    const { impl, calls } = echoImpl()
    const table = createHandlerTable(impl)
    let rejected = 0
    let total = 0
    for (const channel of Object.keys(channels) as Channel[]) {
      for (const payload of MALFORMED) {
        // Channels without a payload accept anything empty-ish only; everything here is non-empty.
        const res = await table[channel](payload)
        total++
        if (!res.ok) {
          expect(res.error.code).toBe('invalid-payload')
          expect(res.error.message).toContain(channel)
          rejected++
        }
      }
    }
    // void-payload channels reject everything non-undefined; object channels reject all of these.
    expect(rejected).toBe(total - calls.length)
    // The only payload that got through is the prototype-polluting object on printers:list, whose
    // optional `refresh` is absent: zod hands the service a clean empty object, not the input.
    expect(calls.length).toBeLessThanOrEqual(1)
    for (const p of calls)
      expect(Object.getPrototypeOf(p) === Object.prototype && Object.keys(p as object)).toEqual([])
  })

  it('validates send requests: quantity, label length, tags with a pipe', async () => {
    const table = createHandlerTable(echoImpl().impl)
    const base = { routing: { mode: 'any' }, items: [{ path: '/a.stl', quantity: 1 }] }
    expect((await table['send:start'](base)).ok).toBe(true)
    const bad = [
      { ...base, items: [{ path: '/a.stl', quantity: 0 }] },
      { ...base, items: [{ path: '/a.stl', quantity: 501 }] },
      { ...base, items: [{ path: '/a.stl', quantity: 1.5 }] },
      { ...base, items: [{ path: '/a.stl', quantity: 1, label: '' }] },
      { ...base, items: [{ path: '/a.stl', quantity: 1, label: 'x'.repeat(1025) }] },
      { ...base, items: [] },
      { routing: { mode: 'tags', tags: ['A|B'] }, items: base.items },
      { routing: { mode: 'tags', tags: [] }, items: base.items },
      { routing: { mode: 'printer' }, items: base.items }
    ]
    for (const b of bad) {
      const res = await table['send:start'](b)
      expect(res.ok, JSON.stringify(b).slice(0, 80)).toBe(false)
    }
    const pipe = await table['send:start']({
      routing: { mode: 'tags', tags: ['A|B'] },
      items: base.items
    })
    expect(!pipe.ok && pipe.error.message).toContain('cannot be sent to Printago')
  })

  it('turns a thrown bug into an internal error result', async () => {
    const { impl } = echoImpl()
    impl['store:status'] = async () => {
      throw new Error('boom')
    }
    const res = await createHandlerTable(impl)['store:status'](undefined)
    expect(res).toEqual({
      ok: false,
      error: { code: 'internal', message: expect.stringContaining('boom') }
    })
  })

  it('refuses a table missing a channel: a compile error, and an error at start-up', () => {
    const { impl } = echoImpl()
    const { 'store:forget': _forget, ...withoutForget } = impl
    // @ts-expect-error every channel of the contract must be implemented
    const partial: Implementations = withoutForget
    expect(() => createHandlerTable(partial)).toThrow('No implementation for store:forget')
  })

  it('knows its channels', () => {
    expect(isChannel('send:start')).toBe(true)
    expect(isChannel('constructor')).toBe(false)
    expect(isChannel('__proto__')).toBe(false)
  })
})
