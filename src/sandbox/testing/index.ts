// The sandbox as tests, `npm run sandbox` and `npm run web` run it: the product emulator
// (../index.ts) with its test surfaces attached — fault injection, the admin HTTP API under
// /_sandbox/ and the request log. The desktop app never loads this folder.
import { startSandbox } from '../index'
import type { RequestRecord, RunningSandbox, SandboxOptions } from '../types'
import { ADMIN_PREFIX, handleAdmin } from './admin'
import { applyFault, FaultSet, type FaultRule } from './faults'

export type { FaultRule } from './faults'
export { ADMIN_PREFIX } from './admin'

/** A logged request; `fault` names the injected fault that applied to it, if any. */
export interface RequestLogEntry extends RequestRecord {
  fault?: FaultRule['kind']
}

/** A sandbox with its test surfaces. */
export interface TestSandbox extends RunningSandbox {
  /** API and storage requests, oldest first (the last 10,000; admin calls are not logged). */
  log: RequestLogEntry[]
  injectFault(rule: FaultRule): void
  clearFaults(): void
}

const MAX_LOG = 10_000

/** Starts a sandbox (see startSandbox) with fault injection, the admin API and a request log. */
export async function startTestSandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  const faults = new FaultSet()
  const log: RequestLogEntry[] = []
  const sandbox = await startSandbox(opts, ({ store, scheduler, limiter, maxJsonBytes }) => ({
    intercept(req, res, path, query) {
      // The admin surface: no faults, no rate limit, not logged.
      if (path !== ADMIN_PREFIX.slice(0, -1) && !path.startsWith(ADMIN_PREFIX)) return false
      const method = (req.method ?? 'GET').toUpperCase()
      return handleAdmin(
        { store, scheduler, limiter, faults, log },
        req,
        res,
        method,
        path,
        query
      ).then(() => true)
    },
    beforeAct: (x) =>
      applyFault(faults, x, maxJsonBytes, (kind) => {
        ;(x.record as RequestLogEntry).fault = kind
      }),
    onRecord(record) {
      log.push(record)
      if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG)
    }
  }))
  return Object.assign(sandbox, {
    log,
    injectFault: (rule: FaultRule) => faults.add(rule),
    clearFaults: () => faults.clear()
  })
}
