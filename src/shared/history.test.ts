import { describe, expect, it } from 'vitest'

import { copyStatusOf, overallStatus, type JobCopy } from './history'

type Copy = Pick<JobCopy, 'status' | 'deletedOnServer'>
const live = (status: string): Copy => ({ status })
const deleted = (status: string): Copy => ({ status, deletedOnServer: true })

describe('copies deleted in Printago', () => {
  it('an open copy deleted on the server counts as cancelled', () => {
    expect(copyStatusOf(deleted('pending'))).toBe('cancelled')
    expect(copyStatusOf(deleted('printing'))).toBe('cancelled')
    expect(copyStatusOf(deleted('some-future-state'))).toBe('cancelled')
    expect(copyStatusOf(live('pending'))).toBe('queued')
  })

  it('a copy that had finished keeps its final status when deleted afterwards', () => {
    expect(copyStatusOf(deleted('completed'))).toBe('printed')
    expect(copyStatusOf(deleted('failed'))).toBe('failed')
    expect(copyStatusOf(deleted('cancelled'))).toBe('cancelled')
  })

  it('an entry is not reported queued or in progress forever because of deleted copies', () => {
    expect(overallStatus([deleted('pending')])).toBe('cancelled')
    expect(overallStatus([deleted('printing'), deleted('pending')])).toBe('cancelled')
    expect(overallStatus([live('completed'), deleted('pending')])).toBe('printed')
    expect(overallStatus([deleted('completed')])).toBe('printed')
    expect(overallStatus([live('failed'), deleted('pending')])).toBe('failed')
    // Copies still alive keep the entry open.
    expect(overallStatus([live('pending'), deleted('pending')])).toBe('queued')
    expect(overallStatus([live('printing'), deleted('pending')])).toBe('in-progress')
    // Without the flag nothing changes.
    expect(overallStatus([live('pending')])).toBe('queued')
    expect(overallStatus([])).toBe('queued')
  })
})
