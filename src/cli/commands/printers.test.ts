import { describe, expect, it } from 'vitest'
import type { PrinterSummary } from '../../core/printers/summary'
import { realtimeUrlOf } from '../fleet'
import { printerRow, printerTable } from './printers'

const summary = (over: Partial<PrinterSummary> = {}): PrinterSummary => ({
  id: 'ckprinter000000000000001',
  name: 'X1C left',
  model: 'X1 Carbon',
  state: 'waiting-bed-clear',
  online: true,
  available: true,
  ready: false,
  enabled: true,
  tags: ['PLA', 'RackA'],
  printingJobId: null,
  ...over
})

describe('printers output', () => {
  it('--json rows are exactly {id, name, model, state, online, available, ready, tags, job, needs, health}', () => {
    const row = printerRow(summary())
    expect(Object.keys(row)).toEqual([
      'id',
      'name',
      'model',
      'state',
      'online',
      'available',
      'ready',
      'tags',
      'job',
      'needs',
      'health'
    ])
    expect(row).toEqual({
      id: 'ckprinter000000000000001',
      name: 'X1C left',
      model: 'X1 Carbon',
      state: 'waiting-bed-clear',
      online: true,
      available: true,
      ready: false,
      tags: ['PLA', 'RackA'],
      job: null,
      needs: ['Clear the bed'],
      health: []
    })
  })

  it('the table has the state, the job with its progress, and what needs a hand', () => {
    const table = printerTable([
      summary(),
      summary({ id: 'p2', name: 'Mini', state: 'offline', tags: [] }),
      summary({
        id: 'p3',
        name: 'Big',
        state: 'printing',
        tags: [],
        job: {
          printJobId: 'j1',
          label: 'Gear',
          percent: 42.4,
          layer: 61,
          totalLayers: 145,
          minutesLeft: 12,
          mine: true
        },
        health: [
          { level: 'error', code: 'HMS_0300', message: 'Nozzle clog' },
          { level: 'warning', code: 'W1', message: 'Door open' }
        ]
      })
    ])
    const [header, first, second, third, warning] = table.split('\n')
    expect(header).toMatch(/^ID\s+NAME\s+MODEL\s+STATE\s+JOB\s+NEEDS\s+TAGS$/)
    expect(first).toMatch(/X1C left\s+X1 Carbon\s+waiting-bed-clear\s+Clear the bed\s+PLA,RackA$/)
    expect(second).toMatch(/^p2\s+Mini\s+X1 Carbon\s+offline$/)
    expect(third).toMatch(
      /^p3\s+Big\s+X1 Carbon\s+printing\s+Gear \(mine\) 42% · layer 61\/145 · 12 min left\s+HMS_0300: Nozzle clog$/
    )
    expect(warning).toBe('warning: Big: W1: Door open')
  })

  it('talks to a realtime broker only where it is told or for Printago itself', () => {
    expect(realtimeUrlOf({})).toMatch(/^mqtts:\/\/realtime\.printago\.io/)
    expect(realtimeUrlOf({ PRINTAGO_BASE_URL: 'https://api.printago.io/' })).toMatch(/printago\.io/)
    expect(realtimeUrlOf({ PRINTAGO_BASE_URL: 'http://127.0.0.1:4010' })).toBeNull()
    expect(
      realtimeUrlOf({
        PRINTAGO_BASE_URL: 'http://127.0.0.1:4010',
        PRINTAGO_REALTIME_URL: 'ws://x/mqtt'
      })
    ).toBe('ws://x/mqtt')
    expect(realtimeUrlOf({ PRINTAGO_REALTIME_URL: 'off' })).toBeNull()
  })
})
