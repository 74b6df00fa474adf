import { EventEmitter } from 'node:events'
import { connect, type IClientOptions, type MqttClient } from 'mqtt'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { waitFor } from '../test-support/wait'
import { DEMO_API_KEY, DEMO_LIMITED_API_KEY, DEMO_STORE_ID } from './fleet'
import { startMqttBroker, topicAllowed, type MqttBroker } from './mqtt-broker'
import type { SandboxEventMap } from './types'

const KEY_ID = DEMO_API_KEY.slice(0, 24)

let events: EventEmitter<SandboxEventMap>
let broker: MqttBroker
const clients: MqttClient[] = []

beforeEach(async () => {
  events = new EventEmitter<SandboxEventMap>()
  broker = await startMqttBroker({
    storeId: DEMO_STORE_ID,
    apiKey: DEMO_API_KEY,
    limitedApiKey: DEMO_LIMITED_API_KEY,
    events
  })
})
afterEach(async () => {
  for (const c of clients.splice(0)) c.end(true)
  await broker.close()
})

function open(url: string, over: Partial<IClientOptions> = {}): MqttClient {
  const c = connect(url, {
    clientId: `apiclient_${KEY_ID}_test${clients.length}`,
    username: DEMO_STORE_ID,
    password: DEMO_API_KEY,
    protocolVersion: 4,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...over
  })
  clients.push(c)
  return c
}

/** Resolves with 0 on CONNACK accepted, or the refusal's return code. */
function outcome(c: MqttClient): Promise<number> {
  return new Promise((resolve) => {
    c.once('connect', () => resolve(0))
    c.once('error', (e) => resolve(Number((e as { code?: number }).code ?? -1)))
  })
}

/** The granted QoS, or 128 when refused (mqtt.js 5 reports a 0x80 grant as an error). */
function subscribe(c: MqttClient, topic: string): Promise<number> {
  return new Promise((resolve) => {
    c.subscribe(topic, { qos: 0 }, (err, granted) => {
      resolve(err ? 128 : (granted?.[0]?.qos ?? -1))
    })
  })
}

describe('sandbox MQTT broker', () => {
  it('accepts the right credentials over WebSocket and TCP, with the full and the limited key', async () => {
    expect(broker.wsUrl).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/mqtt$/)
    expect(await outcome(open(broker.wsUrl))).toBe(0)
    expect(await outcome(open(broker.tcpUrl))).toBe(0)
    const limited = open(broker.wsUrl, {
      password: DEMO_LIMITED_API_KEY,
      clientId: `apiclient_${DEMO_LIMITED_API_KEY.slice(0, 24)}_x`
    })
    expect(await outcome(limited)).toBe(0)
    expect(broker.clientCount()).toBe(3)
  })

  it('refuses a wrong password, a wrong username and a wrong client id', async () => {
    expect(await outcome(open(broker.wsUrl, { password: 'x'.repeat(72) }))).toBe(4)
    expect(await outcome(open(broker.tcpUrl, { username: 'another0store0id00000000' }))).toBe(4)
    expect(await outcome(open(broker.wsUrl, { clientId: `client_${KEY_ID}_x` }))).toBe(2)
    // The pre-2026 form with the store id, and a bare prefix without suffix, are refused too.
    expect(await outcome(open(broker.wsUrl, { clientId: `apiclient_${DEMO_STORE_ID}_x` }))).toBe(2)
    expect(await outcome(open(broker.wsUrl, { clientId: `apiclient_${KEY_ID}_` }))).toBe(2)
    // The limited key's client id must carry the limited key's id.
    const mixed = open(broker.wsUrl, { password: DEMO_LIMITED_API_KEY })
    expect(await outcome(mixed)).toBe(2)
    expect(broker.clientCount()).toBe(0)
  })

  it("limits subscriptions to the store's own topics", async () => {
    const c = open(broker.wsUrl)
    await outcome(c)
    expect(await subscribe(c, `stores/${DEMO_STORE_ID}/entities/#`)).toBe(0)
    expect(await subscribe(c, 'stores/another0store0id00000000/entities/#')).toBe(128)
    expect(await subscribe(c, 'stores/+/entities/#')).toBe(128)
    expect(await subscribe(c, '#')).toBe(128)
    expect(topicAllowed(`stores/${DEMO_STORE_ID}/printer-stats/p1`, DEMO_STORE_ID)).toBe(true)
    expect(topicAllowed(`stores/${DEMO_STORE_ID}`, DEMO_STORE_ID)).toBe(false)
  })

  it('publishes entity events as plural kebab topics with the envelope, not retained', async () => {
    const c = open(broker.wsUrl)
    await outcome(c)
    await subscribe(c, `stores/${DEMO_STORE_ID}/entities/#`)
    const got = new Promise<{ topic: string; body: unknown; retain: boolean }>((resolve) =>
      c.once('message', (topic, payload, packet) =>
        resolve({ topic, body: JSON.parse(payload.toString()), retain: packet.retain })
      )
    )
    events.emit('entity', {
      entityType: 'printJob',
      action: 'UPDATE',
      entities: { j1: { id: 'j1', status: 'printing' } as never },
      changes: { j1: { status: 'printing' } }
    })
    const m = await got
    expect(m.topic).toBe(`stores/${DEMO_STORE_ID}/entities/print-jobs`)
    expect(m.retain).toBe(false)
    expect(m.body).toEqual({
      entityType: 'printJob',
      action: 'UPDATE',
      entities: { j1: { id: 'j1', status: 'printing' } },
      changes: { j1: { status: 'printing' } }
    })
    expect(broker.published()).toBe(1)
  })

  it('disconnects a client that publishes, and forwards nothing', async () => {
    const listener = open(broker.tcpUrl, { clientId: `apiclient_${KEY_ID}_listener` })
    await outcome(listener)
    await subscribe(listener, `stores/${DEMO_STORE_ID}/entities/#`)
    const delivered: string[] = []
    listener.on('message', (topic) => delivered.push(topic))
    const talker = open(broker.wsUrl)
    await outcome(talker)
    const closed = new Promise<void>((resolve) => talker.once('close', () => resolve()))
    talker.publish(`stores/${DEMO_STORE_ID}/entities/print-jobs`, '{"entityType":"printJob"}')
    await closed
    // A barrier instead of a pause: the broker's own next message. The listener gets messages in
    // order, so had the talker's been forwarded it would be there first.
    events.emit('entity', { entityType: 'printer', action: 'UPDATE', entities: {} })
    await waitFor(() => delivered.length > 0, 5000, 'the broker event')
    expect(delivered).toEqual([`stores/${DEMO_STORE_ID}/entities/printers`])
  })

  it('closes cleanly with clients connected', async () => {
    const c = open(broker.wsUrl)
    await outcome(c)
    const closed = new Promise<void>((resolve) => c.once('close', () => resolve()))
    await broker.close()
    await closed
    expect(broker.clientCount()).toBe(0)
  })
})
