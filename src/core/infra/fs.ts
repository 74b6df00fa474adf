import { open } from 'node:fs/promises'

// What the file system can refuse that no retry fixes: a full disk, a read-only one, an I/O error.
// One sentence for the user, the same from the journal, the history and the CLI, and a code the
// UI and scripts can act on.

const DISK: Record<string, { code: string; text: string }> = {
  ENOSPC: { code: 'disk-full', text: 'The disk is full' },
  EDQUOT: { code: 'disk-full', text: 'The disk quota is used up' },
  EROFS: { code: 'disk-read-only', text: 'The disk is read-only' },
  EIO: { code: 'disk-error', text: 'The disk reported an input/output error' }
}

/** The errno code of `error` or of anything it wraps. */
function errnoOf(error: unknown): string | undefined {
  let current: unknown = error
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && code in DISK) return code
    current = (current as { original?: unknown }).original ?? (current as { cause?: unknown }).cause
  }
  return undefined
}

/** A full, read-only or failing disk, in words; undefined for any other error. */
export function diskProblem(error: unknown): { code: string; message: string } | undefined {
  const errno = errnoOf(error)
  if (!errno) return undefined
  const { code, text } = DISK[errno]!
  return {
    code,
    message: `${text} (${errno}): the send's progress could not be saved. Free some space or fix the disk; nothing is lost, and the send finishes when it is started again.`
  }
}

// ---- the journal's file seam ------------------------------------------------------------------
// The journal appends through this layer, so a test (or a planted fault) can make the disk full
// at a chosen write without a full disk: e.g. write to /dev/full, which answers ENOSPC.

/** The operations the journal needs on its append-only log. */
export interface AppendFile {
  write(data: string): Promise<unknown>
  sync(): Promise<void>
  close(): Promise<void>
}

export interface FsLayer {
  /** Open `path` for appending (created if missing). */
  openAppend(path: string): Promise<AppendFile>
}

const realFs: FsLayer = { openAppend: (path) => open(path, 'a') }
let currentFs: FsLayer = realFs

/** The file layer in use (the real one unless a test replaced it). */
export function fsLayer(): FsLayer {
  return currentFs
}

/** Replace the file layer (tests); null restores the real one. */
export function setFsLayer(layer: FsLayer | null): void {
  currentFs = layer ?? realFs
}
