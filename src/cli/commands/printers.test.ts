import { describe, expect, it } from 'vitest'
import type { PrinterSummary } from '../../core/printers/summary'
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
  it('--json rows are exactly {id, name, model, online, available, ready, tags}', () => {
    const row = printerRow(summary())
    expect(Object.keys(row)).toEqual([
      'id',
      'name',
      'model',
      'online',
      'available',
      'ready',
      'tags'
    ])
    expect(row).toEqual({
      id: 'ckprinter000000000000001',
      name: 'X1C left',
      model: 'X1 Carbon',
      online: true,
      available: true,
      ready: false,
      tags: ['PLA', 'RackA']
    })
  })

  it('the table keeps the derived state column', () => {
    const table = printerTable([
      summary(),
      summary({ id: 'p2', name: 'Mini', state: 'offline', tags: [] })
    ])
    const [header, first, second] = table.split('\n')
    expect(header).toMatch(/^ID\s+NAME\s+MODEL\s+STATE\s+TAGS$/)
    expect(first).toMatch(/X1C left\s+X1 Carbon\s+waiting-bed-clear\s+PLA,RackA$/)
    expect(second).toMatch(/^p2\s+Mini\s+X1 Carbon\s+offline$/)
  })
})
