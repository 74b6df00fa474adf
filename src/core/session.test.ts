// The store session on its own, over real HTTP against the sandbox: its lifecycle, one send
// service per journal folder in this process, the rate-limit log it persists, and the session
// owner's ordering of opens and closes.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { sandbox as startTestSandbox } from '../sandbox/testing/test-utils'
import type { TestSandbox } from '../sandbox/testing'
import { writeStl } from '../test-support/stl'
import { tempDir } from '../test-support/temp'
import { nodeConfFactory } from './history/store'
import { createPrintagoClient, type PrintagoClient } from './printago/client'
import { createManualClock } from './infra/clock'
import { openStoreSession, SessionClosedError, type StoreSession } from './session'
import { createSessionOwner } from './session-owner'
import { leaseSendService, sendServiceCounts, SendServiceBusyError } from './session-senders'

let sb: TestSandbox
let dir: string
let cleanup: () => Promise<void>
const open: StoreSession[] = []

beforeEach(async () => {
  sb = await startTestSandbox()
  ;({ dir, cleanup } = await tempDir('session-'))
})
afterEach(async () => {
  for (const s of open.splice(0)) await s.close()
  await sb.close()
  await cleanup()
})

async function session(
  over: Partial<Parameters<typeof openStoreSession>[0]> = {}
): Promise<StoreSession> {
  const s = await openStoreSession({
    dir: join(dir, 'store'),
    storeId: sb.storeId,
    baseUrl: sb.url,
    apiKey: sb.apiKey,
    createConf: nodeConfFactory,
    historyWriteDelayMs: 0,
    ...over
  })
  open.push(s)
  return s
}

