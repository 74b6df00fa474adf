// What every command shares: where text goes, the process context, argument parsing (node:util
// parseArgs, with usage errors in one sentence), the credentials from the environment, and the
// store session that every command talking to Printago opens — the same session the desktop app
// opens, so the rate limiter's request log is shared by all of them.
import { parseArgs } from 'node:util'

import { basename } from 'node:path'

import { nodeConfFactory, type ConfFactory } from '../core/history/store'
import { JournalLockedError } from '../core/infra/journal'
import type { SendResult } from '../core/send/service'
import type { JobRecord } from '../core/send/state'
import { timeAgo } from '../shared/format'
import { resolveDataDir, storeDataDir } from '../core/infra/data-dir'
import { DEFAULT_BASE_URL } from '../core/printago/client'
import { openStoreSession, type StoreSession, type StoreSessionOptions } from '../core/session'

/** Output sinks, injected so tests decide where text goes. */
export interface CliIo {
  stdout: (s: string) => void
  stderr: (s: string) => void
}

/** What a command needs from the process. */
export interface CliContext {
  env: Record<string, string | undefined>
  /** True when stderr is a terminal (progress is redrawn in place). */
  stderrIsTty?: boolean
  /** Aborted on Ctrl-C: a send in progress pauses (it resumes on the next run). */
  signal?: AbortSignal
  /** The history file's store (tests inject one that fails like a full disk). */
  createConf?: ConfFactory
}

/** A usage problem: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

/** Prints a usage problem as one line naming the command and its help; returns exit code 2. */
export function usageFailure(io: CliIo, command: string, message: string): number {
  io.stderr(`${command}: ${message} (see ${command} --help)\n`)
  return 2
}

interface OptionSpec {
  type: 'string' | 'boolean'
}

type Values<O extends Record<string, OptionSpec>> = {
  [K in keyof O]?: O[K]['type'] extends 'string' ? string : boolean
}

const HELP = { help: { type: 'boolean', short: 'h' } } as const

type Token =
  | { kind: 'option'; name: string; rawName: string; value?: string; inlineValue?: boolean }
  | { kind: 'positional'; value: string }
  | { kind: 'option-terminator' }

function tokensOf(args: string[], options: Record<string, OptionSpec>): Token[] {
  return parseArgs({
    args,
    options: { ...options, ...HELP },
    // Strictness is ours: parseArgs' own errors are long and differ between Node versions.
    strict: false,
    allowPositionals: true,
    tokens: true
  }).tokens
}

/** True when the arguments ask for help (`--help` or `-h` before any `--`). */
export function wantsHelp(args: string[]): boolean {
  return tokensOf(args, {}).some((t) => t.kind === 'option' && t.name === 'help')
}

/**
 * Parses a command's arguments: options as declared (`--name value`, `--name=value`, booleans
 * without a value), every other argument positional, everything after `--` positional.
 * Throws UsageError for an unknown option, a missing value or a value given to a flag.
 */
