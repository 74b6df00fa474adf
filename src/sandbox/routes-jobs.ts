// Routes: print jobs — the queue as lists and search, and the operator's operations on it.
import type {
  PartialPrintJobInsert,
  PrintJobOperationRequest,
  ReorderPrintJobRequest
} from '../shared/printago/api-types'
import { troubleshoot } from './matching'
import {
  cancelJobs,
  clearJobs,
  moveToFront,
  pauseJobs,
  reorderJob,
  resumeJobs,
  retryJobs,
  updateJob
} from './queue'
import { list, need, ok, param, searched, type Route } from './route-kit'
import { searchBodySchema } from './search'
import { permissionOf } from './spec'
import type { SandboxStore } from './store'

/** A PATCH /v1/print-jobs/<op> route: `{printJobIds}` in, the affected ids out. */
function operation(op: string, run: (store: SandboxStore, ids: string[]) => string[]): Route {
  return {
    method: 'PATCH',
    pattern: `/v1/print-jobs/${op}`,
    specPath: `/v1/print-jobs/${op}`,
    handler: ({ body, store }) => ok(run(store, (body as PrintJobOperationRequest).printJobIds))
  }
}

export const JOB_ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: '/v1/print-jobs',
    specPath: '/v1/print-jobs',
    handler: (ctx) => ok(list([...ctx.store.state.printJobs.values()], ctx, 'PrintJob'))
  },
  {
    method: 'POST',
    pattern: '/v1/print-jobs/search',
    permission: permissionOf('post', '/v1/print-jobs/search'),
    inlineBodySchema: searchBodySchema('SearchQueryDtoPrintJob'),
    handler: (ctx) => searched([...ctx.store.state.printJobs.values()], ctx, 'PrintJob')
  },
  operation('cancel', cancelJobs),
  operation('retry', retryJobs),
  operation('pause', pauseJobs),
  operation('resume', resumeJobs),
  operation('clear', clearJobs),
  operation('move-to-queue-front', moveToFront),
  {
    method: 'GET',
    pattern: '/v1/print-jobs/:id',
    specPath: '/v1/print-jobs/{id}',
    handler: (ctx) =>
      ok(need(ctx.store.state.printJobs.get(param(ctx, 'id')), 'Print job', param(ctx, 'id')))
  },
  {
    method: 'PATCH',
    pattern: '/v1/print-jobs/:id',
    specPath: '/v1/print-jobs/{id}',
    handler: (ctx) => ok(updateJob(ctx.store, param(ctx, 'id'), ctx.body as PartialPrintJobInsert))
  },
  {
    // The spec gives this answer no schema: an empty 200, like a NestJS handler returning void.
    method: 'PATCH',
    pattern: '/v1/print-jobs/:id/reorder',
    specPath: '/v1/print-jobs/{id}/reorder',
    handler: (ctx) => {
      reorderJob(ctx.store, param(ctx, 'id'), ctx.body as ReorderPrintJobRequest)
      return ok(undefined)
    }
  },
  {
    method: 'GET',
    pattern: '/v1/print-jobs/:id/matching-troubleshoot',
    specPath: '/v1/print-jobs/{id}/matching-troubleshoot',
    handler: (ctx) => {
      const job = need(
        ctx.store.state.printJobs.get(param(ctx, 'id')),
        'Print job',
        param(ctx, 'id')
      )
      return ok(troubleshoot(ctx.store, job))
    }
  }
]
