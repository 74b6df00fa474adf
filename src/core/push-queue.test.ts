import { describe, expect, it } from 'vitest'

import type { EventName, Events } from '../shared/ipc'
import { createPushQueue } from './push-queue'

function recorder(): {
  delivered: Array<[EventName, unknown]>
  deliver: <E extends EventName>(event: E, payload: Events[E]) => void
} {
  const delivered: Array<[EventName, unknown]> = []
  return { delivered, deliver: (event, payload) => void delivered.push([event, payload]) }
}

const progress = (index: number): Events['send:progress'] => ({
  jobId: 'j',
  index,
  path: `/m/${index}.stl`,
  step: 'uploading'
})
const printers = (fetchedAt: number): Events['printers:changed'] => ({ printers: [], fetchedAt })

describe('push queue', () => {
  it('holds pushes until the renderer is ready, then delivers them in order', () => {
    const r = recorder()
    const q = createPushQueue(r.deliver)
    q.push('send:progress', progress(0))
    q.push('send:finished', { jobId: 'j', files: [] })
    expect(r.delivered).toEqual([])
    expect(q.size).toBe(2)
    q.ready()
    expect(r.delivered.map(([e]) => e)).toEqual(['send:progress', 'send:finished'])
    expect(q.size).toBe(0)
    q.push('send:progress', progress(1))
    expect(r.delivered).toHaveLength(3)
  })

  it('keeps only the latest state snapshot, at its place in the order', () => {
    const r = recorder()
    const q = createPushQueue(r.deliver)
    q.push('printers:changed', printers(1))
    q.push('send:progress', progress(0))
    q.push('printers:changed', printers(2))
    q.push('history:open', { entryId: 'a' })
    q.push('history:open', { entryId: 'b' })
    q.ready()
    expect(r.delivered).toEqual([
      ['send:progress', progress(0)],
      ['printers:changed', printers(2)],
      ['history:open', { entryId: 'b' }]
    ])
  })

  it('is bounded: past the limit the oldest progress goes, every send:finished stays', () => {
    const r = recorder()
    const q = createPushQueue(r.deliver, { limit: 5 })
    q.push('send:finished', { jobId: 'first', files: [] })
    for (let i = 0; i < 100; i++) q.push('send:progress', progress(i))
    q.push('send:finished', { jobId: 'last', files: [] })
    expect(q.size).toBe(5)
    expect(q.dropped).toBe(97)
    q.ready()
    expect(r.delivered).toEqual([
      ['send:finished', { jobId: 'first', files: [] }],
      ['send:progress', progress(97)],
      ['send:progress', progress(98)],
      ['send:progress', progress(99)],
      ['send:finished', { jobId: 'last', files: [] }]
    ])
  })

  it('queues again after a pause (a reload) until the new page is ready', () => {
    const r = recorder()
    const q = createPushQueue(r.deliver)
    q.ready()
    q.pause()
    expect(q.isReady).toBe(false)
    q.push('store:changed', {
      kind: 'none',
      name: 'No store',
      storeId: null,
      keyMasked: null,
      baseUrl: null
    })
    expect(r.delivered).toEqual([])
    q.ready()
    expect(r.delivered.map(([e]) => e)).toEqual(['store:changed'])
  })
})
