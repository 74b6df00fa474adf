// `npm run soak -- --runs N --seed S`: randomized sends against an in-process sandbox with injected
// faults (429 with/without Retry-After, 5xx, delays past the client timeout, resets, answers dropped
// after the server acted, expired upload URLs) and simulated crashes (the pipeline dies at a random
// point — sometimes tearing the journal line it was writing — and a new one resumes from the same
// journal directory). Counts are taken from the sandbox's own state at the end:
//   duplicate = a part build beyond the one an intended send should have produced
//   lost      = an intended send without a part build after the resumes
// Last line: `soak: <N> runs, <d> duplicate builds, <l> lost jobs`; exit 0 only when both are 0.
import { appendFileSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startTestSandbox, type FaultRule, type TestSandbox } from '../src/sandbox/testing'
import { openDedupeCache } from '../src/core/send/dedupe-cache'
import { encodeLine, openJournal } from '../src/core/infra/journal'
import { createPrintagoClient } from '../src/core/printago/client'
import { createRateLimiter } from '../src/core/printago/rate-limiter'
import { userLabel } from '../src/core/send/marker'
import { createSendService, type SendResult } from '../src/core/send/service'
import {
  applySendEntry,
  emptySendState,
  sendStateFromSnapshot,
  sendStateToSnapshot
} from '../src/core/send/state'
import { detachedFetch } from '../src/test-support/http'
import { randomStl } from '../src/test-support/stl'
import type { SendRequest } from '../src/shared/send'

interface Options {
  runs: number
  seed: number
  verbose: boolean
}

function parse(argv: string[]): Options | string {
  const o: Options = { runs: 100, seed: 1, verbose: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!
    const [flag, inline] = a.includes('=')
      ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]
      : [a, undefined]
    const num = (): number => Number(inline ?? argv[++i])
    if (flag === '--runs') o.runs = num()
    else if (flag === '--seed') o.seed = num()
    else if (flag === '--verbose') o.verbose = true
    else return `unknown option ${a}`
  }
  if (!Number.isInteger(o.runs) || o.runs < 0) return '--runs must be a whole number'
  if (!Number.isFinite(o.seed)) return '--seed must be a number'
  return o
}

