// `printers:list`: the store's printers from the session's cache (within its request budget); a
// failed refresh serves the last known list marked stale instead of an empty screen.
import type { PrinterList } from '../../shared/ipc'
import { ok } from '../../shared/result'
import { needStore, toAppError, toFailure } from './failure'
import { withSession, type CoreContext, type DomainHandlers } from './context'

export function printersHandlers(ctx: CoreContext): DomainHandlers<'printers'> {
  return {
    'printers:list': async (payload) =>
      withSession<PrinterList>(
        ctx,
        async (session) => {
          try {
            return ok(await session.printers.list({ refresh: payload?.refresh === true }))
          } catch (err) {
            const last = session.printers.current()
            return last ? ok({ ...last, stale: toAppError(err) }) : toFailure(err)
          }
        },
        needStore
      )
  }
}
