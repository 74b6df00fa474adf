import { describe, expect, it } from 'vitest'

import type { HistoryEntry, JobCopy } from '../../../shared/history'
import {
  actionable,
  allPrinters,
  filterEntries,
  NO_FILTERS,
  progressText,
  progressValue,
  routingLabel,
  stateLabel
} from './history-view'

const copy = (status: string, over: Partial<JobCopy> = {}): JobCopy => ({
  printJobId: `j-${status}-${Math.random()}`,
  status,
  printerId: null,
  updatedAt: '2026-01-01T00:00:00.000Z',
  ...over
})

function entry(over: Partial<HistoryEntry>): HistoryEntry {
  return {
    id: 'e',
    storeId: 's',
    file: '/m/benchy.stl',
    fileName: 'benchy.stl',
    sha256: 'a'.repeat(64),
    size: 1,
    partId: 'p',
    partBuildId: 'b',
    routing: { mode: 'any' },
    label: 'Benchy',
    quantity: 1,
    priority: 'normal',
    sentAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    status: 'queued',
    copies: [],
    ...over
  }
}

describe('history view helpers', () => {
  const a = entry({
    id: 'a',
    status: 'printed',
    copies: [copy('completed', { printerId: 'p1', printerName: 'A1' })]
  })
  const b = entry({
    id: 'b',
    label: 'Order 7',
    fileName: 'gear.stl',
    status: 'failed',
    copies: [copy('failed', { printerId: 'p2' })]
  })

  it('filters by status, printer and text in name or label', () => {
    expect(filterEntries([a, b], NO_FILTERS)).toHaveLength(2)
    expect(filterEntries([a, b], { ...NO_FILTERS, status: 'failed' }).map((e) => e.id)).toEqual([
      'b'
    ])
    expect(filterEntries([a, b], { ...NO_FILTERS, printer: 'A1' }).map((e) => e.id)).toEqual(['a'])
    expect(filterEntries([a, b], { ...NO_FILTERS, printer: 'p2' }).map((e) => e.id)).toEqual(['b'])
    expect(filterEntries([a, b], { ...NO_FILTERS, text: ' ORDER ' }).map((e) => e.id)).toEqual([
      'b'
    ])
    expect(filterEntries([a, b], { ...NO_FILTERS, text: 'gear' }).map((e) => e.id)).toEqual(['b'])
    expect(allPrinters([b, a])).toEqual(['A1', 'p2'])
  })

  it('reads progress and copy counts', () => {
    const e = entry({
      quantity: 3,
      copies: [copy('completed'), copy('printing', { progress: 40 }), copy('pending')]
    })
    expect(progressText(e)).toBe('1/3 printed · 40%')
    expect(progressValue(e)).toBeCloseTo((100 + 40 + 0) / 3)
    expect(progressText(entry({ copies: [copy('printing', { progress: 12.4 })] }))).toBe('12%')
    expect(progressText(entry({ quantity: 4 }))).toBe('4 copies')
    expect(progressValue(entry({ copies: [copy('pending')] }))).toBeNull()
  })

  it('says states, routing and which actions apply', () => {
    expect(stateLabel('sending-to-printer')).toBe('Sending to printer')
    expect(stateLabel('pending')).toBe('Queued')
    expect(
      routingLabel(entry({ routing: { mode: 'tags', tags: ['PLA', 'RackA'] } }), () => undefined)
    ).toBe('Printers tagged PLA + RackA')
    expect(
      routingLabel(entry({ routing: { mode: 'printer', printerId: 'p9' } }), () => 'X1C')
    ).toBe('Printer X1C')
    const mixed = entry({
      copies: [
        copy('pending'),
        copy('printing'),
        copy('failed'),
        copy('cancelled'),
        copy('pending', { deletedOnServer: true })
      ]
    })
    const acts = actionable(mixed)
    expect(acts.cancel.map((c) => c.status)).toEqual(['pending', 'printing'])
    expect(acts.retry.map((c) => c.status)).toEqual(['failed', 'cancelled'])
    expect(acts.queued).toHaveLength(1)
  })
})
