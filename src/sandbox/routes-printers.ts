// Routes: printers (list, search, delete), the operator's printer controls (bed clear, continuous
// print, maintenance) and the filament slots.
import type {
  ConfirmReadyRequest,
  ContinuousPrintConfig,
  Printer
} from '../shared/printago/api-types'
import { list, need, ok, param, searched, type Route, type RouteContext } from './route-kit'
import { searchBodySchema } from './search'
import { permissionOf } from './spec'
import type { SandboxStore } from './store'

/** Applies `patch` to each known printer of `ids` (unknown ids are skipped); the updated printers. */
function patchEach(
  store: SandboxStore,
  ids: string[],
  patch: (p: Printer) => Partial<Printer>
): Printer[] {
  const out: Printer[] = []
  for (const id of new Set(ids)) {
    const p = store.state.printers.get(id)
    if (!p) continue
    store.patchPrinter(p, patch(p))
    out.push(p)
  }
  return out
}

const slots = (ctx: RouteContext): object[] => [...ctx.store.state.printerSlots.values()]

export const PRINTER_ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/printers',
    specPath: '/v1/printers',
    handler: (ctx) => ok(list([...ctx.store.state.printers.values()], ctx, 'Printer'))
  },
  {
    method: 'DELETE',
    pattern: '/v1/printers',
    specPath: '/v1/printers',
    handler: ({ body, store }) =>
      ok([...new Set((body as { ids: string[] }).ids)].filter((id) => store.deletePrinter(id)))
  },
  {
    method: 'POST',
    pattern: '/v1/printers/search',
    permission: permissionOf('post', '/v1/printers/search'),
    inlineBodySchema: searchBodySchema('SearchQueryDtoPrinter'),
    handler: (ctx) => searched([...ctx.store.state.printers.values()], ctx, 'Printer')
  },
  {
    method: 'PATCH',
    pattern: '/v1/printers/confirm-ready',
    specPath: '/v1/printers/confirm-ready',
    handler: ({ body, store }) => {
      const { ready, ids } = body as ConfirmReadyRequest
      return ok(patchEach(store, ids, () => ({ confirmedReady: ready })))
    }
  },
  {
    // FabMatic / continuous printing: the printer clears its own bed (jobLimit prints, or forever).
    method: 'PATCH',
    pattern: '/v1/printers/continous-print',
    specPath: '/v1/printers/continous-print',
    handler: ({ body, store }) => {
      const { enabled, jobLimit, ids } = body as ContinuousPrintConfig
      return ok(
        patchEach(store, ids, () => ({
          continuousPrint: enabled,
          fabmaticRemainingJobs: enabled ? (jobLimit ?? null) : null
        }))
      )
    }
  },
  {
    method: 'PATCH',
    pattern: '/v1/maintenance/mode',
    specPath: '/v1/maintenance/mode',
    handler: ({ body, store }) => {
      const { printerIds, enabled } = body as { printerIds: string[]; enabled: boolean }
      return ok(
        patchEach(store, printerIds, (p) =>
          p.isInMaintenance === enabled
            ? {}
            : enabled
              ? { isInMaintenance: true, lastMaintenanceOfflineAt: store.clock.stamp() }
              : { isInMaintenance: false, lastMaintenanceOnlineAt: store.clock.stamp() }
        )
      )
    }
  },
  {
    method: 'GET',
    pattern: '/v1/printers/:id',
    specPath: '/v1/printers/{id}',
    handler: (ctx) =>
      ok(need(ctx.store.state.printers.get(param(ctx, 'id')), 'Printer', param(ctx, 'id')))
  },
  {
    method: 'DELETE',
    pattern: '/v1/printers/:id',
    specPath: '/v1/printers/{id}',
    handler: (ctx) => {
      need(ctx.store.state.printers.get(param(ctx, 'id')), 'Printer', param(ctx, 'id'))
      ctx.store.deletePrinter(param(ctx, 'id'))
      return ok([param(ctx, 'id')])
    }
  },
  {
    method: 'GET',
    pattern: '/v1/printer-slots',
    specPath: '/v1/printer-slots',
    handler: (ctx) => ok(list(slots(ctx), ctx, 'PrinterSlot'))
  },
  {
    method: 'GET',
    pattern: '/v1/materials/printer-slots',
    specPath: '/v1/materials/printer-slots',
    handler: (ctx) => ok(slots(ctx))
  }
]
