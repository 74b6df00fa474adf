// Numbers of the 3MF schema read straight from bytes: ST_Number (a decimal with optional exponent,
// no NaN/INF spellings), ST_ResourceIndex (a non-negative integer < 2^31) and ST_Matrix3D.

import { fail } from './errors'

const P10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
  1e18, 1e19, 1e20, 1e21, 1e22
]

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

/**
 * Parses an ST_Number from b[s, e) (surrounding whitespace allowed). NaN means "not a number";
 * a well-formed number too large for a double is ±Infinity (the caller reports it as non-finite).
 * Up to 15 significant digits and |exponent| ≤ 22 are exact like parseFloat (Clinger's fast
 * path: one correctly rounded operation on exact operands); longer ones go through parseFloat.
 */
export function parseNumber(b: Uint8Array, s: number, e: number): number {
  while (s < e && isWs(b[s]!)) s++
  while (e > s && isWs(b[e - 1]!)) e--
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
  else if (sig > 15 || exp > 22 || exp < -22) v = slowParse(b, s, e)
  else if (exp === 0) v = mant
  else if (exp > 0) v = mant * P10[exp]!
  else v = mant / P10[-exp]!
  return neg ? -Math.abs(v) : Math.abs(v)
}

function slowParse(b: Uint8Array, s: number, e: number): number {
  let text = ''
  for (let i = s; i < e; i++) text += String.fromCharCode(b[i]!)
  return parseFloat(text)
}

/** Parses an ST_ResourceIndex / ST_ResourceID: a non-negative integer below 2^31, else -1. */
export function parseIndex(b: Uint8Array, s: number, e: number): number {
  while (s < e && isWs(b[s]!)) s++
  while (e > s && isWs(b[e - 1]!)) e--
  if (s === e || e - s > 10) return -1
  let v = 0
  for (let i = s; i < e; i++) {
    const d = b[i]! - 0x30
    if (d < 0 || d > 9) return -1
    v = v * 10 + d
  }
  return v < 2147483648 ? v : -1
}

/** parseIndex for a decoded string. */
export function parseIndexText(text: string | undefined): number {
  if (text === undefined) return -1
  const t = text.trim()
  return /^\d{1,10}$/.test(t) && Number(t) < 2147483648 ? Number(t) : -1
}

/**
 * An ST_Matrix3D ("m00 m01 m02 m10 m11 m12 m20 m21 m22 m30 m31 m32", row vectors: a point p maps
 * to p·M) as 12 doubles. `where` names the element in messages.
 */
export function parseMatrix(text: string, where: string): Float64Array {
  const parts = text.trim().split(/\s+/)
  if (parts.length !== 12) {
    fail('invalid-model', `${where} has a transform with ${parts.length} numbers; 3MF needs 12.`)
  }
  const m = new Float64Array(12)
  const enc = new TextEncoder()
  for (let k = 0; k < 12; k++) {
    const bytes = enc.encode(parts[k]!)
    const v = parseNumber(bytes, 0, bytes.length)
    if (Number.isNaN(v)) {
      fail(
        'invalid-model',
        `${where} has a transform value that is not a number ("${parts[k]!.slice(0, 24)}").`
      )
    }
    if (!Number.isFinite(v)) fail('non-finite', `${where} has an infinite transform value.`)
    m[k] = v
  }
  return m
}

/** The identity transform. */
export const IDENTITY: Float64Array = new Float64Array([1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0])

/** a·b for row-vector 3MF matrices: apply `a` first, then `b`. */
export function multiply(a: Float64Array, b: Float64Array): Float64Array {
  const m = new Float64Array(12)
  for (let r = 0; r < 4; r++) {
    const a0 = a[r * 3]!
    const a1 = a[r * 3 + 1]!
    const a2 = a[r * 3 + 2]!
    for (let c = 0; c < 3; c++) {
      m[r * 3 + c] = a0 * b[c]! + a1 * b[3 + c]! + a2 * b[6 + c]! + (r === 3 ? b[9 + c]! : 0)
    }
  }
  return m
}

/** Determinant of the linear part (negative: the transform mirrors, so windings flip). */
export function determinant(m: Float64Array): number {
  return (
    m[0]! * (m[4]! * m[8]! - m[5]! * m[7]!) -
    m[1]! * (m[3]! * m[8]! - m[5]! * m[6]!) +
    m[2]! * (m[3]! * m[7]! - m[4]! * m[6]!)
  )
}
