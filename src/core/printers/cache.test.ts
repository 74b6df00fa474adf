// The printer cache on its own: realtime rows (whole, partial, deletes) and printer stats merged
// without REST calls, pushes at most once a second, the longer cache age while realtime is live,
// and Mark bed clear.
import { describe, expect, it } from 'vitest'

import type { PrinterList } from '../../shared/ipc'
import type { Printer } from '../../shared/printago/api-types'
import { demoFleet } from '../../sandbox/fleet'
import { createManualClock } from '../infra/clock'
import type { PrinterStatsMessage } from '../printago/realtime'
import { createPrinterCache, PRINTER_CACHE_LIVE_MS, PRINTER_CACHE_MS } from './cache'

const P1S2 = 'sbxprinter00000000000004'
const A1MINI = 'sbxprinter00000000000001'

function setup(opts: { live?: boolean } = {}) {
  const clock = createManualClock()
  let fleet: Printer[] = demoFleet()
  let lists = 0
  const pushed: PrinterList[] = []
  const confirms: string[][] = []
  const cache = createPrinterCache({
    clock,
    live: () => opts.live === true,
    onChange: (l) => pushed.push(l),
    client: {
      listPrinters: async () => {
        lists++
        return fleet
      },
      confirmReady: async (ids) => {
        confirms.push(ids)
        fleet = fleet.map((p) => (ids.includes(p.id) ? { ...p, confirmedReady: true } : p))
        return fleet.filter((p) => ids.includes(p.id))
      }
    }
  })
  return { clock, cache, pushed, confirms, lists: () => lists }
}

const stats = (over: Partial<PrinterStatsMessage>): PrinterStatsMessage => ({
  kind: 'printer-stats',
  topic: 't',
  printerId: A1MINI,
  percent: null,
  state: null,
  hasPrint: false,
  ...over
})

describe('printer cache', () => {
  it('merges partial rows and removes deleted printers, without a REST call', async () => {
    const { cache, pushed, lists } = setup()
    await cache.list()
    expect(cache.current()!.printers.find((p) => p.id === P1S2)!.state).toBe('waiting-bed-clear')
    // Only the changed fields (plus id), values in `changes` as {old,new} pairs.
    cache.applyEvent(
      { [P1S2]: { id: P1S2 } },
      { action: 'UPDATE', changes: { [P1S2]: { confirmedReady: { old: false, new: true } } } }
    )
    expect(cache.current()!.printers.find((p) => p.id === P1S2)!.state).toBe('ready')
    expect(pushed).toHaveLength(1)
    cache.applyEvent({ [P1S2]: { id: P1S2 } }, { action: 'DELETE' })
    expect(cache.current()!.printers.map((p) => p.id)).not.toContain(P1S2)
    cache.applyEvent({ [A1MINI]: { isInMaintenance: true } }, { action: 'UPDATE' })
    expect(cache.current()!.printers.find((p) => p.id === A1MINI)!.state).toBe('maintenance')
    expect(lists()).toBe(1)
  })

  it('lays printer stats over the list: paused, progress, layer, time left, health', async () => {
    const { cache, clock, pushed } = setup()
    await cache.list()
    cache.applyEvent(
      { [A1MINI]: { isAvailable: false, printingJobId: 'job1' } },
      { action: 'UPDATE' }
    )
    const before = pushed.length
    cache.applyStats(
      stats({
        state: 'PRINTING',
        hasPrint: true,
        percent: 10,
        currentLayer: 3,
        totalLayers: 50,
        timeRemaining: 20,
        taskName: 'Bracket'
      })
    )
    // Sparse: only progress; the rest stays.
    cache.applyStats(stats({ hasPrint: true, percent: 12, currentLayer: 6 }))
    await clock.advance(1000)
    const p = cache.current()!.printers.find((x) => x.id === A1MINI)!
    expect(p.job).toMatchObject({ percent: 12, layer: 6, totalLayers: 50, minutesLeft: 20 })
    // The row update pushed at once; both stats messages within the second: one push, later.
    expect(pushed.length - before).toBe(1)
    expect(pushed.at(-1)!.printers.find((x) => x.id === A1MINI)!.job!.percent).toBe(12)
    cache.applyStats(
      stats({
        state: 'PAUSE',
        health: { errors: [{ code: 'HMS_0300', message: 'Nozzle clog' }], warnings: [], infos: [] }
      })
    )
    await clock.advance(1000)
    const paused = cache.current()!.printers.find((x) => x.id === A1MINI)!
    expect(paused.state).toBe('paused')
    expect(paused.health).toEqual([{ level: 'error', code: 'HMS_0300', message: 'Nozzle clog' }])
    // A message that changes nothing visible pushes nothing.
    const n = pushed.length
    cache.applyStats(stats({ hasPrint: true, percent: 12.4 }))
    await clock.advance(2000)
    expect(pushed.length).toBe(n)
  })

  it('asks Printago rarely while realtime keeps the list fresh', async () => {
    const offline = setup()
    await offline.cache.list()
    await offline.clock.advance(PRINTER_CACHE_MS)
    await offline.cache.list()
    expect(offline.lists()).toBe(2)
    const live = setup({ live: true })
    await live.cache.list()
    await live.clock.advance(PRINTER_CACHE_LIVE_MS - 1)
    await live.cache.list()
    expect(live.lists()).toBe(1)
    await live.clock.advance(1)
    await live.cache.list()
    expect(live.lists()).toBe(2)
  })

  it('marks a bed clear and shows the printer ready at once', async () => {
    const { cache, confirms } = setup()
    await cache.list()
    const s = await cache.confirmReady(P1S2)
    expect(confirms).toEqual([[P1S2]])
    expect(s.state).toBe('ready')
    expect(cache.current()!.printers.find((p) => p.id === P1S2)!.state).toBe('ready')
    await expect(cache.confirmReady('nope')).rejects.toMatchObject({ code: 'not-found' })
  })
})
