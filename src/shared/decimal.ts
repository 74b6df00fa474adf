// A decimal number read straight from bytes, without building a string: the scanner of the STL
// ASCII parser (per coordinate, its hot loop) and of the 3MF model reader (ST_Number).

const P10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22
]

/**
 * Parses b[s, e) as `[+-]digits[.digits][(e|E)[+-]digits]` (at least one mantissa digit; no
 * whitespace, no NaN/Infinity spellings); NaN when the bytes are anything else. A well-formed
 * number too large for a double is ±Infinity. Up to 15 significant digits and |exponent| ≤ 22
 * are exact like parseFloat (Clinger's fast path: one correctly rounded operation on exact
 * operands); longer ones go through parseFloat, so that a value on a float32 rounding midpoint
 * rounds exactly as parseFloat + Math.fround would.
 */
export function parseDecimal(b: Uint8Array, s: number, e: number): number {
  let i = s
  let neg = false
  let c = b[i]
  if (c === 0x2d || c === 0x2b) {
    neg = c === 0x2d
    i++
  }
  let mant = 0
  let sig = 0
  let exp = 0
  let digits = 0
  while (i < e) {
    const d = b[i]! - 0x30
    if (d < 0 || d > 9) break
    digits++
    if (sig < 19) {
      mant = mant * 10 + d
      if (mant !== 0) sig++
    } else exp++
    i++
  }
  if (i < e && b[i] === 0x2e) {
    i++
    while (i < e) {
      const d = b[i]! - 0x30
      if (d < 0 || d > 9) break
      digits++
      if (sig < 19) {
        mant = mant * 10 + d
        if (mant !== 0) sig++
        exp--
      }
      i++
    }
  }
  if (digits === 0) return NaN
  if (i < e && (b[i] === 0x65 || b[i] === 0x45)) {
    i++
    let eneg = false
    c = b[i]
    if (c === 0x2d || c === 0x2b) {
      eneg = c === 0x2d
      i++
    }
    let ev = 0
    let edigits = 0
    while (i < e) {
      const d = b[i]! - 0x30
      if (d < 0 || d > 9) break
      if (ev < 100000) ev = ev * 10 + d
      edigits++
      i++
    }
    if (edigits === 0) return NaN
    exp += eneg ? -ev : ev
  }
  if (i !== e) return NaN
  let v: number
  if (mant === 0) v = 0
  else if (sig > 15 || exp > 22 || exp < -22) return slowParse(b, s, e)
  else if (exp === 0) v = mant
  else if (exp > 0) v = mant * P10[exp]!
  else v = mant / P10[-exp]!
  return neg ? -v : v
}

/** Correctly rounded fallback for long mantissas and large exponents (rare in real files). */
function slowParse(b: Uint8Array, s: number, e: number): number {
  let text = ''
  for (let i = s; i < e; i++) text += String.fromCharCode(b[i]!)
  return parseFloat(text)
}
