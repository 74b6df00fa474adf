// Reads a dropped file (a Blob/File, or anything shaped like one) for the engine, checking what
// can be checked first (see preflight.ts): the size before reading anything, then the first 84
// bytes before reading the rest. A failed read is the engine's `unreadable` error, not a throw.
// Pure (no DOM types, no Node): the renderer's parse worker uses it with a File.

import { PREFLIGHT_HEAD_BYTES, preflightStl } from './preflight'
import type { ParseLimits, StlResult } from './types'

/** The part of the Blob/File interface used here (a browser File and Node's Blob both fit). */
export interface StlFileLike {
  readonly size: number
  slice(start?: number, end?: number): { arrayBuffer(): Promise<ArrayBuffer> }
  arrayBuffer(): Promise<ArrayBuffer>
}

const NO_BYTES = new Uint8Array(0)

/**
 * The file's bytes, or the error the engine would give without reading them all: `empty` and
 * `too-large` from the size alone, `count-mismatch` / `truncated` / `not-stl` from the first
 * bytes of a binary-looking file, `unreadable` when reading fails (the file was moved, changed
 * or deleted after it was dropped, no permission, a folder).
 */
export async function readStlBytes(
  file: StlFileLike,
  limits?: ParseLimits
): Promise<StlResult<ArrayBuffer>> {
  try {
    const size = file.size
    let early = preflightStl(size, NO_BYTES, limits)
    if (early) return { ok: false, error: early }
    if (size > PREFLIGHT_HEAD_BYTES) {
      const head = new Uint8Array(await file.slice(0, PREFLIGHT_HEAD_BYTES).arrayBuffer())
      early = preflightStl(size, head, limits)
      if (early) return { ok: false, error: early }
    }
    // The engine checks the bytes it gets again, so a file that changed since is still safe.
    return { ok: true, value: await file.arrayBuffer() }
  } catch (err) {
    return {
      ok: false,
      error: { code: 'unreadable', message: `Could not read this file: ${describe(err)}` }
    }
  }
}

function describe(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err)
  return message || 'the read failed'
}
