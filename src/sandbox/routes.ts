// The Printago API routes the sandbox implements, with their handlers.
import type {
  BuildConfigV2,
  LegacyBuildConfig,
  PartInsertWithMaterials,
  Printer,
  PrintJobOperationRequest,
  SignedUploadUrlsRequest
} from '../shared/printago/api-types'
import { createBuildsV1, createBuildsV2 } from './builds'
import { nestError } from './http'
import { applyListQuery, type ListResult } from './list-query'
import { troubleshoot } from './matching'
import { schemaFields } from './spec'
import type { SandboxStore } from './store'
import type { ObjectStorage } from './storage'

/** What a handler gets. */
export interface RouteContext {
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
  store: SandboxStore
  storage: ObjectStorage
  baseUrl: string
}

/** A handler's result: status + JSON body (`undefined` = empty body). */
export interface RouteResult {
  status: number
  body: unknown
}

/** One API route. `specPath` names the operation in the OpenAPI subset (for body schema/permission). */
export interface Route {
  method: string
  pattern: string
  specPath?: string
  /** Request body schema (component name) when not taken from the spec. */
  bodySchema?: string
  inlineBodySchema?: Record<string, unknown>
  permission?: string
  handler(ctx: RouteContext): RouteResult
}

const ok = (body: unknown): RouteResult => ({ status: 200, body })
const created = (body: unknown): RouteResult => ({ status: 201, body })

function list(rows: object[], ctx: RouteContext, schema: string): ListResult {
  return applyListQuery(rows as Record<string, unknown>[], ctx.query, schemaFields(schema))
}

function need<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined) throw nestError(404, `${what} ${id} not found`)
  return value
}

function partOf(
  store: SandboxStore,
  id: string
): NonNullable<ReturnType<SandboxStore['state']['parts']['get']>> {
  return need(store.state.parts.get(id), 'Part', id)
}

const CONFIRM_READY_SCHEMA = {
  type: 'object',
  properties: { ready: { type: 'boolean' }, ids: { type: 'array', items: { type: 'string' } } },
  required: ['ready', 'ids']
}

