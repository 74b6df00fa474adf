import { describe, expect, it } from 'vitest'
import { prng } from '../test-support/stl'
import { parseDecimal } from './decimal'

const at = (text: string): number => {
  const b = new TextEncoder().encode(text)
  return parseDecimal(b, 0, b.length)
}

describe('parseDecimal', () => {
  it('reads decimals exactly like parseFloat, on both the fast and the slow path', () => {
    const rnd = prng(5)
    const samples = [
      '0',
      '-0',
      '+1',
      '1.',
      '.5',
      '-.5e-3',
      '1E+22',
      '12345678901234567890',
      '1e400'
    ]
    for (let i = 0; i < 2000; i++) {
      const digits = String(Math.floor(rnd() * 1e9)) + String(Math.floor(rnd() * 1e9))
      const cut = Math.floor(rnd() * digits.length)
      const exp = rnd() < 0.5 ? '' : `e${Math.floor(rnd() * 80) - 40}`
      samples.push(`${rnd() < 0.5 ? '-' : ''}${digits.slice(0, cut)}.${digits.slice(cut)}${exp}`)
    }
    for (const s of samples) expect(Object.is(at(s), parseFloat(s)), s).toBe(true)
  })

  it('is NaN for anything but a plain decimal', () => {
    for (const s of [
      '',
      '-',
      '.',
      'e5',
      '1e',
      '1e+',
      '1.2.3',
      '1 ',
      ' 1',
      'nan',
      'inf',
      '1.#INF',
      '0x10'
    ])
      expect(at(s), s).toBeNaN()
  })

  it('reads only b[s, e)', () => {
    const b = new TextEncoder().encode('x12.5e1y')
    expect(parseDecimal(b, 1, 5)).toBe(12.5)
    expect(parseDecimal(b, 1, 7)).toBe(125)
  })
})
