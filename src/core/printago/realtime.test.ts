import { EventEmitter } from 'node:events'
import type { IClientOptions, MqttClient } from 'mqtt'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import {
  createRealtimeClient,
  normalizeEntityType,
  realtimeClientId,
  type RealtimeState
} from './realtime'

const KEY = 'k'.repeat(24) + 's'.repeat(48)
const STORE = 'store0000000000000000001'

/** A scripted stand-in for an mqtt.js client: the test decides what the "broker" answers. */
class FakeClient extends EventEmitter {
  subscribed: string[] = []
  ended = false
  grant: number = 0
  subscribe(
    topics: string[],
    _o: unknown,
    cb: (err: Error | null, granted?: Array<{ topic: string; qos: number }>) => void
  ): void {
    this.subscribed = topics
    queueMicrotask(() =>
      cb(
        null,
        topics.map((topic) => ({ topic, qos: this.grant }))
      )
    )
  }
  publish(): never {
    throw new Error('the realtime client must never publish')
  }
  end(_force?: boolean, _o?: unknown, cb?: () => void): void {
    this.ended = true
    cb?.()
  }
}

let made: Array<{ url: string; options: IClientOptions; client: FakeClient }>
const connect = (url: string, options: IClientOptions): MqttClient => {
  const client = new FakeClient()
  made.push({ url, options, client })
  return client as unknown as MqttClient
}

beforeEach(() => {
  made = []
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await Promise.resolve()
}

describe('realtime client', () => {
  it('connects as Printago documents: store id, key, apiclient_<keyId>_…, MQTT 3.1.1, keepalive 60', async () => {
    const rt = createRealtimeClient({
      url: 'wss://broker/mqtt',
      storeId: STORE,
      apiKey: KEY,
      connect
    })
    rt.start()
    const { url, options, client } = made[0]!
    expect(url).toBe('wss://broker/mqtt')
    expect(options).toMatchObject({
      username: STORE,
      password: KEY,
      protocolVersion: 4,
      keepalive: 60,
      clean: true,
      reconnectPeriod: 0
    })
    expect(options.clientId).toMatch(new RegExp(`^apiclient_${'k'.repeat(24)}_[0-9a-f]{12}$`))
    expect(realtimeClientId(KEY, 'x')).toBe(`apiclient_${'k'.repeat(24)}_x`)
    client.emit('connect')
    await flush()
    expect(client.subscribed).toEqual([
      `stores/${STORE}/entities/#`,
      `stores/${STORE}/printer-stats/#`
    ])
    expect(rt.state).toBe('connected')
    await rt.close()
    expect(client.ended).toBe(true)
    expect(rt.state).toBe('closed')
  })

  it('backs off exponentially (capped) after drops and resets after a good connection', async () => {
    const states: RealtimeState[] = []
    const rt = createRealtimeClient({
      url: 'mqtt://b',
      storeId: STORE,
      apiKey: KEY,
      connect,
      random: () => 1,
      baseBackoffMs: 1000,
      maxBackoffMs: 8000
    })
    rt.onState((s) => states.push(s))
    rt.start()
    const delays: number[] = []
    for (let i = 0; i < 6; i++) {
      made
        .at(-1)!
        .client.emit(
          'error',
          Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })
        )
      made.at(-1)!.client.emit('close')
      const before = made.length
      let waited = 0
      while (made.length === before) {
        await vi.advanceTimersByTimeAsync(250)
        waited += 250
      }
      delays.push(waited)
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 8000, 8000])
    expect(rt.lastError).toMatch(/ECONNREFUSED/)
    // A good connection resets the back-off.
    made.at(-1)!.client.emit('connect')
    await flush()
    expect(rt.state).toBe('connected')
    made.at(-1)!.client.emit('close')
    const before = made.length
    await vi.advanceTimersByTimeAsync(1000)
    expect(made.length).toBe(before + 1)
    expect(states).toContain('reconnecting')
    expect(rt.stats.connects).toBe(1)
    await rt.close()
  })

  it('waits long after a refusal (bad key or client id, or a refused subscription)', async () => {
    const rt = createRealtimeClient({
      url: 'mqtt://b',
      storeId: STORE,
      apiKey: KEY,
      connect,
      refusedBackoffMs: 300_000
    })
    rt.start()
    made[0]!.client.emit(
      'error',
      Object.assign(new Error('Connection refused: Bad username or password'), { code: 4 })
    )
    made[0]!.client.emit('close')
    expect(rt.state).toBe('refused')
    await vi.advanceTimersByTimeAsync(299_000)
    expect(made).toHaveLength(1)
    await vi.advanceTimersByTimeAsync(1000)
    expect(made).toHaveLength(2)
    // The broker accepts the connection but refuses the subscription (ACL).
    made[1]!.client.grant = 128
    made[1]!.client.emit('connect')
    await flush()
    expect(rt.state).toBe('refused')
    expect(rt.lastError).toMatch(/refused the subscription/)
    expect(made[1]!.client.ended).toBe(true)
    await rt.close()
  })

  it('counts and ignores bad messages, passes good ones on', async () => {
    const rt = createRealtimeClient({ url: 'mqtt://b', storeId: STORE, apiKey: KEY, connect })
    const got: string[] = []
    rt.onMessage((m) =>
      got.push(m.kind === 'entity' ? `${m.entityType}:${m.action}` : `stats:${m.percent}`)
    )
    rt.onMessage(() => {
      throw new Error('a buggy listener')
    })
    rt.start()
    const c = made[0]!.client
    c.emit('connect')
    await flush()
    const t = `stores/${STORE}/entities/print-jobs`
    c.emit('message', t, Buffer.from('{bad'))
    c.emit(
      'message',
      t,
      Buffer.from('{"entityType":"printJob","action":"DELETE","entities":{"j":{"id":"j"}}}')
    )
    c.emit(
      'message',
      `stores/${STORE}/printer-stats/p1`,
      Buffer.from('{"data":{"print":{"percent":150}}}')
    )
    c.emit('message', `stores/${STORE}/other/x`, Buffer.from('{}'))
    expect(got).toEqual(['printJob:DELETE', 'stats:100'])
    expect(rt.stats).toMatchObject({ received: 4, handled: 2, ignored: 2 })
    expect(rt.state).toBe('connected')
    await rt.close()
  })

  it('normalises entity type spellings', () => {
    expect(normalizeEntityType('printJob')).toBe('printJob')
    expect(normalizeEntityType('print-jobs')).toBe('printJob')
    expect(normalizeEntityType('print_job')).toBe('printJob')
    expect(normalizeEntityType('PartBuilds')).toBe('partBuild')
    expect(normalizeEntityType('printers')).toBe('printer')
    expect(normalizeEntityType('printer-stats')).toBeNull()
    expect(normalizeEntityType('orders')).toBeNull()
  })
})