/** The route table (first match wins). */
export const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/stores',
    specPath: '/v1/stores',
    handler: ({ store }) => ok([store.store()])
  },
  {
    method: 'POST',
    pattern: '/v1/storage/signed-upload-urls',
    specPath: '/v1/storage/signed-upload-urls',
    handler: ({ body, storage, store, baseUrl }) => {
      const { filenames } = body as SignedUploadUrlsRequest
      return created({ signedUrls: storage.signUploads(store.storeId, filenames, baseUrl) })
    }
  },
  {
    method: 'GET',
    pattern: '/v1/parts',
    specPath: '/v1/parts',
    handler: (ctx) => ok(list([...ctx.store.state.parts.values()], ctx, 'Part'))
  },
  {
    method: 'POST',
    pattern: '/v1/parts',
    specPath: '/v1/parts',
    handler: ({ body, store }) => created(store.createPart(body as PartInsertWithMaterials))
  },
  {
    method: 'GET',
    pattern: '/v1/parts/:id',
    specPath: '/v1/parts/{id}',
    handler: ({ params, store }) => ok(partOf(store, params.id ?? ''))
  },
  {
    // Not in the subset; lets tests simulate "the part is gone". Printago answers an id array.
    method: 'DELETE',
    pattern: '/v1/parts/:id',
    permission: 'part.delete',
    handler: ({ params, store }) => {
      store.deletePart(params.id ?? '')
      return ok([params.id])
    }
  },
  {
    method: 'POST',
    pattern: '/v2/builds',
    specPath: '/v2/builds',
    handler: ({ body, store }) =>
      created({
        partBuilds: createBuildsV2(store, body as BuildConfigV2),
        skuBuilds: []
      })
  },
  {
    method: 'POST',
    pattern: '/v1/builds',
    specPath: '/v1/builds',
    handler: ({ body, store }) =>
      created({
        partBuilds: createBuildsV1(store, body as LegacyBuildConfig),
        skuBuilds: []
      })
  },
  {
    method: 'GET',
    pattern: '/v1/part-builds',
    specPath: '/v1/part-builds',
    handler: (ctx) => {
      const rows = [...ctx.store.state.partBuilds.values()].map((b) => ctx.store.withRelations(b))
      return ok(list(rows, ctx, 'PartBuildWithRelation'))
    }
  },
  {
    method: 'GET',
    pattern: '/v1/part-builds/:id',
    specPath: '/v1/part-builds/{id}',
    handler: ({ params, store }) => {
      // Documented as "or undefined if not found": 200 with an empty body, not 404.
      const build = store.state.partBuilds.get(params.id ?? '')
      return ok(build ? store.withRelations(build) : undefined)
    }
  },
  {
    method: 'GET',
    pattern: '/v1/printers',
    specPath: '/v1/printers',
    handler: (ctx) => ok(list([...ctx.store.state.printers.values()], ctx, 'Printer'))
  },
  {
    // Not in the subset (real: PATCH /v1/printers/confirm-ready, printer.ready): marks beds clear.
    method: 'PATCH',
    pattern: '/v1/printers/confirm-ready',
    inlineBodySchema: CONFIRM_READY_SCHEMA,
    permission: 'printer.ready',
    handler: ({ body, store }) => {
      const { ready, ids } = body as { ready: boolean; ids: string[] }
      const out: Printer[] = []
      for (const id of ids) {
        const p = store.state.printers.get(id)
        if (!p) continue
        store.patchPrinter(p, { confirmedReady: ready })
        out.push(p)
      }
      return ok(out)
    }
  },
  {
    method: 'GET',
    pattern: '/v1/printers/:id',
    specPath: '/v1/printers/{id}',
    handler: ({ params, store }) =>
      ok(need(store.state.printers.get(params.id ?? ''), 'Printer', params.id ?? ''))
  },
  {
    method: 'GET',
    pattern: '/v1/print-jobs',
    specPath: '/v1/print-jobs',
    handler: (ctx) => ok(list([...ctx.store.state.printJobs.values()], ctx, 'PrintJob'))
  },
  {
    method: 'PATCH',
    pattern: '/v1/print-jobs/cancel',
    specPath: '/v1/print-jobs/cancel',
    handler: ({ body, store }) =>
      ok(store.cancelJobs((body as PrintJobOperationRequest).printJobIds))
  },
  {
    method: 'PATCH',
    pattern: '/v1/print-jobs/retry',
    specPath: '/v1/print-jobs/retry',
    handler: ({ body, store }) =>
      ok(store.retryJobs((body as PrintJobOperationRequest).printJobIds))
  },
  {
    method: 'GET',
    pattern: '/v1/print-jobs/:id',
    specPath: '/v1/print-jobs/{id}',
    handler: ({ params, store }) =>
      ok(need(store.state.printJobs.get(params.id ?? ''), 'Print job', params.id ?? ''))
  },
  {
    method: 'GET',
    pattern: '/v1/print-jobs/:id/matching-troubleshoot',
    specPath: '/v1/print-jobs/{id}/matching-troubleshoot',
    handler: ({ params, store }) => {
      const job = need(store.state.printJobs.get(params.id ?? ''), 'Print job', params.id ?? '')
      return ok(troubleshoot(job, [...store.state.printers.values()]))
    }
  }
]

/** Finds the route for `method path` (NestJS answers 404 for a wrong method too). */
export function matchRoute(
  method: string,
  path: string
): { route: Route; params: Record<string, string> } | undefined {
  const segs = path.split('/')
  for (const route of ROUTES) {
    if (route.method !== method) continue
    const pat = route.pattern.split('/')
    if (pat.length !== segs.length) continue
    const params: Record<string, string> = {}
    let hit = true
    for (let i = 0; i < pat.length && hit; i++) {
      const p = pat[i] ?? ''
      const s = segs[i] ?? ''
      if (p.startsWith(':')) {
        if (!s) hit = false
        else {
          try {
            params[p.slice(1)] = decodeURIComponent(s)
          } catch {
            params[p.slice(1)] = s
          }
        }
      } else if (p !== s) hit = false
    }
    if (hit) return { route, params }
  }
  return undefined
}
