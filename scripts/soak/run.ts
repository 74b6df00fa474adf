// What a fault class's run gets, and the pieces every class uses: planning a send (files, labels,
// routing — and the intents the oracle will hold it to) and the old soak's transient faults.
import { randomUUID } from 'node:crypto'

import { markerFor } from '../../src/core/send/marker'
import type { SendRequest } from '../../src/shared/send'
import type { FaultRule } from '../../src/sandbox/testing'
import type { Dice } from './random'
import type { LateRule } from './relay'
import type { FileRef, World } from './world'

export interface RunContext {
  readonly world: World
  readonly d: Dice
  readonly run: number
  /** The fault class this run exercises. */
  readonly cls: string
  /** The class's fault took effect (`variant` names which kind, for the report). */
  fired(variant?: string): void
}

export interface FaultClass {
  readonly name: string
  /** One sentence for `--help` and the report. */
  readonly what: string
  run(ctx: RunContext): Promise<void>
}

export interface PlannedSend {
  request: SendRequest
  files: FileRef[]
  /** The job id the driver gives a send it starts in process (so its markers are known). */
  jobId: string
  /** One user label for all files (the CLI's --label) or one each. */
  labels: string[]
}

let labels = 0

/** A send of 1–`max` files with unique labels (each file copy is one intent of the ledger). */
export async function planSend(
  ctx: RunContext,
  options: { max?: number; oneLabel?: boolean } = {}
): Promise<PlannedSend> {
  const { d } = ctx
  const count = d.int(1, options.max ?? 3)
  const files: FileRef[] = []
  while (files.length < count) {
    const f = await ctx.world.file(d, `r${ctx.run}`)
    // One copy of a file per send: its label and bytes name one intent.
    if (!files.some((x) => x.sha256 === f.sha256)) files.push(f)
  }
  const base = `${ctx.cls}-r${ctx.run}-${++labels}`
  const quantity = d.int(1, 3)
  const label = (i: number): string =>
    options.oneLabel
      ? base
      : d.chance(0.1)
        ? `${base}-${i} ${'ü€'.repeat(d.int(1, 3))}`
        : `${base}-${i}`
  const names = files.map((_, i) => label(i))
  const request: SendRequest = {
    items: files.map((f, i) => ({
      path: f.path,
      quantity,
      label: names[i]!,
      ...(d.chance(0.15) ? { priority: 'low' as const } : {}),
      ...(d.chance(0.15) ? { position: 'front' as const } : {})
    })),
    routing: d.chance(0.5) ? { mode: 'any' } : { mode: 'tags', tags: ['PLA'] }
  }
  return { request, files, jobId: randomUUID(), labels: names }
}

/**
 * Adds the planned send's file copies to the ledger. `markerJob`: only that job's builds count
 * for them (a Print again, a deliberate second copy); without it any build of ours with the
 * label and bytes does (a send that may be resumed under another job).
 */
export function intend(ctx: RunContext, p: PlannedSend, via: string, markerJob?: string): void {
  p.files.forEach((f, i) =>
    ctx.world.ledger.add({
      run: ctx.run,
      cls: ctx.cls,
      label: p.request.items[i]!.label!,
      sha256: f.sha256,
      quantity: p.request.items[i]!.quantity,
      via,
      ...(markerJob ? { marker: markerFor(markerJob, i) } : {})
    })
  )
}

const API_TARGETS: Array<{ method: string; path: string | RegExp }> = [
  { method: 'POST', path: '/v1/storage/signed-upload-urls' },
  { method: 'POST', path: '/v1/parts' },
  { method: 'GET', path: '/v1/parts' },
  { method: 'POST', path: '/v2/builds' },
  { method: 'GET', path: '/v1/part-builds' },
  { method: 'PUT', path: /^\/_storage\// }
]

/** Real time the sandbox sits on a request: past the in-process client's 150 ms timeout. */
export const SLOW_MS = 300

/**
 * The old soak's faults, at most one rule per endpoint (no endpoint fails more often in a row
 * than the retry budgets absorb): short 429s, 5xx that do not act, answers slower than the
 * client waits (the server still acts), resets, answers dropped after acting, expired URLs.
 */
export function transientFaults(d: Dice, max = 3): FaultRule[] {
  const faults: FaultRule[] = []
  for (const target of d.shuffle(API_TARGETS).slice(0, d.int(1, max))) {
    const times = d.int(1, 2)
    const r = d.next()
    if (target.path instanceof RegExp && r < 0.3) {
      faults.push({
        ...target,
        kind: 'status',
        status: 403,
        body: { message: 'Request has expired' }
      })
    } else if (r < 0.15) {
      faults.push({
        ...target,
        kind: 'status',
        status: 429,
        headers: { 'retry-after': '0' },
        times
      })
    } else if (r < 0.25) {
      faults.push({ ...target, kind: 'status', status: 429, times })
    } else if (r < 0.45) {
      faults.push({ ...target, kind: 'status', status: d.pick([500, 502, 503]), times })
    } else if (r < 0.6) {
      faults.push({ ...target, kind: 'delay', delayMs: SLOW_MS })
    } else if (r < 0.8) {
      faults.push({ ...target, kind: 'reset', times })
    } else {
      faults.push({ ...target, kind: 'drop-after', times })
    }
  }
  return faults
}

/**
 * A gateway's early 5xx for `path` (the request reaches Printago up to SLOW_MS later): mostly 504,
 * the gateway timeout, and often with a JSON body that looks like Printago's own.
 */
export function gatewayLate(d: Dice, path: string): LateRule {
  return {
    method: 'POST',
    path,
    status: d.pick([502, 503, 504, 504] as const),
    body: d.pick(['html', 'text', 'json', 'json'] as const),
    forwardAfterMs: d.int(10, SLOW_MS)
  }
}

/** Faults that leave a build request in doubt, the server having acted or not (yet). */
export function inDoubtBuildFault(ctx: RunContext): string {
  const { d, world } = ctx
  const path = '/v2/builds'
  const kind = d.pick(['reset', 'drop-after', 'slow', 'gateway-late', 'status-after'] as const)
  if (kind === 'gateway-late') {
    world.relay.late(gatewayLate(d, path))
  } else if (kind === 'slow') {
    world.sandbox.injectFault({ method: 'POST', path, kind: 'delay', delayMs: SLOW_MS })
  } else if (kind === 'status-after') {
    world.sandbox.injectFault({
      method: 'POST',
      path,
      kind: 'status-after',
      status: d.pick([502, 503, 504]),
      bodyStyle: d.pick(['html', 'text'] as const)
    })
  } else world.sandbox.injectFault({ method: 'POST', path, kind })
  return kind
}

/** A place in the sandbox's request log (it keeps the last 10,000 entries). */
export type LogMark = { entry: unknown; length: number }

export function logMark(world: World): LogMark {
  return { entry: world.sandbox.log.at(-1), length: world.sandbox.log.length }
}

/** Log entries after `mark`. */
export function logSince(world: World, mark: LogMark): World['sandbox']['log'] {
  const log = world.sandbox.log
  const at = mark.entry === undefined ? -1 : log.lastIndexOf(mark.entry as (typeof log)[number])
  return log.slice(at + 1)
}

/** Jobs of the journal (as the open service holds it) that still carry one of these labels. */
export function unfinishedWith(
  jobs: Iterable<{ status: string; request: SendRequest }>,
  labels: string[]
): boolean {
  for (const j of jobs) {
    if (j.status === 'active' && j.request.items.some((it) => labels.includes(it.label ?? '')))
      return true
  }
  return false
}
