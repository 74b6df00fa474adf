// Real CLI processes on the shared data folder: `node --import tsx src/cli/index.ts send …` in its
// own process group, on real time. A send can be killed with SIGKILL when its journal reaches a
// state (waited for by reading the journal, never by time), and is then run again — the same
// command, which must finish the interrupted send, not repeat it — until it is done.
import { rm } from 'node:fs/promises'
import { join } from 'node:path'

import { decodeLine, LOG, SNAPSHOT } from '../../src/core/infra/journal'
import { startScript, type Exit, type TestProcess } from '../../src/test-support/processes'
import { readFile } from 'node:fs/promises'
import { JournalFollower, jobWithLabel, peekJobs, type SeenEntry } from './journal-files'
import type { World } from './world'

/** The CLI's settle wait (real time): longer than any delay the soak gives the server. */
export const CLI_SETTLE_MS = 1500

/** Entry types of one send, in the order they are written. */
export const SEND_STATES = [
  'job',
  'hashed',
  'urls',
  'uploaded',
  'part-intent',
  'part',
  'build-intent',
  'build',
  'end'
] as const

export interface CliSend {
  files: string[]
  label: string
  quantity: number
  tags?: string
}

export interface CliOutcome {
  exit: Exit
  stdout: string
  stderr: string
  /** The state it was killed at, if it was. */
  killedAt?: string
  /** Refused because another process held the folder. */
  busy: boolean
}

/** What to do when the CLI's job reaches a journal state: kill it there, and/or act first. */
export interface KillPlan {
  state: (typeof SEND_STATES)[number]
  /** SIGKILL the process group there (default true). */
  kill?: boolean
  /** Awaited when the state is seen (before the kill), e.g. to plant a look-alike. */
  onState?: (entry: SeenEntry) => void | Promise<void>
}

function argsOf(send: CliSend): string[] {
  return [
    'send',
    ...send.files,
    '--label',
    send.label,
    '--quantity',
    String(send.quantity),
    ...(send.tags ? ['--tags', send.tags] : []),
    '--json'
  ]
}

/** The highest seq in the journal now (entries after it are this process's). */
async function lastSeq(journalDir: string): Promise<number> {
  let seq = 0
  const snap = await readFile(join(journalDir, SNAPSHOT), 'utf8').catch(() => '')
  const s = decodeLine(snap.replace(/\n$/, '')) as { seq?: number } | undefined
  if (typeof s?.seq === 'number') seq = s.seq
  const log = await readFile(join(journalDir, LOG), 'utf8').catch(() => '')
  for (const line of log.split('\n')) {
    const e = decodeLine(line) as { seq?: number } | undefined
    if (typeof e?.seq === 'number') seq = Math.max(seq, e.seq)
  }
  return seq
}

function start(world: World, args: string[]): TestProcess {
  return startScript('src/cli/index.ts', args, {
    env: {
      PATH: process.env['PATH'] ?? '',
      HOME: process.env['HOME'] ?? '/tmp',
      TMPDIR: process.env['TMPDIR'] ?? '/tmp',
      // npm test finds what this run left running by this mark.
      ...(process.env['PRINTAGO_TEST_RUN']
        ? { PRINTAGO_TEST_RUN: process.env['PRINTAGO_TEST_RUN'] }
        : {}),
      PRINTAGO_DATA_DIR: world.dataDir,
      PRINTAGO_BASE_URL: world.relay.url,
      PRINTAGO_API_KEY: world.sandbox.apiKey,
      PRINTAGO_STORE_ID: world.sandbox.storeId,
      PRINTAGO_SETTLE_MS: String(CLI_SETTLE_MS)
    }
  })
}

/**
 * Runs one CLI send, killing it (SIGKILL to its group) when its job writes `kill.state`. The
 * process group is gone when this returns.
 */
