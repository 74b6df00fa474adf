// `files:hash`: a dropped file's size and SHA-256 (the same hash flags a file dropped twice). The
// one streaming pass that hashes it also runs the engine's check, and its result is cached by file
// identity, so the send that follows reads the file only once more (for the upload).
import { basename } from 'node:path'

import { fail, ok } from '../../shared/result'
import { FileCheckError, inspectAndHashFile } from '../send/file-check'
import type { CoreContext, DomainHandlers } from './context'

export function filesHandlers(_ctx: CoreContext): DomainHandlers<'files'> {
  return {
    'files:hash': async ({ path }, { signal }) => {
      try {
        // The read stops when the window that asked is gone (reload, close): no one is left to
        // tell, and a big file would keep a core busy for nothing.
        const f = await inspectAndHashFile(path, { signal })
        return ok({ path, name: basename(path), size: f.size, sha256: f.sha256 })
      } catch (err) {
        if (signal.aborted)
          return fail('cancelled', `Checking ${path} was stopped: the window that asked is gone.`)
        if (!(err instanceof FileCheckError)) throw err
        if (err.reason === 'missing') return fail('not-found', `The file ${path} no longer exists.`)
        if (err.reason === 'directory')
          return fail('is-directory', `${path} is a folder, not a file.`)
        // The engine's own verdict (the preview shows the same one).
        if (err.reason === 'not-stl') return fail('not-stl', err.message)
        if (err.reason === 'not-3mf') return fail('file', err.message)
        return fail('unreadable', err.message)
      }
    }
  }
}
