// What can be said about an STL from its size and first bytes, before the whole file is read.
// A dropped file is read into memory only after this: a 2.2 GB drop is `too-large` without
// allocating 2.2 GB, and a 134-byte header claiming 20 million triangles is rejected from its
// first 84 bytes. Pure (no DOM, no Node): the renderer's parse worker and tests use it.
//
// Every error returned here is exactly what `parseStl` would return on the whole file (same
// code, same message); when that is not certain yet, the answer is null and the file must be read.

import { BINARY_HEADER_BYTES, BINARY_TRIANGLE_BYTES } from './parse-binary'
import { readCount, resolveLimits, shortBinaryError } from './parse-stl'
import { stlErrorMessage, tooLargeBytesMessage, tooManyTrianglesMessage } from './errors'
import { isBinaryByte, SNIFF_BYTES, sniffOtherFormat } from './sniff'
import type { ParseLimits, StlError } from './types'

/** How many leading bytes `preflightStl` looks at: the binary header and triangle count. */
export const PREFLIGHT_HEAD_BYTES = BINARY_HEADER_BYTES

/**
 * The engine's error for a file of `size` bytes that starts with `head` (its first
 * `PREFLIGHT_HEAD_BYTES` bytes, or fewer to check the size alone), or null when the file has to be
 * read to know. Decides:
 * - `empty`, and `too-large` above the byte limit, from the size alone;
 * - for a binary-looking file (a control byte in the head) bigger than the text sniff window:
 *   `not-stl` for a known other format, `truncated` / `count-mismatch` when the header's count
 *   needs more bytes than the file has, `too-large` when an exact-size file has too many triangles.
 */
export function preflightStl(
  size: number,
  head: Uint8Array,
  limits?: ParseLimits
): StlError | null {
  const { maxBytes, maxTriangles } = resolveLimits(limits)
  if (size === 0) return { code: 'empty', message: stlErrorMessage('empty') }
  if (size > maxBytes) return { code: 'too-large', message: tooLargeBytesMessage(size, maxBytes) }
  if (size < BINARY_HEADER_BYTES || head.length < BINARY_HEADER_BYTES) return null

  // An exact binary size wins over everything else in the engine, text or not.
  const count = readCount(head)
  if (BINARY_HEADER_BYTES + BINARY_TRIANGLE_BYTES * count === size) {
    return count > maxTriangles
      ? { code: 'too-large', message: tooManyTrianglesMessage(count, maxTriangles) }
      : null
  }

  // The engine calls a file text from its first SNIFF_BYTES (tolerating NUL padding at the end of
  // a short file). Above that size, one control byte in the head settles it: binary.
  if (size <= SNIFF_BYTES) return null
  let binary = false
  for (let i = 0; i < BINARY_HEADER_BYTES; i++) {
    if (isBinaryByte(head[i]!)) {
      binary = true
      break
    }
  }
  if (!binary) return null

  const other = sniffOtherFormat(head.subarray(0, BINARY_HEADER_BYTES))
  if (other !== null) return { code: 'not-stl', message: `This is ${other}, not an STL.` }
  // A count that needs more bytes than the file has. (A file longer than its count may be padded:
  // only its trailing bytes can tell, so it is read.)
  return shortBinaryError(size, count)
}
