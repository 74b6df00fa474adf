// `files:hash`: a dropped file's size and SHA-256 (the same hash flags a file dropped twice).
import { fail, ok } from '../../shared/result'
import { hashFile } from '../infra/hash'
import type { CoreContext, DomainHandlers } from './context'

export function filesHandlers(_ctx: CoreContext): DomainHandlers<'files'> {
  return {
    'files:hash': async ({ path }) => {
      try {
        const h = await hashFile(path)
        return ok({ path, name: path.split(/[\\/]/).pop() ?? path, size: h.size, sha256: h.sha256 })
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        if (code === 'ENOENT') return fail('not-found', `The file ${path} no longer exists.`)
        if (code === 'EISDIR') return fail('is-directory', `${path} is a folder, not a file.`)
        if (code === 'EACCES' || code === 'EPERM')
          return fail('unreadable', `No permission to read ${path}.`)
        return fail('unreadable', `Could not read ${path}: ${(err as Error).message}`)
      }
    }
  }
}
