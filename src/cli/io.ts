// What every command shares: where text goes, the process context, argument parsing (node:util
// parseArgs, with usage errors in one sentence), the credentials from the environment, and the
// store session that every command talking to Printago opens — the same session the desktop app
// opens, so the rate limiter's request log is shared by all of them.
import { parseArgs } from 'node:util'

import { nodeConfFactory } from '../core/history/store'
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
  /** Aborted on Ctrl-C. */
  signal?: AbortSignal
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
    createConf: nodeConfFactory,
    // A CLI run can end right after a change: write the history at once.
    historyWriteDelayMs: 0,
    ...extra
  })
}

/** Call options carrying the context's Ctrl-C signal. */
export function callOptions(ctx: CliContext): { signal?: AbortSignal } {
  return ctx.signal ? { signal: ctx.signal } : {}
}
