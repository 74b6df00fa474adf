import { describe, expect, it } from 'vitest'

import type { HistoryEntry, JobCopy } from '../../shared/history'
import { historyEntry } from '../../test-support/history-entries'
import { createFinishedJobs, notificationText, shouldNotify } from './sync-notify'

describe('notifications', () => {
  const copy = (status: string): JobCopy => ({
    printJobId: 'j1',
    status,
    printerId: 'p1',
    printerName: 'P1S #1',
    updatedAt: '2026-01-01T00:00:00.000Z'
  })

  it('shouldNotify: only completed/failed transitions, and only when enabled', () => {
    const on = { notifications: true }
    expect(shouldNotify(copy('printing'), copy('completed'), on)).toBe(true)
    expect(shouldNotify(copy('printing'), copy('failed'), on)).toBe(true)
    expect(shouldNotify(undefined, copy('completed'), on)).toBe(true)
    expect(shouldNotify(copy('completed'), copy('completed'), on)).toBe(false)
    expect(shouldNotify(copy('pending'), copy('cancelled'), on)).toBe(false)
    expect(shouldNotify(copy('pending'), copy('printing'), on)).toBe(false)
    expect(shouldNotify(copy('printing'), copy('completed'), { notifications: false })).toBe(false)
    expect(
      shouldNotify(copy('printing'), { ...copy('completed'), deletedOnServer: true }, on)
    ).toBe(false)
  })

  it('notificationText names the file, the copy and the printer', () => {
    const entry = {
      label: 'Benchy',
      fileName: 'benchy.stl',
      copies: [
        copy('completed'),
        { ...copy('failed'), printJobId: 'j2', errorMessage: 'Spaghetti' }
      ]
    } as HistoryEntry
    expect(notificationText(entry, entry.copies[0]!)).toEqual({
      title: 'Printed: Benchy',
      body: 'Copy 1 of 2 on P1S #1 finished.'
    })
    expect(notificationText(entry, entry.copies[1]!)).toEqual({
      title: 'Print failed: Benchy',
      body: 'Copy 2 of 2 on P1S #1 failed: Spaghetti'
    })
  })
})

describe('finished jobs', () => {
  const copy = (status: string): JobCopy => ({
    printJobId: 'j1',
    status,
    printerId: 'p1',
    updatedAt: '2026-01-01T00:00:00.000Z'
  })
  const entry = (status: string): HistoryEntry => historyEntry({ copies: [copy(status)] })

  it('tells the listeners about completed and failed copies, with the entry as it is now', () => {
    const now = entry('completed')
    let notifications = true
    const jobs = createFinishedJobs({
      store: { get: (id) => (id === now.id ? now : undefined) },
      settings: () => ({ notifications })
    })
    const heard: string[] = []
    jobs.onJobFinished((e, c) => heard.push(`${e.status}:${c.status}`))
    jobs.onJobFinished(() => {
      throw new Error('a failing listener does not stop the others')
    })
    const step = [
      { entry: entry('printing'), prev: copy('printing'), copy: copy('completed') },
      { entry: entry('printing'), prev: copy('completed'), copy: copy('completed') }
    ]
    jobs.dispatch(step)
    expect(heard).toEqual(['printed:completed'])
    notifications = false
    jobs.dispatch(step)
    expect(heard).toHaveLength(1)
    notifications = true
    jobs.clear()
    jobs.dispatch(step)
    expect(heard).toHaveLength(1)
  })
})
