// Numbers of the 3MF schema read straight from bytes: ST_Number (a decimal with optional exponent,
// no NaN/INF spellings), ST_ResourceIndex (a non-negative integer < 2^31) and ST_Matrix3D.

import { parseDecimal } from '../decimal'
import { fail } from './errors'

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09
}

/**
 * Parses an ST_Number from b[s, e) (surrounding whitespace allowed). NaN means "not a number";
 * a well-formed number too large for a double is ±Infinity (the caller reports it as non-finite).
 */
export function parseNumber(b: Uint8Array, s: number, e: number): number {
  while (s < e && isWs(b[s]!)) s++
  while (e > s && isWs(b[e - 1]!)) e--
  return parseDecimal(b, s, e)
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
