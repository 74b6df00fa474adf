import { describe, expect, it } from 'vitest'

import type { PrinterSummary } from '../../shared/ipc'
import { historyCopy, historyEntry } from '../../test-support/history-entries'
import { bedWaits, bedWaitText, createBedWaitWatcher } from './bed-wait'

const printer = (
  id: string,
  state: PrinterSummary['state'],
  tags: string[] = []
): PrinterSummary => ({
  id,
  name: id.toUpperCase(),
  model: 'P1S',
  state,
  online: true,
  available: true,
  ready: state === 'ready',
  enabled: true,
  tags,
  printingJobId: null
})

describe('waiting for a bed clear', () => {
  const pending = [historyCopy('pending', { printJobId: 'j1' })]

  it('a queued copy waits for a bed when no printer it may go to is ready', () => {
    const toP2 = historyEntry({ routing: { mode: 'printer', printerId: 'p2' }, copies: pending })
    const fleet = [printer('p1', 'ready'), printer('p2', 'waiting-bed-clear')]
    expect(bedWaits([toP2], fleet).map((w) => w.printers.map((p) => p.id))).toEqual([['p2']])
    // Any printer: p1 is ready, so nothing waits for a bed.
    const any = historyEntry({ routing: { mode: 'any' }, copies: pending })
    expect(bedWaits([any], fleet)).toEqual([])
    // Tags: only printers carrying all of them count.
    const tags = historyEntry({ routing: { mode: 'tags', tags: ['PETG'] }, copies: pending })
    const tagged = [printer('p1', 'ready', ['PLA']), printer('p2', 'waiting-bed-clear', ['PETG'])]
    expect(bedWaits([tags], tagged)).toHaveLength(1)
    // Printing or offline ones: waiting, but not for a bed.
    expect(bedWaits([toP2], [printer('p2', 'printing')])).toEqual([])
    // Nothing queued: nothing waits.
    const done = historyEntry({
      routing: { mode: 'printer', printerId: 'p2' },
      copies: [historyCopy('completed')]
    })
    expect(bedWaits([done], fleet)).toEqual([])
  })

  it('tells once per wait, again after the entry waited anew', () => {
    const told: string[] = []
    const w = createBedWaitWatcher({ notify: (x) => told.push(bedWaitText(x).body) })
    const e = historyEntry({
      label: 'Order 7',
      routing: { mode: 'printer', printerId: 'p2' },
      copies: [...pending, historyCopy('pending', { printJobId: 'j2' })]
    })
    const waiting = [printer('p2', 'waiting-bed-clear')]
    w.check([e], waiting)
    w.check([e], waiting)
    expect(told).toEqual(['2 copies will start once the bed of P2 is cleared.'])
    w.check([e], [printer('p2', 'printing')])
    w.check([e], waiting)
    expect(told).toHaveLength(2)
    expect(bedWaitText(bedWaits([e], waiting)[0]!).title).toBe('Waiting for a bed clear: Order 7')
  })
})
