// A small scoped logger. It redacts anything shaped like a Printago key or access code so that
// secrets never reach a log, whatever a caller passes in.

const KEY_LIKE = /\b[a-z0-9]{48,}\b/g
const SECRET_FIELDS =
  /("?(?:apiKey|api_key|dev_access_code|password|authorization)"?\s*[:=]\s*)("[^"]*"|[^\s,}]+)/gi

/** Removes key-shaped strings and secret fields from a log line. */
export function redact(text: string): string {
  return text.replace(SECRET_FIELDS, '$1"[redacted]"').replace(KEY_LIKE, '[redacted]')
}

function format(args: unknown[]): string {
  return args
    .map((a) =>
      a instanceof Error ? `${a.name}: ${a.message}` : typeof a === 'string' ? a : JSON.stringify(a)
    )
    .join(' ')
}

export interface Logger {
  info(...args: unknown[]): void
  warn(...args: unknown[]): void
  error(...args: unknown[]): void
}

/** Creates a logger whose lines start with `[scope]`; silent under vitest unless VERBOSE is set. */
export function createLogger(scope: string): Logger {
  const quiet = process.env.VITEST !== undefined && !process.env.VERBOSE
  const write =
    (level: 'info' | 'warn' | 'error') =>
    (...args: unknown[]): void => {
      if (quiet) return
      console[level](`[${scope}] ${redact(format(args))}`)
    }
  return { info: write('info'), warn: write('warn'), error: write('error') }
}
