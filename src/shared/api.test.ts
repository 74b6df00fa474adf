// The renderer's API is exactly the contract: named functions per channel, events limited to
// the contract's names, no generic invoke/send that could reach anything else.
import { describe, expect, it } from 'vitest'

import { createApi, type Transport } from './api'
import { channels, eventNames } from './ipc'

function fakeTransport(): Transport & {
  calls: Array<[string, unknown]>
  events: string[]
  readies: number
} {
  const calls: Array<[string, unknown]> = []
  const events: string[] = []
  return {
    calls,
    events,
    readies: 0,
    ready() {
      this.readies++
    },
    invoke: async (channel, payload) => {
      calls.push([channel, payload])
      return { ok: true, value: null }
    },
    on: (event) => {
      events.push(event)
      return () => undefined
    },
    pathForFile: async () => '/tmp/x.stl'
  }
}

describe('createApi', () => {
  it('exposes named domains only, each function mapping to one contract channel', async () => {
    const t = fakeTransport()
    const api = createApi(t)
    expect(Object.keys(api).sort()).toEqual([
      'app',
      'files',
      'history',
      'printers',
      'send',
      'settings',
      'shell',
      'store',
      'watch'
    ])
    const fns: Array<[string, (p?: unknown) => unknown]> = []
    for (const [domain, group] of Object.entries(api))
      for (const [name, fn] of Object.entries(group as Record<string, unknown>))
        if (typeof fn === 'function' && !name.startsWith('on') && name !== 'pathFor')
          fns.push([`${domain}.${name}`, fn as (p?: unknown) => unknown])
    for (const [, fn] of fns) await fn({})
    const used = new Set(t.calls.map(([c]) => c))
    // Every invoked channel is a contract channel, and every contract channel is reachable.
    for (const c of used) expect(Object.keys(channels)).toContain(c)
    expect([...used].sort()).toEqual(Object.keys(channels).sort())
    expect(JSON.stringify(Object.keys(api))).not.toMatch(/ipcRenderer|invoke|send\b.*raw/)
    // app.ready() is the one call that is not a channel: it tells the host the listeners are set.
    expect(t.readies).toBe(1)
  })

  it('subscribes only to contract events', () => {
    const t = fakeTransport()
    const api = createApi(t)
    api.send.onProgress(() => undefined)
    api.history.onChanged(() => undefined)
    api.store.onChanged(() => undefined)
    for (const e of t.events) expect(eventNames).toContain(e)
  })
})
