// Realtime, as a client sees it over MQTT: printer telemetry on printer-stats (full messages on
// state changes, sparse progress while printing), partial entity payloads, printer DELETE events.
import { connect, type MqttClient } from 'mqtt'
import { afterEach, describe, expect, it } from 'vitest'
import type { LegacyPrinterStat } from '../shared/printago/api-types'
import { waitFor } from '../test-support/wait'
import { schemaValidator } from './spec'
import { build, call, makePart, PRINTER, sandbox } from './testing/test-utils'
import type { TestSandbox } from './testing'
import { createVirtualClock } from './testing/virtual-clock'
import type { PrinterStatMessage } from './types'

let sb: TestSandbox
const clients: MqttClient[] = []
afterEach(async () => {
  for (const c of clients.splice(0)) c.end(true)
  await sb?.close()
})

/** Connects and subscribes; resolves once the subscription is granted. */
async function listen(topic: string): Promise<{ topic: string; json: unknown }[]> {
  const got: { topic: string; json: unknown }[] = []
  const c = connect(sb.mqttTcpUrl!, {
    clientId: `apiclient_${sb.apiKey.slice(0, 24)}_t${clients.length}`,
    username: sb.storeId,
    password: sb.apiKey,
    protocolVersion: 4,
    reconnectPeriod: 0
  })
  clients.push(c)
  c.on('message', (t, payload) => got.push({ topic: t, json: JSON.parse(payload.toString()) }))
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () =>
      c.subscribe(topic, { qos: 0 }, (err) => (err ? reject(err) : resolve()))
    )
    c.once('error', reject)
  })
  return got
}

const isFull = (m: PrinterStatMessage): m is LegacyPrinterStat => 'state' in m

describe('printer-stats', () => {
  it('full messages on state changes, sparse progress while printing, on the virtual clock', async () => {
    const clock = createVirtualClock()
    sb = await sandbox({ clock, speed: 1 })
    const topic = `stores/${sb.storeId}/printer-stats/${PRINTER.h2d}`
    const got = await listen(`stores/${sb.storeId}/printer-stats/#`)
    const stats = (): PrinterStatMessage[] =>
      got.filter((m) => m.topic === topic).map((m) => m.json as PrinterStatMessage)
    const states = (): (string | null)[] =>
      stats()
        .filter(isFull)
        .map((m) => m.state)

    const part = await makePart(sb)
    const pb = await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })
    const job = [...sb.state.printJobs.values()].find((j) => j.partBuildId === pb.id)!
    clock.advance(100)
    await waitFor(() => states().includes('PREPARE'), 5000, 'PREPARE')
    clock.advance(2_000 + 5_000 + 3_000) // assigned, slicing, sending
    expect(job.status).toBe('printing')
    await waitFor(() => states().includes('PRINTING'), 5000, 'PRINTING')
    for (let i = 0; i < 4; i++) clock.advance(3_000)
    await waitFor(() => stats().filter((m) => !isFull(m)).length >= 3, 5000, 'progress messages')
    const progress = stats().filter((m) => !isFull(m))
    const percents = progress.map((m) => m.data.print?.percent ?? -1)
    expect(percents).toEqual([...percents].sort((a, b) => a - b))
    expect(percents.at(-1)).toBeGreaterThan(20)
    expect(progress.at(-1)!.data.print).toMatchObject({
      totalLayers: expect.any(Number),
      currentLayer: expect.any(Number),
      timeRemaining: expect.any(Number),
      stage: 'printing'
    })

    await call(sb, 'PATCH', '/v1/print-jobs/pause', { printJobIds: [job.id] })
    await waitFor(() => states().includes('PAUSE'), 5000, 'PAUSE')
    const pausedAt = percents.at(-1)!
    clock.advance(60_000)
    expect(job.status).toBe('paused') // no progress while paused
    await call(sb, 'PATCH', '/v1/print-jobs/resume', { printJobIds: [job.id] })
    clock.advance(60_000)
    expect(job.status).toBe('completed')
    await waitFor(() => states().at(-1) === 'FINISH', 5000, 'FINISH')
    const finish = stats().filter(isFull).at(-1)!
    expect(finish.data.health?.infos).toEqual([
      expect.objectContaining({ code: 'BED_NOT_CLEARED' })
    ])
    expect(pausedAt).toBeLessThan(100)

    const v = schemaValidator('LegacyPrinterStat')
    for (const m of stats().filter(isFull)) expect(v(m), JSON.stringify(v.errors)).toBe(true)
    sb.setSpeed(0)
  })

  it('an offline printer reports isOnline false and no state; maintenance is a warning', async () => {
    sb = await sandbox()
    const got = await listen(`stores/${sb.storeId}/printer-stats/#`)
    sb.updatePrinter(PRINTER.a1, { isOnline: false })
    await call(sb, 'PATCH', '/v1/maintenance/mode', { printerIds: [PRINTER.h2d], enabled: true })
    await waitFor(() => got.length >= 2, 5000, 'two messages')
    const [offline, maintenance] = got.map((m) => m.json as LegacyPrinterStat)
    expect(offline).toMatchObject({ printerId: PRINTER.a1, isOnline: false, state: null })
    expect(maintenance).toMatchObject({ printerId: PRINTER.h2d, state: 'IDLE' })
    expect(maintenance!.data.health?.warnings).toEqual([
      expect.objectContaining({ code: 'MAINTENANCE' })
    ])
  })
})

describe('entity messages', () => {
  it("mqttEntityPayloads 'changes': UPDATE rows carry only the changed fields", async () => {
    sb = await sandbox({ mqttEntityPayloads: 'changes' })
    const got = await listen(`stores/${sb.storeId}/entities/printers`)
    sb.updatePrinter(PRINTER.a1, { name: 'A1 renamed' })
    await waitFor(() => got.length >= 1, 5000, 'an UPDATE')
    const msg = got[0]!.json as {
      entities: Record<string, Record<string, unknown>>
      changes: unknown
    }
    expect(Object.keys(msg.entities[PRINTER.a1]!).sort()).toEqual(['id', 'name', 'updatedAt'])
    expect(msg.changes).toEqual({
      [PRINTER.a1]: { name: 'A1 renamed', updatedAt: expect.any(String) }
    })
  })

  it("'mixed' alternates full and partial rows; 'full' (default) sends whole rows", async () => {
    sb = await sandbox({ mqttEntityPayloads: 'mixed' })
    const got = await listen(`stores/${sb.storeId}/entities/printers`)
    sb.updatePrinter(PRINTER.a1, { name: 'one' })
    sb.updatePrinter(PRINTER.a1, { name: 'two' })
    await waitFor(() => got.length >= 2, 5000, 'two UPDATEs')
    const sizes = got.map(
      (m) =>
        Object.keys((m.json as { entities: Record<string, object> }).entities[PRINTER.a1]!).length
    )
    expect(sizes[0]).toBeGreaterThan(20)
    expect(sizes[1]).toBe(3)
  })

  it('a deleted printer is a DELETE message on entities/printers', async () => {
    sb = await sandbox()
    const got = await listen(`stores/${sb.storeId}/entities/printers`)
    await call(sb, 'DELETE', `/v1/printers/${PRINTER.voron}`)
    await waitFor(() => got.length >= 1, 5000, 'a DELETE')
    expect(got[0]!.json).toMatchObject({
      entityType: 'printer',
      action: 'DELETE',
      entities: { [PRINTER.voron]: { id: PRINTER.voron } }
    })
  })
})