describe('store session', () => {
  it('goes open → closing → closed once; a closed session refuses work', async () => {
    const s = await session()
    expect(s.state).toBe('open')
    await s.sender()
    const closing = s.close()
    expect(s.state).toBe('closing')
    expect(s.close()).toBe(closing)
    await expect(s.sender()).rejects.toBeInstanceOf(SessionClosedError)
    await closing
    expect(s.state).toBe('closed')
    await expect(
      s.send({ items: [{ path: '/x.stl', quantity: 1 }], routing: { mode: 'any' } })
    ).rejects.toBeInstanceOf(SessionClosedError)
    await expect(s.resumePending()).rejects.toBeInstanceOf(SessionClosedError)
    expect(sendServiceCounts(s.dir)).toEqual({ opened: 1, open: 0, maxOpen: 1 })
  })

  it('records a send in the history, and its close waits for the send to finish', async () => {
    const s = await session()
    const file = await writeStl(dir, 'part.stl')
    sb.injectFault({ method: 'PUT', path: /^\/_storage\//, kind: 'delay', delayMs: 200 })
    const sending = s.send({ items: [{ path: file, quantity: 2 }], routing: { mode: 'any' } })
    const closed = s.close()
    const result = await sending
    expect(result.status).toBe('done')
    await closed
    expect(sb.state.partBuilds.size).toBe(1)
    const again = await session()
    expect(again.history.list().map((e) => [e.partBuildId, e.quantity])).toEqual([
      [result.files[0]!.partBuildId, 2]
    ])
  })

  it('a session that only lists printers opens no journal and persists its request log', async () => {
    for (let run = 1; run <= 2; run++) {
      const s = await session()
      await s.printers.list()
      await s.close()
      const saved = JSON.parse(readFileSync(join(s.dir, 'rate-limit.json'), 'utf8')) as {
        log: number[]
      }
      expect(saved.log).toHaveLength(run)
    }
    expect(existsSync(join(dir, 'store', 'journal'))).toBe(false)
  })

  it('keeps the printer list on its clock: cached for 15 s, realtime events merged in', async () => {
    const clock = createManualClock()
    const pushed: number[] = []
    const s = await session({
      clock,
      live: {
        realtimeUrl: null,
        notifications: () => false,
        onHistoryChanged: () => undefined,
        onJobFinished: () => undefined,
        onPrintersChanged: (list) => pushed.push(list.printers.length),
        onResumed: () => undefined
      }
    })
    const listed = await s.printers.list()
    const id = listed.printers[0]!.id
    await clock.advance(14_000)
    expect(await s.printers.list()).toBe(listed)
    s.printers.applyEvent({ [id]: { name: 'Renamed' } })
    expect(s.printers.nameOf(id)).toBe('Renamed')
    expect(pushed).toEqual([listed.printers.length])
    await clock.advance(15_001)
    expect((await s.printers.list()).fetchedAt).toBe(clock.now())
  })
})

describe('send service registry', () => {
  const storeDir = (): string => join(dir, 'store')
  const client = (storeId = sb.storeId): PrintagoClient =>
    createPrintagoClient({ baseUrl: sb.url, apiKey: sb.apiKey, storeId })

  it('two sessions of one store share one service; it closes with the last lease', async () => {
    const a = await session()
    const b = await session()
    expect(await a.sender()).toBe(await b.sender())
    await a.close()
    expect(sendServiceCounts(a.dir)).toEqual({ opened: 1, open: 1, maxOpen: 1 })
    await b.close()
    expect(sendServiceCounts(a.dir)).toEqual({ opened: 1, open: 0, maxOpen: 1 })
  })

  it('a lease taken while the service closes waits for the close, then opens a new one', async () => {
    const steps: string[] = []
    const first = await leaseSendService({
      storeDir: storeDir(),
      client: client(),
      onProgress: (p) => steps.push(p.step)
    })
    const file = await writeStl(dir, 'slow.stl')
    sb.injectFault({ method: 'PUT', path: /^\/_storage\//, kind: 'delay', delayMs: 200 })
    let sent = false
    const sending = first.service.send({
      items: [{ path: file, quantity: 1 }],
      routing: { mode: 'any' }
    })
    void sending.then(() => (sent = true))
    await expect.poll(() => steps.includes('uploading')).toBe(true)
    const releasing = first.release()
    const next = await leaseSendService({ storeDir: storeDir(), client: client() })
    // The new service exists only once the old one has finished its send and closed.
    expect(sent).toBe(true)
    expect(next.service).not.toBe(first.service)
    expect(sendServiceCounts(storeDir())).toEqual({ opened: 2, open: 1, maxOpen: 1 })
    expect((await sending).status).toBe('done')
    await next.release()
    await releasing
    expect(sb.state.partBuilds.size).toBe(1)
  })

  it("refuses another store's service on the same journal folder", async () => {
    const held = await leaseSendService({ storeDir: storeDir(), client: client() })
    await expect(
      leaseSendService({ storeDir: storeDir(), client: client('b'.repeat(24)) })
    ).rejects.toBeInstanceOf(SendServiceBusyError)
    await held.release()
  })
})

describe('session owner', () => {
  it('a call during a close waits for it and never reopens the closing session', async () => {
    const opened: StoreSession[] = []
    let active: string | null = 'store'
    const owner = createSessionOwner(async () => {
      if (!active) return null
      const s = await session()
      opened.push(s)
      return s
    })
    const first = await owner.current()
    expect(first).not.toBeNull()
    const file = await writeStl(dir, 'slow.stl')
    sb.injectFault({ method: 'PUT', path: /^\/_storage\//, kind: 'delay', delayMs: 200 })
    const sending = first!.send({ items: [{ path: file, quantity: 1 }], routing: { mode: 'any' } })
    await first!.sender()
    const replacing = owner.replace(async () => {
      active = null
      return null
    })
    const during = owner.current()
    expect(owner.peek()).toBe(first)
    expect(await during).toBeNull()
    expect(first!.state).toBe('closed')
    expect((await sending).status).toBe('done')
    expect(await replacing).toBeNull()
    expect(opened).toEqual([first])
    // Once active again, the next call opens a new session; after close(), nothing opens.
    active = 'store'
    const second = await owner.current()
    expect(second).not.toBe(first)
    await owner.close()
    expect(second!.state).toBe('closed')
    expect(await owner.current()).toBeNull()
    expect(sb.state.partBuilds.size).toBe(1)
  })
})
