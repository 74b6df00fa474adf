import { describe, expect, it } from 'vitest'
import { BUILD_VOLUMES, fitsBed, lookupBuildVolume, normalizeModelName } from './build-volumes'

describe('lookupBuildVolume', () => {
  it.each([
    ['X1 Carbon', 'bambu-x1c'],
    ['X1C', 'bambu-x1c'],
    ['Bambu Lab X1 Carbon', 'bambu-x1c'],
    ['BL-P001', 'bambu-x1c'],
    ['3DPrinter-X1-Carbon', 'bambu-x1c'],
    ['BL-P002', 'bambu-x1'],
    ['X1', 'bambu-x1'],
    ['X1E', 'bambu-x1e'],
    ['C13', 'bambu-x1e'],
    ['A1 mini', 'bambu-a1-mini'],
    ['Bambu Lab A1 Mini Combo', 'bambu-a1-mini'],
    ['N1', 'bambu-a1-mini'],
    ['N2S', 'bambu-a1'],
    ['a1', 'bambu-a1'],
    ['C11', 'bambu-p1p'],
    ['C12', 'bambu-p1s'],
    ['P1S Combo', 'bambu-p1s'],
    ['O1D', 'bambu-h2d'],
    ['Original Prusa MK4S', 'prusa-mk4s'],
    ['Prusa MK4', 'prusa-mk4'],
    ['Original Prusa i3 MK3S+', 'prusa-mk3s'],
    ['MINI+', 'prusa-mini'],
    ['Prusa XL', 'prusa-xl'],
    ['Prusa CORE One', 'prusa-core-one'],
    ['Voron 2.4 300', 'voron-2.4-300'],
    ['voron 2.4 350mm', 'voron-2.4-350'],
    ['Creality Ender-3 V2', 'creality-ender-3'],
    ['Ender 3', 'creality-ender-3']
  ])('%s → %s', (name, id) => {
    expect(lookupBuildVolume(name)?.id).toBe(id)
  })

  it('returns null for unknown, empty and provider-only names', () => {
    for (const name of ['Bambu', 'Prusa', '', '   ', 'X9 Ultra', 'Klipper', null, undefined]) {
      expect(lookupBuildVolume(name)).toBeNull()
    }
  })

  it('has the documented volumes', () => {
    const dims = (name: string): number[] => {
      const v = lookupBuildVolume(name)!
      return [v.x, v.y, v.z]
    }
    expect(dims('A1 mini')).toEqual([180, 180, 180])
    expect(dims('X1C')).toEqual([256, 256, 256])
    expect(dims('MK4S')).toEqual([250, 210, 220])
    expect(dims('XL')).toEqual([360, 360, 360])
    expect(dims('Ender 3')).toEqual([220, 220, 250])
    expect(dims('H2D')).toEqual([325, 320, 325])
    expect(lookupBuildVolume('H2D')?.note).toContain('350')
  })

  it('every entry has a source and positive dimensions, and unique ids', () => {
    const ids = new Set<string>()
    for (const v of BUILD_VOLUMES) {
      expect(v.source.length).toBeGreaterThan(5)
      expect(Math.min(v.x, v.y, v.z)).toBeGreaterThan(0)
      expect(ids.has(v.id)).toBe(false)
      ids.add(v.id)
      expect(lookupBuildVolume(v.name)?.id).toBe(v.id)
    }
  })

  it('normalises names', () => {
    expect(normalizeModelName(' Bambu Lab  X1-Carbon ')).toBe('x1carbon')
    expect(normalizeModelName('MK3S+')).toBe('mk3splus')
  })
})

describe('fitsBed', () => {
  const mk4 = lookupBuildVolume('MK4')!

  it('fits, including after a 90° turn about Z', () => {
    expect(fitsBed([250, 210, 220], mk4)).toBe('fits')
    expect(fitsBed([210, 250, 100], mk4)).toBe('fits')
    expect(fitsBed([0, 0, 0], mk4)).toBe('fits')
  })

  it('too big in X, Y or Z', () => {
    expect(fitsBed([251, 10, 10], mk4)).toBe('too-big')
    expect(fitsBed([215, 215, 10], mk4)).toBe('too-big')
    expect(fitsBed([10, 10, 221], mk4)).toBe('too-big')
  })

  it('tolerates float noise at the limit', () => {
    expect(fitsBed([250.0004, 210, 220], mk4)).toBe('fits')
  })

  it('is unknown for an unknown printer or a non-finite size, never fits', () => {
    expect(fitsBed([1, 1, 1], null)).toBe('unknown')
    expect(fitsBed([1, 1, 1], lookupBuildVolume('Unknown Printer 9000'))).toBe('unknown')
    expect(fitsBed([NaN, 1, 1], mk4)).toBe('unknown')
    expect(fitsBed([Infinity, 1, 1], mk4)).toBe('unknown')
  })
})
