import { describe, expect, it } from 'vitest'

import { formatBytes, formatCount, formatMm, formatMmShort, formatSize, timeAgo } from './format'

describe('one formatter vocabulary', () => {
  it('counts, bytes and lengths', () => {
    expect(formatCount(1234567)).toBe('1,234,567')
    expect(formatCount(-1000)).toBe('-1,000')
    expect(formatBytes(1)).toBe('1 byte')
    expect(formatBytes(812)).toBe('812 bytes')
    expect(formatBytes(3_400_000)).toBe('3.4 MB')
    expect(formatMm(2.5)).toBe('2.5')
    expect(formatMm(-0.001)).toBe('0')
    expect(formatMmShort(0.354)).toBe('0.35')
    expect(formatMmShort(42.04)).toBe('42')
    expect(formatSize([42, 18.25, 7])).toBe('42 × 18.3 × 7 mm')
  })

  it('time ago: seconds, minutes, hours, then a locale-free date', () => {
    const now = Date.parse('2026-01-03T03:00:00.000Z')
    expect(timeAgo('2026-01-03T02:59:30.000Z', now)).toBe('30 s ago')
    expect(timeAgo('2026-01-03T02:57:00.000Z', now)).toBe('3 min ago')
    expect(timeAgo('2026-01-03T00:00:00.000Z', now)).toBe('3 h ago')
    expect(timeAgo(Date.parse('2026-01-01T00:00:00.000Z'), now)).toBe('2026-01-01')
    expect(timeAgo('not a date', now)).toBe('')
    // A clock that moved backwards reads "0 s ago", never a negative age.
    expect(timeAgo(now + 5000, now)).toBe('0 s ago')
  })
})
