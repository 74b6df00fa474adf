// `history:*`: the active store's job history and what the user can do with an entry. Expected
// failures of the actions (and Printago's) come back as data.
import type { HistorySnapshot } from '../../shared/history'
import { fail, ok, type Result } from '../../shared/result'
import {
  cancelEntry,
  HistoryActionError,
  reprintEntry,
  retryEntry,
  type HistoryActionDeps
} from '../history/actions'
import { exportHistoryCsv } from '../history/export-csv'
import { troubleshootJob } from '../history/troubleshoot'
import { queueOperation, slicerLog, type QueueActionDeps } from '../history/queue-actions'
import type { StoreSession } from '../session'
import { needStore, toFailure } from './failure'
import type { CoreContext, DomainHandlers } from './context'

const NO_HISTORY: HistorySnapshot = { entries: [], sync: { mode: 'offline', lastSyncAt: null } }

export function historyHandlers(ctx: CoreContext): DomainHandlers<'history'> {
  const deps = (session: StoreSession): HistoryActionDeps => ({
    store: session.history,
    client: session.client,
    reprint: (request) => session.reprint(request),
    now: () => ctx.clock.now(),
    printers: () =>
      (session.printers.current()?.printers ?? []).map((p) => ({
        id: p.id,
        name: p.name,
        tags: p.tags
      }))
  })

  const queueDeps = (session: StoreSession): QueueActionDeps => ({
    store: session.history,
    client: session.client,
    now: () => ctx.clock.now(),
    queueChanged: () => session.sync?.queueChanged()
  })

  async function withHistory<T>(fn: (session: StoreSession) => Promise<T>): Promise<Result<T>> {
    const session = await ctx.sessions.current()
    if (!session) return needStore()
    try {
      return ok(await fn(session))
    } catch (err) {
      if (err instanceof HistoryActionError) return fail(err.code, err.message)
      return toFailure(err)
    }
  }

  return {
    'history:list': async () => {
      const session = await ctx.sessions.current()
      return ok(session?.sync?.snapshot() ?? NO_HISTORY)
    },
    'history:reprint': async (req) =>
      withHistory(async (s) => ({ entry: await reprintEntry(deps(s), req) })),
    'history:cancel': async (req) => withHistory((s) => cancelEntry(deps(s), req)),
    'history:retry': async (req) => withHistory((s) => retryEntry(deps(s), req)),
    'history:troubleshoot': async (req) => withHistory((s) => troubleshootJob(deps(s), req)),
    'history:moveToFront': async (req) =>
      withHistory((s) => queueOperation(queueDeps(s), 'move-to-front', req)),
    'history:pause': async (req) => withHistory((s) => queueOperation(queueDeps(s), 'pause', req)),
    'history:resume': async (req) =>
      withHistory((s) => queueOperation(queueDeps(s), 'resume', req)),
    'history:clearFinished': async (req) =>
      withHistory((s) => queueOperation(queueDeps(s), 'clear', req)),
    'history:slicerLog': async ({ printJobId }) =>
      withHistory((s) => slicerLog(queueDeps(s), printJobId)),
    'history:exportCsv': async () =>
      withHistory(async (s) => exportHistoryCsv(s.history, ctx.clock.now())),
    'history:clear': async () => withHistory(async (s) => ({ cleared: s.history.clear() }))
  }
}
