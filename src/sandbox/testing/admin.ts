// Out-of-process test hooks under /_sandbox/* (header `x-sandbox-admin: 1` required). Test tooling
// only: attached by ./index.ts (startTestSandbox), never part of the desktop app's emulator.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { BuildConfigV2, Printer } from '../../shared/printago/api-types'
import { createBuildsV2 } from '../builds'
import { schemaValidator } from '../spec'
import { assertBody } from '../validation'
import { faultFromJson, type FaultSet } from './faults'
import { HttpError, nestBody, nestError, parseJson, readBody, writeJson } from '../http'
import type { SlidingWindowLimiter } from '../rate-limit'
import type { Scheduler } from '../scheduler'
import type { SandboxStore } from '../store'
import type { RequestLogEntry } from './index'

export const ADMIN_PREFIX = '/_sandbox/'

/** What the admin surface can reach. */
export interface AdminDeps {
  store: SandboxStore
  scheduler: Scheduler
  faults: FaultSet
  limiter: SlidingWindowLimiter
  log: RequestLogEntry[]
}

/** A compact picture of the sandbox for tests and debugging. */
export function stateSummary(deps: AdminDeps): Record<string, unknown> {
  const { state } = deps.store
  const byStatus: Record<string, number> = {}
  for (const j of state.printJobs.values()) byStatus[j.status] = (byStatus[j.status] ?? 0) + 1
  return {
    storeId: deps.store.storeId,
    speed: deps.scheduler.getSpeed(),
    counts: {
      parts: state.parts.size,
      partBuilds: state.partBuilds.size,
      printJobs: state.printJobs.size,
      printers: state.printers.size,
      uploads: state.uploads.size
    },
    jobsByStatus: byStatus,
    builds: [...state.partBuilds.values()].map((b) => ({
      id: b.id,
      partId: b.partId,
      label: b.label,
      quantity: b.quantity,
      tags: b.requiredPrinterTags,
      status: b.status,
      printStatus: b.printStatus,
      jobs: deps.store.jobsOf(b.id).map((j) => ({
        id: j.id,
        status: j.status,
        assignedPrinterId: j.assignedPrinterId
      }))
    })),
    printers: [...state.printers.values()].map((p) => ({
      id: p.id,
      name: p.name,
      enabled: p.enabled,
      isOnline: p.isOnline,
      isAvailable: p.isAvailable,
      confirmedReady: p.confirmedReady,
      isInMaintenance: p.isInMaintenance,
      continuousPrint: p.continuousPrint,
      requiresApproval: deps.store.settingsOf(p.id).requiresApproval,
      printingJobId: p.printingJobId,
      loaded: deps.store.loadedSlots(p.id).map((s) => s.slot.materialType)
    }))
  }
}

const PRINTER_PATCHABLE = new Set([
  'isOnline',
  'isAvailable',
  'confirmedReady',
  'enabled',
  'tags',
  'name',
  'isInMaintenance',
  'continuousPrint',
  'fabmaticRemainingJobs',
  'lastPrintedAt',
  'nozzleDiameter'
])

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  const buf = await readBody(req, 1 << 20)
  return buf.length ? parseJson(buf) : {}
}

/** Handles one admin request. */
export async function handleAdmin(
  deps: AdminDeps,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
  query: URLSearchParams
): Promise<void> {
  try {
    if (req.headers['x-sandbox-admin'] !== '1') {
      throw new HttpError(
        403,
        nestBody(403, 'Sandbox admin requests need the header x-sandbox-admin: 1')
      )
    }
    const route = `${method} ${path.replace(/\/$/, '')}`
    if (route === 'POST /_sandbox/faults') {
      const rule = faultFromJson(await jsonBody(req))
      try {
        deps.faults.add(rule)
      } catch (e) {
        throw nestError(400, e instanceof Error ? e.message : 'invalid fault')
      }
      return writeJson(res, 201, { ok: true })
    }
    if (route === 'DELETE /_sandbox/faults') {
      deps.faults.clear()
      return writeJson(res, 200, { ok: true })
    }
    if (route === 'GET /_sandbox/log') {
      const since = Number(query.get('since') ?? 0)
      return writeJson(
        res,
        200,
        deps.log.filter((e) => e.at >= since)
      )
    }
    if (route === 'GET /_sandbox/state') return writeJson(res, 200, stateSummary(deps))
    if (route === 'POST /_sandbox/tick') {
      const body = (await jsonBody(req)) as { steps?: unknown }
      const steps = Math.min(1000, Math.max(1, Number(body.steps ?? query.get('steps') ?? 1) || 1))
      for (let i = 0; i < steps; i++) deps.scheduler.tick()
      return writeJson(res, 200, stateSummary(deps))
    }
    if (route === 'POST /_sandbox/speed') {
      const { speed } = (await jsonBody(req)) as { speed?: unknown }
      if (typeof speed !== 'number' || !Number.isFinite(speed) || speed < 0) {
        throw nestError(400, 'speed must be a finite number ≥ 0')
      }
      deps.scheduler.setSpeed(speed)
      return writeJson(res, 200, { speed })
    }
    if (route === 'POST /_sandbox/builds') {
      // A build from "another client": validated like POST /v2/builds, not rate limited or logged.
      const body = await jsonBody(req)
      const error = assertBody(schemaValidator('BuildConfigV2'), body)
      if (error) throw new HttpError(400, error)
      return writeJson(res, 201, {
        partBuilds: createBuildsV2(deps.store, body as BuildConfigV2),
        skuBuilds: []
      })
    }
    if (route === 'DELETE /_sandbox/rate-limits') {
      deps.limiter.reset()
      return writeJson(res, 200, { ok: true })
    }
    const m = /^PATCH \/_sandbox\/printers\/([^/]+)$/.exec(route)
    if (m?.[1]) {
      const p = deps.store.state.printers.get(m[1])
      if (!p) throw nestError(404, `Printer ${m[1]} not found`)
      const body = (await jsonBody(req)) as Record<string, unknown>
      const patch = Object.fromEntries(
        Object.entries(body ?? {}).filter(([k]) => PRINTER_PATCHABLE.has(k))
      )
      if (typeof body?.requiresApproval === 'boolean') {
        deps.store.setSettings(p.id, { requiresApproval: body.requiresApproval })
      }
      deps.store.patchPrinter(p, patch as Partial<Printer>)
      return writeJson(res, 200, p)
    }
    throw new HttpError(404, {
      statusCode: 404,
      message: `Cannot ${method} ${path}`,
      error: 'Not Found'
    })
  } catch (e) {
    const err =
      e instanceof HttpError ? e : new HttpError(500, nestBody(500, 'Internal server error'))
    if (!req.readableEnded) req.resume()
    writeJson(res, err.status, err.body, err.headers)
  }
}
