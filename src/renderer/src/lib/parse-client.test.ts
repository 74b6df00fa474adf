// The parse client over a stand-in worker: the triangles reach the caller before the report,
// requests are matched by id, and a crashed worker fails what was in flight instead of hanging.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'

import type { ParseRequest, ParseResponse } from './parse-protocol'

class FakeWorker {
  static last: FakeWorker | null = null
  static created = 0
  onmessage: ((e: { data: ParseResponse }) => void) | null = null
  onerror: ((e: { message: string }) => void) | null = null
  readonly sent: ParseRequest[] = []
  constructor() {
    FakeWorker.last = this
    FakeWorker.created++
  }
  postMessage(req: ParseRequest): void {
    this.sent.push(req)
  }
  reply(data: ParseResponse): void {
    this.onmessage?.({ data })
  }
}

const bbox = {
  min: [0, 0, 0] as [number, number, number],
  max: [1, 1, 1] as [number, number, number]
}

async function client(): Promise<typeof import('./parse-client')> {
  vi.resetModules()
  return import('./parse-client')
}

beforeEach(() => {
  FakeWorker.last = null
  FakeWorker.created = 0
  vi.stubGlobal('Worker', FakeWorker)
})
afterEach(() => vi.unstubAllGlobals())

describe('parseInWorker', () => {
  it('hands over the triangles first, then resolves with the report', async () => {
    const { parseInWorker } = await client()
    const seen: string[] = []
    const done = parseInWorker(new Blob(['x']), {
      onMesh: (m) => seen.push(`mesh ${m.triangles} ${m.positions.length}`)
    }).then((r) => seen.push(`done ${r.ok}`))
    const w = FakeWorker.last!
    const { id, thumbnailSize } = w.sent[0]!
    expect(thumbnailSize).toBe(96)
    w.reply({ id, type: 'mesh', positions: new Float32Array(9), bbox, triangles: 1 })
    expect(seen).toEqual(['mesh 1 9'])
    w.reply({
      id,
      type: 'done',
      ok: false,
      error: { code: 'unreadable', message: 'x' }
    })
    await done
    expect(seen).toEqual(['mesh 1 9', 'done false'])
  })

  it('matches answers to requests by id', async () => {
    const { parseInWorker } = await client()
    const a = parseInWorker(new Blob(['a']))
    const b = parseInWorker(new Blob(['b']))
    const w = FakeWorker.last!
    const [ra, rb] = w.sent
    const err = (id: number, message: string): ParseResponse => ({
      id,
      type: 'done',
      ok: false,
      error: { code: 'unreadable', message }
    })
    w.reply(err(rb!.id, 'second'))
    w.reply(err(ra!.id, 'first'))
    expect(await a).toMatchObject({ error: { message: 'first' } })
    expect(await b).toMatchObject({ error: { message: 'second' } })
  })

  it('a crashed worker fails every file in flight, and the next file gets a new worker', async () => {
    const { parseInWorker } = await client()
    const a = parseInWorker(new Blob(['a']))
    FakeWorker.last!.onerror?.({ message: 'out of memory' })
    expect(await a).toMatchObject({
      ok: false,
      error: { code: 'unreadable', message: 'The parser stopped: out of memory' }
    })
    void parseInWorker(new Blob(['b']))
    expect(FakeWorker.created).toBe(2)
  })

  it('warmParser starts the one worker ahead of the first file', async () => {
    const { parseInWorker, warmParser } = await client()
    warmParser()
    expect(FakeWorker.created).toBe(1)
    void parseInWorker(new Blob(['a']))
    expect(FakeWorker.created).toBe(1)
  })
})