export async function runCliSend(
  world: World,
  send: CliSend,
  kill?: KillPlan
): Promise<CliOutcome> {
  // In-process services run on virtual time: their last requests must be done before a process on
  // real time reads Printago's state (quiet.ts). The CLI's rate-limit log is cleared too: stamps
  // of the virtual clock would look like a burst "now" to a process on real time.
  await world.quiet.settled()
  await rm(join(world.storeDir, 'rate-limit.json'), { force: true })
  world.realTimeDirty = true
  world.count('CLI processes')
  const since = kill ? await lastSeq(world.journalDir) : 0
  // A rerun's job is already journaled (maybe only in the snapshot by now).
  let jobId = kill ? jobWithLabel(await peekJobs(world.journalDir), send.label)?.jobId : undefined
  const proc = start(world, argsOf(send))
  let killedAt: string | undefined
  if (kill) {
    const follower = new JournalFollower(world.journalDir)
    const mine = (e: SeenEntry): boolean => {
      if (e.type === 'job') {
        const request = e.entry['request'] as { items?: Array<{ label?: string }> } | undefined
        if (request?.items?.some((it) => it.label === send.label)) jobId ??= e.jobId
      }
      return (
        (e.entry['seq'] as number) > since &&
        e.jobId !== undefined &&
        e.jobId === jobId &&
        e.type === kill.state
      )
    }
    const seen = await follower.until(mine, proc.exited)
    follower.close()
    if (seen) await kill.onState?.(seen)
    if (seen && kill.kill !== false) {
      try {
        process.kill(-proc.pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const exit = await proc.exited
    if (seen && kill.kill !== false && exit.signal === 'SIGKILL') {
      killedAt = kill.state
      world.count('CLI kills')
    }
  }
  await proc.exited
  // Its group too (esbuild's service of a killed tsx): gone before the next step.
  const exit = await proc.stop()
  const stderr = proc.stderr()
  const busy = /Another Printago Send instance/.test(stderr) && exit.code === 1
  if (busy) world.count('CLI busy answers')
  return { exit, stdout: proc.stdout(), stderr, busy, ...(killedAt ? { killedAt } : {}) }
}

/** Waits until nobody alive holds the folder's lock (a dead holder's lock is broken by the next). */
export async function lockFree(journalDir: string): Promise<void> {
  const file = join(journalDir, 'journal.lock')
  const end = Date.now() + 120_000
  while (Date.now() < end) {
    const text = await readFile(file, 'utf8').catch(() => null)
    if (text === null) return
    const pid = Number((/"pid":(\d+)/.exec(text) ?? [])[1] ?? /^\d+$/.exec(text.trim())?.[0])
    try {
      if (!pid) return
      process.kill(pid, 0)
    } catch {
      return
    }
    await new Promise((r) => setTimeout(r, 20))
  }
}

/** Build ids a CLI's --json output names (they must be builds of ours). */
export function claimCli(world: World, out: CliOutcome, where: string): void {
  if (out.exit.code !== 0 && out.exit.code !== 1) return
  try {
    const json = JSON.parse(out.stdout.trim().split('\n').pop() ?? '') as {
      jobs?: Array<{ partBuildId?: string }>
    }
    for (const j of json.jobs ?? []) world.ledger.claim(j.partBuildId, where)
  } catch {
    // No JSON (killed, or refused before sending).
  }
}

/**
 * One intended send by CLI, run until it is done: the first run (maybe killed), then the same
 * command again while its job is unfinished or was never journaled (killed before it, or refused
 * because another process held the folder). Returns the outcomes of every run.
 *
 * `rerunUnfinished: false` runs it again only when it was never journaled: while other senders
 * run, an unfinished job may be finished by one of them between this check and the command
 * taking the lock — and the same command after that is, by the CLI's rules, a new order.
 */
export async function cliUntilDone(
  world: World,
  send: CliSend,
  kills: KillPlan[],
  options: { maxRuns?: number; rerunUnfinished?: boolean } = {}
): Promise<CliOutcome[]> {
  const outs: CliOutcome[] = []
  for (let attempt = 0; attempt < (options.maxRuns ?? 8); attempt++) {
    const out = await runCliSend(world, send, kills[attempt])
    outs.push(out)
    world.verbose(
      `  CLI "${send.label}" #${attempt}: ${out.busy ? 'busy' : `exit ${out.exit.code ?? out.exit.signal}`}${out.killedAt ? ` (killed at ${out.killedAt})` : ''}`
    )
    claimCli(world, out, `CLI "${send.label}"`)
    if (out.exit.code === 0) break
    const job = jobWithLabel(await peekJobs(world.journalDir), send.label)
    // Finished (also when it was killed after its end): running it again would be a new order.
    if (job && job.status !== 'active') break
    if (job && options.rerunUnfinished === false) break
    if (out.busy) await lockFree(world.journalDir)
    if (!out.killedAt && !out.busy)
      world.verbose(
        `CLI "${send.label}" exit ${out.exit.code ?? out.exit.signal}: ${out.stderr.trim().slice(-400)}`
      )
  }
  return outs
}
