import { describe, expect, it } from 'vitest'
import type { Printer } from '../../shared/printago/api-types'
import { toPrinterSummary, unreachableRouting } from './summary'

const base = (over: Partial<Printer> = {}): Printer =>
  ({
    id: 'p1',
    name: 'X1C left',
    provider: 'Bambu',
    enabled: true,
    isOnline: true,
    isAvailable: true,
    confirmedReady: true,
    printingJobId: null,
    tags: ['PLA'],
    metadata: {
      name: 'x',
      dev_id: 'SN',
      online: true,
      print_status: 'IDLE',
      dev_model_name: 'BL-P001',
      dev_access_code: 'SECRET-CODE',
      nozzle_diameter: 0.4,
      dev_product_name: 'X1 Carbon'
    },
    ...over
  }) as Printer

describe('toPrinterSummary', () => {
  it('derives the state from the booleans', () => {
    expect(toPrinterSummary(base()).state).toBe('ready')
    expect(toPrinterSummary(base({ confirmedReady: false })).state).toBe('waiting-bed-clear')
    expect(toPrinterSummary(base({ isAvailable: false, printingJobId: 'j' })).state).toBe(
      'printing'
    )
    expect(toPrinterSummary(base({ isOnline: false })).state).toBe('offline')
    expect(toPrinterSummary(base({ enabled: false })).state).toBe('disabled')
    expect(toPrinterSummary(base({ confirmedReady: false })).ready).toBe(false)
  })

  it('takes the model from metadata or the provider and never copies metadata', () => {
    const s = toPrinterSummary(base())
    expect(s.model).toBe('X1 Carbon')
    expect(JSON.stringify(s)).not.toContain('SECRET-CODE')
    expect(Object.keys(s)).not.toContain('metadata')
    expect(toPrinterSummary(base({ provider: 'Klipper', metadata: null })).model).toBe('Klipper')
  })

  it('tolerates a missing tags field', () => {
    expect(toPrinterSummary(base({ tags: undefined })).tags).toEqual([])
  })

  it('a printer in maintenance is never ready; a paused print shows as paused', () => {
    const m = toPrinterSummary(base({ isInMaintenance: true }))
    expect(m.state).toBe('maintenance')
    expect(m.ready).toBe(false)
    expect(m.inMaintenance).toBe(true)
    // A print running when maintenance began still shows.
    expect(toPrinterSummary(base({ isInMaintenance: true, isAvailable: false })).state).toBe(
      'printing'
    )
    const live = {
      state: 'PAUSE',
      percent: 40,
      layer: 12,
      totalLayers: 30,
      minutesLeft: 9,
      taskName: 'Bracket',
      health: [{ level: 'warning' as const, code: 'HMS_1', message: 'Filament runout' }]
    }
    const paused = toPrinterSummary(base({ isAvailable: false, printingJobId: 'j1' }), live)
    expect(paused.state).toBe('paused')
    expect(paused.job).toEqual({
      printJobId: 'j1',
      label: 'Bracket',
      percent: 40,
      layer: 12,
      totalLayers: 30,
      minutesLeft: 9
    })
    expect(paused.health).toEqual(live.health)
    // My job's label wins over the printer's task name.
    const mine = toPrinterSummary(base({ isAvailable: false, printingJobId: 'j1' }), live, () => ({
      label: 'Order 7',
      mine: true
    }))
    expect(mine.job).toMatchObject({ label: 'Order 7', mine: true })
    // An idle printer shows no job, whatever the last stats said.
    expect(toPrinterSummary(base(), live).job).toBeNull()
  })
})

describe('unreachableRouting', () => {
  const fleet = [
    { id: 'ckprinter000000000000001', tags: ['PLA', 'RackA'] },
    { id: 'ckprinter000000000000002', tags: ['PETG', 'RackB'] }
  ]

  it('any printer, a known printer, or tags some printer carries all of: no warning', () => {
    expect(unreachableRouting({ mode: 'any' }, [])).toBeNull()
    expect(
      unreachableRouting({ mode: 'printer', printerId: 'ckprinter000000000000002' }, fleet)
    ).toBeNull()
    expect(unreachableRouting({ mode: 'tags', tags: ['RackA', 'PLA'] }, fleet)).toBeNull()
  })

  it('names a printer id that is not in the store', () => {
    expect(
      unreachableRouting({ mode: 'printer', printerId: 'ckprinter000000000000009' }, fleet)
    ).toMatch(/^no printer with id ckprinter000000000000009 in this store .*never print$/)
  })

  it('tags no single printer carries all of', () => {
    const warning = unreachableRouting({ mode: 'tags', tags: ['PLA', 'RackB'] }, fleet)
    expect(warning).toContain('no printer carries all of the tags PLA, RackB')
    expect(warning).not.toContain('case-sensitive')
  })

  it('says tags are case-sensitive and lists the fleet tags when only the case differs', () => {
    expect(unreachableRouting({ mode: 'tags', tags: ['pla'] }, fleet)).toBe(
      "no printer carries all of the tags pla: the job will wait in Printago's queue and never print; tags are case-sensitive, the printers have: PETG, PLA, RackA, RackB"
    )
  })
})
