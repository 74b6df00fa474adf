// The sandbox as tests, `npm run sandbox` and `npm run web` run it: the product emulator
// (../index.ts) with its test surfaces attached — fault injection, the admin HTTP API under
// /_sandbox/ and the request log. The desktop app never loads this folder.
import type { BuildConfigV2, PartBuild, PartBuildConfigV2 } from '../../shared/printago/api-types'
import { createBuildsV2 } from '../builds'
import { startSandbox, type SandboxInternals } from '../index'
import type { RequestRecord, RunningSandbox, SandboxOptions } from '../types'
import { ADMIN_PREFIX, handleAdmin } from './admin'
import { applyFault, FaultSet, type FaultRule } from './faults'

export type { FaultRule } from './faults'
export { ADMIN_PREFIX } from './admin'

/** A logged request; `fault` names the injected fault that applied to it, if any. */
export interface RequestLogEntry extends RequestRecord {
  fault?: FaultRule['kind']
  /** For 'status-after': the status the sandbox produced before the fault replaced it. */
  actedStatus?: number
}

/** A sandbox with its test surfaces. */
export interface TestSandbox extends RunningSandbox {
  /** API and storage requests, oldest first (the last 10,000; admin calls are not logged). */
  log: RequestLogEntry[]
  injectFault(rule: FaultRule): void
  clearFaults(): void
  /**
   * Creates builds as another client of the store would (same effect as POST /v2/builds with
   * another key, but no HTTP, no rate limit, no log entry): e.g. a look-alike of a build the
   * client under test is about to send. Throws the API's error (e.g. 404 unknown part).
   */
  createBuilds(config: BuildConfigV2): PartBuild[]
  /** createBuilds for one part entry; returns its PartBuild. */
  createBuild(entry: PartBuildConfigV2): PartBuild
}

const MAX_LOG = 10_000

/** Starts a sandbox (see startSandbox) with fault injection, the admin API and a request log. */
export async function startTestSandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  const faults = new FaultSet()
  const log: RequestLogEntry[] = []
  let internals: SandboxInternals | undefined
  const sandbox = await startSandbox(opts, (parts) => {
    internals = parts
    const { store, scheduler, limiter, maxJsonBytes } = parts
    return {
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
        applyFault(faults, x, maxJsonBytes, (kind, actedStatus) => {
          const entry = x.record as RequestLogEntry
          entry.fault = kind
          if (actedStatus !== undefined) entry.actedStatus = actedStatus
        }),
      onRecord(record) {
        log.push(record)
        if (log.length > MAX_LOG) log.splice(0, log.length - MAX_LOG)
      }
    }
  })
  const store = internals!.store
  const createBuilds = (config: BuildConfigV2): PartBuild[] => createBuildsV2(store, config)
  return Object.assign(sandbox, {
    log,
    injectFault: (rule: FaultRule) => faults.add(rule),
    clearFaults: () => faults.clear(),
    createBuilds,
    createBuild: (entry: PartBuildConfigV2) => createBuilds({ parts: [entry] })[0]!
  })
}
