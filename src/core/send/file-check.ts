// Cheap pre-flight check of a file about to be sent: exists, regular, non-empty and looks like an
// STL (binary whose size matches its triangle count, or text starting with `solid`/`facet`).
// Reads at most 4 KiB, so it is safe on multi-GB files.
import { open, readFile, stat } from 'node:fs/promises'

import { parseStl } from '../../shared/stl'
import { PREFLIGHT_HEAD_BYTES, preflightStl } from '../../shared/stl/preflight'
import { looksLikeText, SNIFF_BYTES, sniffOtherFormat } from '../../shared/stl/sniff'

/** Files up to this size are parsed in full before sending (≈40 ms per 50 MB). */
const FULL_CHECK_BYTES = 64 * 1024 * 1024

/** Why a file can't be sent, in one sentence naming the file. */
export class FileCheckError extends Error {
  constructor(
    readonly file: string,
    readonly reason: 'missing' | 'unreadable' | 'directory' | 'not-regular' | 'empty' | 'not-stl',
    message: string
  ) {
    super(message)
    this.name = 'FileCheckError'
  }
}

export interface FileCheck {
  size: number
  format: 'binary' | 'ascii'
}

/** Check that `file` is a plausible STL; throws FileCheckError with a clear message if not. */
export async function checkStlFile(file: string): Promise<FileCheck> {
  let info
  try {
    info = await stat(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ENOTDIR') {
      throw new FileCheckError(file, 'missing', `${file}: file not found`)
    }
    throw new FileCheckError(
      file,
      'unreadable',
      `${file}: cannot read file (${code ?? String(error)})`
    )
  }
  if (info.isDirectory())
    throw new FileCheckError(file, 'directory', `${file}: is a directory, not an STL file`)
  if (!info.isFile()) throw new FileCheckError(file, 'not-regular', `${file}: not a regular file`)
  if (info.size === 0) throw new FileCheckError(file, 'empty', `${file}: file is empty`)
  const head = Buffer.alloc(Math.min(SNIFF_BYTES, info.size))
  try {
    const fh = await open(file, 'r')
    try {
      await fh.read(head, 0, head.length, 0)
    } finally {
      await fh.close()
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new FileCheckError(
      file,
      'unreadable',
      `${file}: cannot read file (${code ?? String(error)})`
    )
  }
  // The same rules as the preview's engine (src/shared/stl), so a file the preview accepts is
  // never refused here: exact binary size first, then what the first bytes prove.
  const early = preflightStl(info.size, head.subarray(0, PREFLIGHT_HEAD_BYTES))
  if (early) {
    throw new FileCheckError(
      file,
      early.code === 'empty' ? 'empty' : 'not-stl',
      `${file}: ${early.message}`
    )
  }
  // Most files are small enough to run the engine itself: exactly the preview's verdict.
  if (info.size <= FULL_CHECK_BYTES) {
    const parsed = parseStl(await readFile(file))
    if (!parsed.ok) throw new FileCheckError(file, 'not-stl', `${file}: ${parsed.error.message}`)
    return { size: info.size, format: parsed.value.format }
  }
  if (84 + 50 * head.readUInt32LE(80) === info.size) return { size: info.size, format: 'binary' }
  // Binary with trailing padding is a real STL (the engine reads it with a note).
  if (!looksLikeText(head)) {
    const other = sniffOtherFormat(head)
    if (other) throw new FileCheckError(file, 'not-stl', `${file}: this is ${other}, not an STL`)
    return { size: info.size, format: 'binary' }
  }
  const text = head
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase()
  if (text.startsWith('solid') || text.startsWith('facet'))
    return { size: info.size, format: 'ascii' }
  throw new FileCheckError(
    file,
    'not-stl',
    `${file}: not an STL file — neither a binary STL nor text starting with "solid"`
  )
}