/** mulberry32: small, seedable, good enough for picking faults. */
function prng(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

// Small timings so a run takes tens of milliseconds: the client gives up after TIMEOUT, the
// sandbox's delay fault answers after DELAY (and still acts), and the pipeline only trusts the
// absence of a build SETTLE after it sent the request.
const TIMEOUT_MS = 120
const DELAY_MS = 250
const SETTLE_MS = Number(process.env['SOAK_SETTLE_MS'] ?? 500)
const MAX_RESTARTS = 6

const API_TARGETS: Array<{ method: string; path: string | RegExp }> = [
  { method: 'POST', path: '/v1/storage/signed-upload-urls' },
  { method: 'POST', path: '/v1/parts' },
  { method: 'GET', path: '/v1/parts' },
  { method: 'POST', path: '/v2/builds' },
  { method: 'GET', path: '/v1/part-builds' },
  { method: 'PUT', path: /^\/_storage\// }
]

function randomFaults(rnd: () => number): FaultRule[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!
  const faults: FaultRule[] = []
  const n = rnd() < 0.25 ? 0 : 1 + Math.floor(rnd() * 3)
  // Transient faults: at most one rule per endpoint per run, so no endpoint fails more often in a
  // row than the retry budgets absorb (a persistent outage is a failed job, tested elsewhere).
  const targets = [...API_TARGETS]
  for (let i = targets.length - 1; i > 0; i--) {
    const k = Math.floor(rnd() * (i + 1))
    ;[targets[i], targets[k]] = [targets[k]!, targets[i]!]
  }
  targets.length = Math.min(n, targets.length)
  for (const target of targets) {
    const times = 1 + Math.floor(rnd() * 2)
    const r = rnd()
    if (target.path instanceof RegExp && r < 0.3) {
      faults.push({
        ...target,
        kind: 'status',
        status: 403,
        body: { message: 'Request has expired' },
        times
      })
    } else if (r < 0.15) {
      // A short Retry-After mostly, a 1 s one now and then (that one is honoured for real).
      faults.push({
        ...target,
        kind: 'status',
        status: 429,
        headers: { 'retry-after': rnd() < 0.1 ? '1' : '0' },
        times
      })
    } else if (r < 0.25) {
      faults.push({ ...target, kind: 'status', status: 429, times })
    } else if (r < 0.45) {
      faults.push({ ...target, kind: 'status', status: pick([500, 502, 503]), times })
    } else if (r < 0.6) {
      faults.push({ ...target, kind: 'delay', delayMs: DELAY_MS, times: 1 })
    } else if (r < 0.8) {
      faults.push({ ...target, kind: 'reset', times })
    } else {
      faults.push({ ...target, kind: 'drop-after', times })
    }
  }
  return faults
}

interface Intent {
  run: number
  label: string
}

async function main(): Promise<number> {
  const opts = parse(process.argv.slice(2))
  if (typeof opts === 'string') {
    process.stderr.write(
      `soak: ${opts}\nUsage: npm run soak -- [--runs N] [--seed S] [--verbose]\n`
    )
    return 2
  }
  const rnd = prng(opts.seed)
  const started = performance.now()
  const dir = await mkdtemp(join(tmpdir(), 'printago-soak-'))
  // Not seeded: seeded sandbox timestamps are synthetic, and reconciliation compares them with
  // the server's Date header like it would with Printago.
  const sandbox: TestSandbox = await startTestSandbox({
    ratePerMinute: 0,
    ratePerHour: 0,
    speed: 0
  })
  const storeDir = join(dir, 'store')
  const journalDir = join(storeDir, 'journal')
  const client = createPrintagoClient({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    storeId: sandbox.storeId,
    timeoutMs: TIMEOUT_MS,
    // Requests we give up on (timeout, crash) still reach the sandbox whole and are acted on,
    // like a real server that already has the body.
    fetch: detachedFetch,
    // A small window so the client-side limiter really paces the soak now and then.
    limiter: createRateLimiter({ windows: [{ limit: 25, windowMs: 200 }] }),
    retry: { baseMs: 5, capMs: 40, retryAfterJitterMs: 10 },
    random: rnd
  })
  const { writeFile } = await import('node:fs/promises')
  const pool: string[] = []
  for (let i = 0; i < 16; i++) {
    const file = join(dir, `part-${i}.stl`)
    await writeFile(file, randomStl(20 + i * 7, opts.seed * 1000 + i))
    pool.push(file)
  }

  const intents: Intent[] = []
  const results = new Map<string, SendResult>()
  let crashes = 0
  let tornWrites = 0
  let issues = 0
  let stuck = 0
  let partsDeleted = 0

  const newService = async (crashAfterWrites: number | null, tearOnCrash: boolean) => {
    const stop = new AbortController()
    let writes = 0
    const journal = await openJournal({
      dir: journalDir,
      empty: emptySendState,
      apply: applySendEntry,
      toSnapshot: (s) => sendStateToSnapshot(s, Date.now()),
      fromSnapshot: sendStateFromSnapshot,
      compactEvery: 200,
      beforeWrite: (entries) => {
        if (stop.signal.aborted) throw new Error('process is dead')
        if (crashAfterWrites !== null && writes + entries.length > crashAfterWrites) {
          if (tearOnCrash) {
            // Power cut mid-append: part of the line reaches the disk.
            const line = encodeLine({ seq: 0, at: 0, ...entries[0] })
            appendFileSync(
              join(journalDir, 'journal.log'),
              line.slice(0, Math.max(1, Math.floor(line.length / 2)))
            )
            tornWrites++
          }
          stop.abort(new Error('crash'))
          throw new Error('crash')
        }
        writes += entries.length
      }
    })
    issues += journal.issues.filter((i) => i.kind !== 'torn-tail').length
    const service = await createSendService({
      client,
      journal,
      dedupe: await openDedupeCache(storeDir),
      signal: stop.signal,
      settleMs: SETTLE_MS,
      sleep: undefined,
      upload: { baseDelayMs: 5, capDelayMs: 40, idleTimeoutMs: 1000, random: rnd }
    })
    const crash = (): void => {
      if (!stop.signal.aborted) stop.abort(new Error('crash'))
    }
    return { service, journal, stop, crash }
  }

  for (let run = 0; run < opts.runs; run++) {
    // 1–3 files, some shared between runs (so parts are reused), some labels shared too.
    const count = 1 + Math.floor(rnd() * 3)
    const items: SendRequest['items'] = []
    for (let i = 0; i < count; i++) {
      // Half new files (full upload path), half from a shared pool (reused parts).
      let path = pool[Math.floor(rnd() * pool.length)]!
      if (rnd() < 0.5) {
        path = join(dir, `new-${run}-${i}.stl`)
        await writeFile(
          path,
          randomStl(10 + Math.floor(rnd() * 40), opts.seed * 1_000_003 + run * 10 + i)
        )
      }
      const label = rnd() < 0.7 ? `soak-${run}-${i}` : undefined
      items.push({ path, quantity: 1 + Math.floor(rnd() * 3), ...(label ? { label } : {}) })
      intents.push({
        run,
        label:
          label ??
          path
            .split('/')
            .pop()!
            .replace(/\.stl$/, '')
      })
    }
    // Now and then a part this store uploaded before disappears from Printago.
    if (rnd() < 0.05 && sandbox.state.parts.size > 0) {
      const ids = [...sandbox.state.parts.keys()]
      sandbox.state.parts.delete(ids[Math.floor(rnd() * ids.length)]!)
      partsDeleted++
    }
    const routing: SendRequest['routing'] =
      rnd() < 0.5 ? { mode: 'any' } : { mode: 'tags', tags: ['PLA'] }
    for (const f of randomFaults(rnd)) sandbox.injectFault(f)

    // First attempt, maybe killed after a number of journal writes or after a random delay.
    const crashMode = rnd()
    const crashAfter = crashMode < 0.35 ? 1 + Math.floor(rnd() * (4 + 4 * count)) : null
    const tear = rnd() < 0.3
    let current = await newService(crashAfter, tear)
    let timer: ReturnType<typeof setTimeout> | undefined
    if (crashMode >= 0.35 && crashMode < 0.55) {
      timer = setTimeout(() => current.crash(), Math.floor(rnd() * 60))
    }
    const first = await current.service.send({ items, routing })
    clearTimeout(timer)
    let jobId = first.jobId
    let final = first
    if (current.stop.signal.aborted) crashes++
    // Restarts until the job is finished; the last ones are clean (no faults, no crash).
    for (let restart = 0; final.status === 'interrupted' && restart < MAX_RESTARTS; restart++) {
      await current.journal.close().catch(() => undefined)
      const clean = restart >= 2
      if (clean) sandbox.clearFaults()
      const again = !clean && rnd() < 0.3
      current = await newService(again ? 1 + Math.floor(rnd() * 6) : null, again && rnd() < 0.3)
      const resumed = await current.service.resumePending()
      if (current.stop.signal.aborted) crashes++
      final = resumed.find((r) => r.jobId === jobId) ?? final
      jobId = final.jobId
    }
    await current.service.close()
    await current.journal.close().catch(() => undefined)
    sandbox.clearFaults()
    results.set(jobId, final)
    if (final.status !== 'done') {
      stuck++
      if (opts.verbose)
        process.stderr.write(
          `run ${run}: ${final.status} ${JSON.stringify(final.error ?? final.failures)}\n`
        )
    }
    if ((run + 1) % 100 === 0) {
      process.stderr.write(
        `… ${run + 1} runs (${((performance.now() - started) / 1000).toFixed(1)} s)\n`
      )
    }
  }

  // Count from the sandbox's state: builds per label against intended sends per label.
  const builds = new Map<string, number>()
  for (const b of sandbox.state.partBuilds.values())
    builds.set(userLabel(b.label ?? ''), (builds.get(userLabel(b.label ?? '')) ?? 0) + 1)
  const wanted = new Map<string, number>()
  for (const i of intents) wanted.set(i.label, (wanted.get(i.label) ?? 0) + 1)
  let duplicates = 0
  let lost = 0
  for (const label of new Set([...builds.keys(), ...wanted.keys()])) {
    const have = builds.get(label) ?? 0
    const want = wanted.get(label) ?? 0
    if (have > want) duplicates += have - want
    if (want > have) lost += want - have
    if (opts.verbose && have !== want) {
      const runs = intents.filter((i) => i.label === label).map((i) => i.run)
      const detail = [...sandbox.state.partBuilds.values()]
        .filter((b) => userLabel(b.label ?? '') === label)
        .map((b) => `${b.id}@${b.createdAt}`)
      process.stderr.write(
        `label ${label}: ${have} builds for ${want} sends (runs ${runs.join(',')}) ${detail.join(' ')}\n`
      )
    }
  }
  // Cross-check the pipeline's own answers: every file must name a distinct, existing build.
  const claimed = new Set<string>()
  for (const r of results.values()) {
    for (const f of r.files) {
      if (!sandbox.state.partBuilds.has(f.partBuildId)) lost++
      else if (claimed.has(f.partBuildId)) duplicates++
      claimed.add(f.partBuildId)
    }
  }
  await sandbox.close()
  await rm(dir, { recursive: true, force: true })
  const seconds = (performance.now() - started) / 1000
  process.stderr.write(
    `${crashes} crashes (${tornWrites} torn journal writes), ${partsDeleted} parts deleted, ${stuck} jobs not done, ` +
      `${issues} journal issues, ${sandbox.log.length} requests, ${seconds.toFixed(1)} s\n`
  )
  process.stdout.write(
    `soak: ${opts.runs} runs, ${duplicates} duplicate builds, ${lost} lost jobs\n`
  )
  return duplicates === 0 && lost === 0 ? 0 : 1
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`soak failed: ${(error as Error).stack ?? String(error)}\n`)
    process.exit(1)
  }
)
