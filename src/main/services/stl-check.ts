// Cheap pre-flight check of a file about to be sent: exists, regular, non-empty and looks like an
// STL (binary whose size matches its triangle count, or text starting with `solid`/`facet`).
// Reads at most 512 bytes, so it is safe on multi-GB files.
import { open, stat } from 'node:fs/promises'

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
  const head = Buffer.alloc(Math.min(512, info.size))
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
  // Size decides first: a binary STL's header may legally start with "solid".
  if (info.size >= 84) {
    const count = head.readUInt32LE(80)
    if (84 + 50 * count === info.size) return { size: info.size, format: 'binary' }
  }
  const text = head
    .toString('latin1')
    .replace(/^\uFEFF|^\xEF\xBB\xBF/, '')
    .trimStart()
    .toLowerCase()
  if (text.startsWith('solid') || text.startsWith('facet'))
    return { size: info.size, format: 'ascii' }
  const kind = head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))
    ? ' (it looks like a ZIP/3MF archive)'
    : ''
  throw new FileCheckError(
    file,
    'not-stl',
    `${file}: not an STL file${kind} — neither a binary STL whose size matches its triangle count nor text starting with "solid"`
  )
}
