// 429 with Retry-After of 1–60 s on the virtual clock (seconds or an HTTP-date; sometimes with
// throttler-style x-ratelimit-* headers), on any API call including the build: the client must
// not send anything before the time is up (checked on the sandbox's log, stamped on the same
// clock), and none of it may cost real time.
import type { FaultRule } from '../../../src/sandbox/testing'
import { finishInProcess } from '../finish'
import { intend, logMark, logSince, planSend, type FaultClass } from '../run'
import { firstSend, openService } from '../service-actor'

const TARGETS = [
  { method: 'POST', path: '/v2/builds' },
  { method: 'POST', path: '/v1/parts' },
  { method: 'GET', path: '/v1/parts' },
  { method: 'GET', path: '/v1/part-builds' },
  { method: 'POST', path: '/v1/storage/signed-upload-urls' }
]

export const retryAfter: FaultClass = {
  name: 'retry-after',
  what: '429 with Retry-After 1–60 s (seconds or HTTP-date, x-ratelimit headers) on a virtual clock; no request before it is up',
  async run(ctx) {
    const { world, d } = ctx
    // Requests of earlier runs still on their way would draw these faults, or land inside the
    // windows checked below.
    await world.quiet.settled()
    const p = await planSend(ctx)
    intend(ctx, p, 'service')
    // Seconds-form waits, in the order their faults will be drawn (checked below).
    const waits: Array<{ method: string; path: string; seconds: number | null }> = []
    for (const t of d.shuffle(TARGETS).slice(0, d.int(1, 2))) {
      const seconds = d.chance(0.5) ? d.int(30, 60) : d.int(1, 29)
      const asDate = d.chance(0.25)
      const headers: Record<string, string> = {
        'retry-after': asDate
          ? new Date(world.time.clock.now() + seconds * 1000).toUTCString()
          : String(seconds)
      }
      if (d.chance(0.4)) {
        Object.assign(headers, {
          'x-ratelimit-limit': '60',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(seconds),
          'retry-after-minute': String(seconds)
        })
      }
      const times = d.int(1, 2)
      const rule: FaultRule = { ...t, kind: 'status', status: 429, headers, times }
      world.sandbox.injectFault(rule)
      for (let k = 0; k < times; k++) {
        waits.push({ method: t.method, path: t.path, seconds: asDate ? null : seconds })
      }
    }
    const mark = logMark(world)
    const actor = await openService(world, d)
    try {
      await firstSend(world, actor, p.request, p.jobId)
    } finally {
      await actor.close()
    }
    // Only this one client ran since `mark`: every API request after a 429 waits it out.
    const log = logSince(world, mark)
    const answered = log.filter((e) => e.fault === 'status' && e.status === 429)
    for (const e of answered) {
      // GET and POST /v1/parts share a path: a wait belongs to its method and path.
      const i = waits.findIndex((w) => w.method === e.method && w.path === e.path)
      const wait = i >= 0 ? waits.splice(i, 1)[0]! : undefined
      ctx.fired(
        wait?.seconds === null ? 'HTTP-date' : (wait?.seconds ?? 0) >= 30 ? '30–60 s' : '1–29 s'
      )
      if (!wait || wait.seconds === null) continue
      const early = log.filter(
        (x) => !x.path.startsWith('/_storage/') && x.at > e.at && x.at < e.at + wait.seconds! * 1000
      )
      if (early.length > 0) {
        world.count('requests before Retry-After was up', early.length)
        world.verbose(
          `run ${ctx.run}: ${early.length} request(s) within ${wait.seconds} s of a 429 on ${e.method} ${e.path}: ` +
            early
              .map((x) => `${x.method} ${x.path} +${((x.at - e.at) / 1000).toFixed(1)} s`)
              .join(', ')
        )
      }
    }
    world.sandbox.clearFaults()
    await finishInProcess(ctx, p)
  }
}
