// Number formatting for user-facing sentences. Hand-rolled so the output is identical in a
// worker, in Node and in the CLI, whatever the host's locale data.

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
