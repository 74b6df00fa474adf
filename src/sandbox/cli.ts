// `npm run sandbox -- --port 4010`: runs the Printago sandbox standalone until SIGINT/SIGTERM, with
// its test surfaces (fault injection and state over the /_sandbox/ admin API, the request log).
import { parseArgs } from 'node:util'
import { startTestSandbox } from './testing'
import type { SandboxOptions } from './types'

const HELP = `Printago sandbox – a local emulator of the Printago REST API

Usage: npm run sandbox -- [options]

  --port <n>             port to listen on (default 4010; 0 = any free port)
  --host <addr>          interface to bind (default 127.0.0.1)
  --api-key <key>        API key to accept (default: the demo key)
  --store-id <id>        store id to accept (default: the demo store)
  --rate-per-minute <n>  requests per minute per key (default 60; 0 = unlimited)
  --rate-per-hour <n>    requests per hour per key (default 600; 0 = unlimited)
  --speed <x>            scheduler speed (1 = realistic-ish, 100 = fast, 0 = paused; default 1)
  --seed <n>             deterministic ids and timestamps
  --lifecycle <mode>     compact (default) or full (adds sliced, finalizing, ready-for-printer)
  --auto-clear-beds      clear every bed a while after each print (old behaviour)
  --mqtt-entity-payloads <mode>  full (default), changes or mixed UPDATE rows over MQTT
  --rate-limit-headers   also send x-ratelimit-* and retry-after-minute|hour headers
  -h, --help             show this help
`

function num(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isFinite(n) || n < 0) {
    process.stderr.write(`--${name} must be a number ≥ 0, got "${value}"\n`)
    process.exit(2)
  }
  return n
}

function oneOf<T extends string>(
  name: string,
  value: string | undefined,
  allowed: readonly T[]
): T | undefined {
  if (value === undefined) return undefined
  if (!(allowed as readonly string[]).includes(value)) {
    process.stderr.write(`--${name} must be one of ${allowed.join(', ')}, got "${value}"\n`)
    process.exit(2)
  }
  return value as T
}

async function main(): Promise<void> {
  let values: Record<string, string | boolean | undefined>
  try {
    values = parseArgs({
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        'api-key': { type: 'string' },
        'store-id': { type: 'string' },
        'rate-per-minute': { type: 'string' },
        'rate-per-hour': { type: 'string' },
        speed: { type: 'string' },
        seed: { type: 'string' },
        lifecycle: { type: 'string' },
        'auto-clear-beds': { type: 'boolean' },
        'mqtt-entity-payloads': { type: 'string' },
        'rate-limit-headers': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' }
      }
    }).values
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n\n${HELP}`)
    process.exit(2)
  }
  if (values.help) {
    process.stdout.write(HELP)
    return
  }
  const str = (k: string): string | undefined =>
    typeof values[k] === 'string' ? (values[k] as string) : undefined
  const opts: SandboxOptions = {
    port: num('port', str('port')) ?? 4010,
    host: str('host') ?? '127.0.0.1',
    apiKey: str('api-key'),
    storeId: str('store-id'),
    ratePerMinute: num('rate-per-minute', str('rate-per-minute')),
    ratePerHour: num('rate-per-hour', str('rate-per-hour')),
    speed: num('speed', str('speed')),
    seed: num('seed', str('seed')),
    lifecycle: oneOf('lifecycle', str('lifecycle'), ['compact', 'full'] as const),
    autoClearBeds: values['auto-clear-beds'] === true,
    mqttEntityPayloads: oneOf('mqtt-entity-payloads', str('mqtt-entity-payloads'), [
      'full',
      'changes',
      'mixed'
    ] as const),
    rateLimitHeaders: values['rate-limit-headers'] === true
  }
  const sandbox = await startTestSandbox(opts)
  process.stdout.write(
    `Printago sandbox listening on ${sandbox.url}\n` +
      `API key:          ${sandbox.apiKey}\n` +
      `Store ID:         ${sandbox.storeId}\n` +
      `Limited API key:  ${sandbox.limitedApiKey}  (no queue/printer management → 403)\n` +
      `Printers:         ${sandbox.state.printers.size} (demo fleet)\n`
  )
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    process.stdout.write(`\n${signal}: shutting down\n`)
    sandbox.close().then(
      () => process.exit(0),
      () => process.exit(1)
    )
  }
  process.on('SIGINT', () => stop('SIGINT'))
  process.on('SIGTERM', () => stop('SIGTERM'))
}

main().catch((e: unknown) => {
  process.stderr.write(`sandbox failed to start: ${e instanceof Error ? e.message : String(e)}\n`)
  process.exit(1)
})
