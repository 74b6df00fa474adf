// Fit is part of routing: which printers a file fits, which are too small, and the model names
// that keep it off the small ones.
import { describe, expect, it } from 'vitest'

import { candidatesFor, fileFit, routableModel } from './fit'
import { printerSummary } from '../../../test-support/printers'

const printer = printerSummary

const MINI = printer('A1 mini #1', 'A1 mini')
const P1S = printer('P1S #1', 'P1S')
const MK4 = printer('Prusa MK4', 'Prusa')
const ODD = printer('Shop printer', 'Klipper')

describe('fileFit', () => {
  it('sorts the candidates and names the models that avoid the small ones', () => {
    const f = fileFit([200, 200, 50], [MINI, P1S, MK4, ODD])
    expect(f.fits.map((p) => p.name)).toEqual(['P1S #1', 'Prusa MK4'])
    expect(f.tooBig.map((p) => p.name)).toEqual(['A1 mini #1'])
    expect(f.unknown.map((p) => p.name)).toEqual(['Shop printer'])
    // The Prusa fits (its name says MK4) but reports no model Printago can route by.
    expect(f.avoidModels).toEqual(['P1S'])
    expect(f.lostByAvoid.map((p) => p.name)).toEqual(['Prusa MK4'])
  })

  it('no model list when nothing it fits can be routed by model', () => {
    expect(fileFit([200, 200, 50], [MINI, MK4]).avoidModels).toBeNull()
    expect(fileFit([400, 400, 50], [MINI, P1S]).avoidModels).toBeNull()
  })

  it('only models the build-volume table knows, and none with "|"', () => {
    expect(routableModel(P1S)).toBe('P1S')
    expect(routableModel(MK4)).toBeNull()
    expect(routableModel(printer('x', 'P1S|X1'))).toBeNull()
  })
})

describe('candidatesFor', () => {
  it('the routing reaches enabled printers; a material keeps those that have it loaded', () => {
    const off = printer('Old', 'P1S', { enabled: false, state: 'disabled' })
    const loaded = {
      'id-P1S #1': [
        {
          type: 'PETG',
          variantId: 'v1',
          materialId: 'm',
          name: 'PETG HF Black',
          color: null,
          where: 'spool'
        }
      ]
    }
    const all = [MINI, P1S, off]
    expect(candidatesFor(all, { mode: 'any' }, null, loaded).candidates).toHaveLength(2)
    const petg = candidatesFor(all, { mode: 'any' }, { kind: 'type', type: 'petg' }, loaded)
    expect(petg.reach).toHaveLength(2)
    expect(petg.candidates.map((p) => p.name)).toEqual(['P1S #1'])
    // Slots not known (not loaded yet, or not allowed): nothing is filtered out.
    expect(
      candidatesFor(all, { mode: 'any' }, { kind: 'type', type: 'ASA' }, null).candidates
    ).toHaveLength(2)
  })
})
