import { describe, expect, it } from 'vitest'

import { isTerminal, jobStatusOf, overallStatus, PRINTAGO_JOB_STATES } from '../../shared/history'
import { isOpenEntry } from './entry'
import { numberedEntry } from './store.test-support'

describe('status mapping', () => {
  it('maps all 13 Printago states to the five UI statuses', () => {
    expect(PRINTAGO_JOB_STATES).toHaveLength(13)
    const mapped = Object.fromEntries(PRINTAGO_JOB_STATES.map((s) => [s, jobStatusOf(s)]))
    expect(mapped).toEqual({
      pending: 'queued',
      assigned: 'in-progress',
      slicing: 'in-progress',
      sliced: 'in-progress',
      finalizing: 'in-progress',
      'waiting-for-approval': 'in-progress',
      'ready-for-printer': 'in-progress',
      'sending-to-printer': 'in-progress',
      printing: 'in-progress',
      paused: 'in-progress',
      completed: 'printed',
      failed: 'failed',
      cancelled: 'cancelled'
    })
    expect(jobStatusOf('some-future-state')).toBe('in-progress')
    expect(PRINTAGO_JOB_STATES.filter(isTerminal)).toEqual(['completed', 'failed', 'cancelled'])
  })

  it('derives the overall status worst-first', () => {
    const s = (...states: string[]): string => overallStatus(states.map((status) => ({ status })))
    expect(s()).toBe('queued')
    expect(s('pending', 'pending')).toBe('queued')
    expect(s('pending', 'printing')).toBe('in-progress')
    expect(s('completed', 'failed', 'printing')).toBe('failed')
    expect(s('completed', 'pending')).toBe('queued')
    expect(s('completed', 'completed')).toBe('printed')
    expect(s('completed', 'cancelled')).toBe('printed')
    expect(s('cancelled', 'cancelled')).toBe('cancelled')
    expect(s('paused')).toBe('in-progress')
  })

  it('knows open entries: open copies, or copies not yet seen', () => {
    const e = numberedEntry(1)
    expect(isOpenEntry(e)).toBe(true)
    expect(isOpenEntry({ ...e, copies: [{ ...e.copies[0]!, status: 'completed' }] })).toBe(false)
    expect(
      isOpenEntry({ ...e, quantity: 2, copies: [{ ...e.copies[0]!, status: 'completed' }] })
    ).toBe(true)
    expect(isOpenEntry({ ...e, copies: [{ ...e.copies[0]!, deletedOnServer: true }] })).toBe(false)
  })
})
