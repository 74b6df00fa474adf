import { describe, expect, it } from 'vitest'

import { partBuildEntry } from './build-entry'

describe('partBuildEntry', () => {
  const item = { path: '/m/tray.stl', quantity: 2 }
  it('adds the model allow-list to the routing and the material as channel 0', () => {
    expect(
      partBuildEntry(
        {
          ...item,
          printerModels: ['A1', 'P1S'],
          material: { kind: 'type', type: 'PETG' },
          priority: 'low',
          position: 'front'
        },
        { mode: 'tags', tags: ['RackB'] },
        'part1',
        'Tray'
      )
    ).toEqual({
      partId: 'part1',
      quantity: 2,
      label: 'Tray',
      tags: { 'user.tags': '&=RackB', 'printer.modelName': '=A1|P1S' },
      priority: 1000,
      position: 'front',
      materials: { '0': [{ materialType: 'PETG' }] }
    })
  })

  it('one chosen printer needs no model list; a variant is named by its id', () => {
    const entry = partBuildEntry(
      {
        ...item,
        printerModels: ['A1'],
        material: {
          kind: 'variant',
          variantId: 'v1',
          materialId: 'm1',
          type: 'PLA',
          name: 'PLA Red'
        }
      },
      { mode: 'printer', printerId: 'p9' },
      'part1',
      'Tray'
    )
    expect(entry.tags).toEqual({ 'printer.id': '=p9' })
    expect(entry.materials).toEqual({ '0': [{ variantId: 'v1' }] })
    expect(partBuildEntry(item, { mode: 'any' }, 'p', 'L')).not.toHaveProperty('materials')
  })
})
