// `printers:*`: the store's printers from the session's cache (within its request budget), and
// its materials with what each printer has loaded; a failed refresh serves the last known answer
// marked stale instead of an empty screen.
// `printers:confirmReady`: Mark bed clear (the renderer asked the user to confirm first); a key
// without `printer.ready` gets the 403 in words.
import type { MaterialsView, PrinterList, PrinterSummary } from '../../shared/ipc'
import { fail, ok } from '../../shared/result'
import { isPrintagoError } from '../printago/errors'
import { forbiddenMessage } from '../history/queue-actions'
import { createMaterialsCache, type MaterialsCache } from '../printers/materials'
import type { StoreSession } from '../session'
import { needStore, toAppError, toFailure } from './failure'
import { withSession, type CoreContext, type DomainHandlers } from './context'

export function printersHandlers(ctx: CoreContext): DomainHandlers<'printers'> {
  // One materials cache per store session: another store never sees this one's slots.
  const materials = new WeakMap<StoreSession, MaterialsCache>()
  const materialsOf = (session: StoreSession): MaterialsCache => {
    let cache = materials.get(session)
    if (!cache) {
      cache = createMaterialsCache({ client: session.client, clock: ctx.clock })
      materials.set(session, cache)
    }
    return cache
  }
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
      ),
    'printers:materials': async (payload) =>
      withSession<MaterialsView>(
        ctx,
        async (session) => {
          const cache = materialsOf(session)
          try {
            return ok(await cache.list({ refresh: payload?.refresh === true }))
          } catch (err) {
            const last = cache.current()
            return last ? ok({ ...last, stale: toAppError(err) }) : toFailure(err)
          }
        },
        needStore
      ),
    'printers:confirmReady': async ({ printerId }) =>
      withSession<PrinterSummary>(
        ctx,
        async (session) => {
          try {
            return ok(await session.printers.confirmReady(printerId))
          } catch (err) {
            if (isPrintagoError(err) && err.code === 'forbidden')
              return fail('forbidden', forbiddenMessage('printer.ready', 'mark a bed clear'), {
                permission: 'printer.ready'
              })
            return toFailure(err)
          }
        },
        needStore
      )
  }
}