export function parseCommandArgs<O extends Record<string, OptionSpec>>(
  args: string[],
  options: O
): { values: Values<O>; positionals: string[] } {
  const values: Record<string, string | boolean> = {}
  const positionals: string[] = []
  for (const token of tokensOf(args, options)) {
    if (token.kind === 'positional') positionals.push(token.value)
    if (token.kind !== 'option' || token.name === 'help') continue
    const spec = options[token.name]
    if (!spec) throw new UsageError(`unknown option ${token.rawName}`)
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`)
      values[token.name] = true
      continue
    }
    // `--label --json` means a forgotten value, not a label called "--json".
    const value = token.value
    if (value === undefined || (!token.inlineValue && value.startsWith('--') && value.length > 2))
      throw new UsageError(`${token.rawName} needs a value`)
    values[token.name] = value
  }
  return { values: values as Values<O>, positionals }
}

export interface Credentials {
  apiKey: string
  storeId: string
  baseUrl: string
}

/** Reads the credentials from the environment; a UsageError names what is missing. */
export function readCredentials(env: Record<string, string | undefined>): Credentials {
  const apiKey = env['PRINTAGO_API_KEY']?.trim()
  const storeId = env['PRINTAGO_STORE_ID']?.trim()
  const missing = [!apiKey && 'PRINTAGO_API_KEY', !storeId && 'PRINTAGO_STORE_ID'].filter(Boolean)
  if (missing.length > 0) {
    throw new UsageError(`${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} not set`)
  }
  const baseUrl = env['PRINTAGO_BASE_URL']?.trim() || DEFAULT_BASE_URL
  try {
    const u = new URL(baseUrl)
    if (u.protocol !== 'https:' && u.protocol !== 'http:') throw new Error('scheme')
  } catch {
    throw new UsageError(`PRINTAGO_BASE_URL is not an http(s) URL: ${baseUrl}`)
  }
  return { apiKey: apiKey!, storeId: storeId!, baseUrl }
}

/** The store's folder in the data folder the desktop app shares (PRINTAGO_DATA_DIR overrides). */
export function cliStoreDir(env: Record<string, string | undefined>, storeId: string): string {
  return storeDataDir(resolveDataDir({ env }), storeId)
}

/**
 * PRINTAGO_SETTLE_MS: how long a build request may still be acted on after it left, before its
 * absence is trusted (default 60 s). For tests, and for a gateway known to give up sooner.
 */
function settleFromEnv(env: Record<string, string | undefined>): { settleMs?: number } {
  const raw = env['PRINTAGO_SETTLE_MS']?.trim()
  const ms = raw && /^\d+$/.test(raw) ? Number(raw) : undefined
  return ms !== undefined ? { settleMs: ms } : {}
}

/**
 * PRINTAGO_RATE_PER_MINUTE / PRINTAGO_RATE_PER_HOUR: a store whose limits differ from Printago's
 * documented 60/min and 600/h (a plan with other limits; tests with a sandbox set to the same).
 */
function rateLimitsFromEnv(env: Record<string, string | undefined>): {
  rateLimits?: { perMinute: number; perHour: number }
} {
  const read = (name: string): number | undefined => {
    const raw = env[name]?.trim()
    return raw && /^\d+$/.test(raw) && Number(raw) > 0 ? Number(raw) : undefined
  }
  const perMinute = read('PRINTAGO_RATE_PER_MINUTE')
  const perHour = read('PRINTAGO_RATE_PER_HOUR')
  if (perMinute === undefined && perHour === undefined) return {}
  return { rateLimits: { perMinute: perMinute ?? 60, perHour: perHour ?? 600 } }
}

/** Opens the store named by the credentials, as the desktop app opens it (no live parts). */
export function openCliSession(
  creds: Credentials,
  ctx: CliContext,
  extra: Pick<StoreSessionOptions, 'onProgress'> = {}
): Promise<StoreSession> {
  return openStoreSession({
    dir: cliStoreDir(ctx.env, creds.storeId),
    storeId: creds.storeId,
    baseUrl: creds.baseUrl,
    apiKey: creds.apiKey,
    createConf: ctx.createConf ?? nodeConfFactory,
    // A CLI run can end right after a change: write the history at once.
    historyWriteDelayMs: 0,
    ...settleFromEnv(ctx.env),
    ...rateLimitsFromEnv(ctx.env),
    ...extra
  })
}

/** Call options carrying the context's Ctrl-C signal. */
export function callOptions(ctx: CliContext): { signal?: AbortSignal } {
  return ctx.signal ? { signal: ctx.signal } : {}
}

/** "a.stl, b.stl" for a job's files. */
export function jobFiles(job: Pick<JobRecord, 'request'>): string {
  return job.request.items.map((it) => basename(it.path)).join(', ')
}

/** One line per resumed job: what became of its files. */
export function resumedLine(r: SendResult, files: string): string {
  const queued = r.files.map((f) => `${basename(f.file)} (build ${f.partBuildId})`).join(', ')
  const what =
    r.status === 'done'
      ? `queued ${queued}`
      : r.status === 'interrupted'
        ? `not finished yet (${r.error?.message ?? 'stopped'}); the next run goes on with it`
        : `${r.status}${queued ? ` — queued ${queued}` : ''}${r.error ? ` (${r.error.message})` : ''}`
  return `  resumed your unfinished send of ${files}: ${what}\n`
}

/**
 * Every command that opens the store finishes the sends an earlier run left unfinished (killed,
 * Ctrl-C, a full disk…) and says so. When another instance holds the store, it is the one that
 * finishes them: say that instead. Resolves with the resumed jobs' results (empty when none).
 */
export async function resumeUnfinished(session: StoreSession, io: CliIo): Promise<SendResult[]> {
  let service
  try {
    service = await session.sender()
  } catch (error) {
    if (error instanceof JournalLockedError) {
      io.stderr(`note: ${error.message}; that instance finishes any unfinished sends\n`)
      return []
    }
    throw error
  }
  const pending = service.pendingJobs()
  if (pending.length === 0) {
    // Queued files a full disk kept out of the history are written now.
    if (service.unrecordedJobs().length > 0) await session.resumePending()
    return []
  }
  const names = new Map(pending.map((j) => [j.jobId, jobFiles(j)]))
  io.stderr(
    `Resuming ${pending.length} unfinished send${pending.length === 1 ? '' : 's'} from an earlier run (checked first, never queued twice)…\n`
  )
  const results = await session.resumePending()
  for (const r of results) io.stderr(resumedLine(r, names.get(r.jobId) ?? r.jobId))
  return results
}

/** The sentence for unfinished sends a read-only command found (nothing is sent by it). */
export function unfinishedNotice(jobs: JobRecord[], now = Date.now()): string {
  if (jobs.length === 0) return ''
  const lines = jobs.map(
    (j) =>
      `  ${jobFiles(j)} — started ${timeAgo(new Date(j.createdAt).toISOString(), now)} (job ${j.jobId})\n`
  )
  return (
    `${jobs.length} unfinished send${jobs.length === 1 ? '' : 's'} (interrupted; not queued yet, or not confirmed):\n` +
    lines.join('') +
    'Run `history --refresh` (or the same send again) to finish, or `send --cancel <job>` to drop one.\n'
  )
}
