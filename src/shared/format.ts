// The one formatter vocabulary: counts, byte sizes, lengths and ages read the same in the UI, the
// engine's messages and the CLI. Hand-rolled so the output is identical in a worker, in Node and in
// the CLI, whatever the host's locale data.

/** 1234567 → "1,234,567" (integers; other numbers are rounded first). */
export function formatCount(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const s = String(Math.round(Math.abs(n)))
  let out = ''
  for (let i = 0; i < s.length; i++) {
    if (i > 0 && (s.length - i) % 3 === 0) out += ','
    out += s[i]
  }
  return n < 0 ? '-' + out : out
}

/** A byte count for people: "812 bytes", "3.4 MB", "2.0 GB" (decimal units, as file managers show). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${formatCount(n)} byte${n === 1 ? '' : 's'}`
  const units = ['KB', 'MB', 'GB', 'TB']
  let v = n / 1000
  let u = 0
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000
    u++
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`
}

/** A length in mm with at most 2 decimals and no trailing zeros: 10 → "10", 2.5 → "2.5". */
export function formatMm(n: number): string {
  if (!Number.isFinite(n)) return String(n)
  const r = Math.round(n * 100) / 100
  return String(Object.is(r, -0) ? 0 : r)
}

/** A length in mm for read-outs, fewer decimals as it grows (42, 7.5, 0.35). */
export function formatMmShort(v: number): string {
  if (!Number.isFinite(v)) return String(v)
  const a = Math.abs(v)
  const digits = a >= 100 ? 0 : a >= 10 ? 1 : 2
  return String(Number(v.toFixed(digits)))
}

/** [42, 18, 7] → "42 × 18 × 7 mm". */
export function formatSize(size: readonly number[]): string {
  return `${size.map(formatMmShort).join(' × ')} mm`
}

/**
 * How long ago, in the same words everywhere (UI, CLI): "12 s ago", "3 min ago", "5 h ago", then
 * the date (YYYY-MM-DD, locale-free). `at` is an ISO string or ms since epoch; '' when unknown.
 */
export function timeAgo(at: string | number, now: number): string {
  const t = typeof at === 'number' ? at : Date.parse(at)
  if (!Number.isFinite(t)) return ''
  const s = Math.max(0, Math.round((now - t) / 1000))
  if (s < 60) return `${s} s ago`
  const m = Math.round(s / 60)
  if (m < 60) return `${m} min ago`
  const h = Math.round(m / 60)
  if (h < 48) return `${h} h ago`
  return new Date(t).toISOString().slice(0, 10)
}

/** A slicer's time estimate in words: "1 h 2 min", "40 min", "45 s". */
export function durationWords(seconds: number): string {
  const h = Math.floor(seconds / 3600)
  const m = Math.round((seconds % 3600) / 60)
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`
  return m > 0 ? `${m} min` : `${Math.round(seconds)} s`
}

/** Grams of filament as slicers give them, one decimal at most: 24.6 → "24.6 g", 15 → "15 g". */
export function formatGrams(g: number): string {
  return `${Number.isFinite(g) ? Number(g.toFixed(1)) : g} g`
}
