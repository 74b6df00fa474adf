// Deleted copies, entries still waiting for their job ids, stale "Why is it waiting?" answers and
// the list's screen-reader names (history-view.ts).
import { describe, expect, it } from 'vitest'

import { historyCopy, historyEntry } from '../../../test-support/history-entries'
import {
  copyChip,
  deletedNote,
  entryChip,
  noJobsText,
  progressValue,
  rowAccessibleName,
  rowNotes,
  troubleshootKey,
  waitingForJobIds
} from './history-view'

const copy = historyCopy
/** An entry whose status is derived from its copies, as the store does. */
const entry = historyEntry

const now = Date.parse('2026-01-01T00:05:00.000Z')

describe('copies deleted in Printago', () => {
  it('a deleted copy reads "Deleted in Printago", not "Queued"', () => {
    expect(copyChip(copy('pending', { deletedOnServer: true }))).toEqual({
      label: 'Deleted in Printago',
      tone: 'deleted'
    })
    expect(copyChip(copy('pending'))).toEqual({ label: 'Queued', tone: 'queued' })
    expect(copyChip(copy('sending-to-printer'))).toEqual({
      label: 'Sending to printer',
      tone: 'in-progress'
    })
  })

  it('an entry whose jobs were all deleted says so in its chip (status cancelled)', () => {
    const gone = entry({ copies: [copy('pending', { deletedOnServer: true })] })
    expect(gone.status).toBe('cancelled')
    expect(entryChip(gone)).toEqual({ label: 'Deleted in Printago', tone: 'deleted' })
    expect(rowNotes(gone)).toEqual([])
    expect(rowAccessibleName(gone, now)).toBe(
      'gear.stl, Deleted in Printago, 1 copy, sent 5 min ago'
    )
  })

  it('a partly deleted entry keeps its status and notes the deleted copies', () => {
    const part = entry({
      quantity: 2,
      copies: [copy('pending'), copy('pending', { deletedOnServer: true })]
    })
    expect(entryChip(part)).toEqual({ label: 'Queued', tone: 'queued' })
    expect(rowNotes(part)).toEqual(['0/2 printed', '1 of 2 deleted in Printago'])
    // Printed before it was deleted: it was printed.
    const printed = entry({ copies: [copy('completed', { deletedOnServer: true })] })
    expect(entryChip(printed)).toEqual({ label: 'Printed', tone: 'printed' })
    expect(rowNotes(printed)).toEqual(['deleted in Printago'])
  })

  it('the detail explains what deleted copies mean', () => {
    expect(deletedNote(entry({ copies: [copy('pending')] }))).toBeNull()
    expect(
      deletedNote(
        entry({ copies: [copy('pending', { deletedOnServer: true }), copy('completed')] })
      )
    ).toBe(
      '1 of 2 jobs was deleted in Printago before finishing. It will not print and counts as cancelled; “Print again” queues new copies.'
    )
    expect(
      deletedNote(
        entry({
          copies: [
            copy('pending', { deletedOnServer: true }),
            copy('printing', { deletedOnServer: true }),
            copy('completed', { deletedOnServer: true })
          ]
        })
      )
    ).toBe(
      'All 3 jobs were deleted in Printago before finishing. 2 of them will not print and count as cancelled; “Print again” queues new copies.'
    )
    expect(deletedNote(entry({ copies: [copy('completed', { deletedOnServer: true })] }))).toBe(
      'This job was deleted in Printago after finishing; the result shown is the last known.'
    )
  })

  it('a deleted copy adds no progress bar', () => {
    const e = entry({
      quantity: 2,
      copies: [copy('printing', { progress: 50, deletedOnServer: true }), copy('pending')]
    })
    expect(progressValue(e)).toBeNull()
  })
})

describe('entries without job ids', () => {
  it('say they are waiting for job ids instead of just "Queued"', () => {
    const e = entry({ quantity: 3 })
    expect(waitingForJobIds(e)).toBe(true)
    expect(entryChip(e)).toEqual({ label: 'Queued', tone: 'queued' })
    expect(rowNotes(e)).toEqual(['waiting for job ids · 3 copies'])
    expect(rowNotes(entry({}))).toEqual(['waiting for job ids'])
    expect(waitingForJobIds(entry({ copies: [copy('pending')] }))).toBe(false)
  })

  it('explain how the ids are found, and when Printago last listed none', () => {
    expect(noJobsText(entry({}), now)).toBe(
      'Waiting for job ids: Printago creates the print jobs after the build; they are looked up by its part build at the next sync.'
    )
    expect(noJobsText(entry({ syncedAt: now - 120_000 }), now)).toBe(
      'Waiting for job ids: Printago creates the print jobs after the build; it listed none for part build build1 when last checked (2 min ago). Checking again while it is open.'
    )
  })
})

describe('"Why is it waiting?" answers', () => {
  it('go stale when the entry status or the asked job changes', () => {
    const asked = copy('pending')
    const other = copy('pending')
    const e = entry({ quantity: 2, copies: [asked, other] })
    const key = troubleshootKey(e, asked.printJobId)
    // Same state (e.g. a progress tick or a re-render): still current.
    expect(troubleshootKey({ ...e, copies: [{ ...asked }, other] }, asked.printJobId)).toBe(key)
    // The asked job was taken by a printer / printed / deleted: stale.
    for (const next of [
      { ...asked, status: 'assigned' },
      { ...asked, status: 'completed' },
      { ...asked, deletedOnServer: true }
    ]) {
      const changed = entry({ quantity: 2, copies: [next, other] })
      expect(troubleshootKey(changed, asked.printJobId)).not.toBe(key)
    }
    // Another entry selected: never the same key.
    expect(troubleshootKey({ ...e, id: 'e2' }, asked.printJobId)).not.toBe(key)
  })
})
