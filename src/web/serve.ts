// The browser mode (`npm start` where Electron cannot run, `npm run web`): the built renderer +
// the browser bridge + an in-process app core (and its demo sandbox), on the desktop app's data
// folder, behind a session token printed with the address. Also imported by tests and the bench.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

import Conf from 'conf'
import { build } from 'esbuild'

import type { HandlerTable } from '../shared/ipc'
import { createAppCore, type AppCore, type SettingsStore } from '../core/app-core'
import { startTestSandbox } from '../sandbox/testing'
import type { SandboxOptions } from '../sandbox/types'
import { nodeConfFactory } from '../core/history/store'
import { resolveDataDir, stagedFilesDir } from '../core/infra/data-dir'
import { createLogger } from '../core/infra/log'
import {
  KEYRING_NOT_ASKED,
  memorySecretStore,
  openNodeSecrets,
  type Keyring,
  type NodeSecretStore
} from '../core/infra/secrets'
import { openSettingsFile } from '../core/infra/settings-file'
import { startBridgeServer, type BridgeStats } from './bridge-server'
import { probeDataFolder, type FolderInUse } from './data-folder'
import { unfinishedSendPaths } from './journal-refs'
import { checkBindAddress, isLoopbackAddress } from './request-guard'
import { newSessionToken } from './session-token'
import { openStagingArea, type StagingArea } from './staging'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../..')
const log = createLogger('web')

const HOUR = 3_600_000

export interface WebAppOptions {
  port?: number
  /** An IP address of one interface; default 127.0.0.1. */
  host?: string
  /**
   * Settings, stores, journals, history, staged files. The command line uses the desktop app's
   * folder (`resolveDataDir`); without one here, a fresh temp dir removed on close (benches).
   */
  dataDir?: string
  staticDir?: string
  demo?: SandboxOptions
  /** false: no session token (tests that are not about it). Refused unless bound to loopback. */
  auth?: boolean
  /**
   * Where API keys go: 'auto' (default) the system keyring, else the 0600 file; 'file' the file
   * even where a keyring exists; 'memory' nowhere (kept until the server stops).
   */
  keys?: 'auto' | 'file' | 'memory'
  /** The keyring 'auto' tries (tests); default the system's. */
  keyring?: Keyring
  /** How long a staged file no unfinished send names is kept after its last use. Default 24 h. */
  stagingRetainMs?: number
  /** A browser was shown the sign-in page (the command line repeats the address). */
  onSignInPage?: () => void
}

export interface WebApp {
  /** The address to open in a browser: with `#token=…` when sign-in is on. */
  url: string
  /** `http://host:port`, without the token. */
  origin: string
  token: string | null
  core: AppCore
  dataDir: string
  secrets: NodeSecretStore
  staging: StagingArea
  /** Refusals and handler calls of the bridge so far. */
  stats(): BridgeStats
  /** Set while another process uses the data folder (the app waits until it is free). */
  folderInUse(): FolderInUse | null
  /** Removes staged files no unfinished send needs and unused for the retention time. */
  collectStaged(): Promise<string[]>
  close(): Promise<void>
}

function confSettings(dir: string): { settings: SettingsStore; damagedBackup: string | null } {
  const { store: conf, damagedBackup } = openSettingsFile(
    join(dir, 'settings.json'),
    () =>
      new Conf<Record<string, unknown>>({
        cwd: dir,
        configName: 'settings',
        projectName: 'printago-send',
        clearInvalidConfig: false
      })
  )
  return {
    settings: {
      get: (k) => conf.get(k),
      set: (k, v) => conf.set(k, v),
      delete: (k) => conf.delete(k)
    },
    damagedBackup
  }
}

async function bundleClient(): Promise<string> {
  const out = await build({
    entryPoints: [join(repoRoot, 'src/web/bridge-client.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent'
  })
  return out.outputFiles[0]!.text
}

/** Starts the web app; resolves once it is listening (and has resumed what it could). */
export async function startWebApp(options: WebAppOptions = {}): Promise<WebApp> {
  const host = options.host ?? '127.0.0.1'
  const badHost = checkBindAddress(host)
  if (badHost) throw new Error(badHost)
  if (options.auth === false && !isLoopbackAddress(host))
    throw new Error(
      `--no-auth is only for tests on this computer: it is refused on ${host}, which other computers can reach.`
    )
  const ownDir = !options.dataDir
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'printago-web-'))
  // New folders only this user can enter: they will hold copies of the user's files.
  mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  const keys = options.keys ?? 'auto'
  const secrets =
    keys === 'memory'
      ? memorySecretStore()
      : await openNodeSecrets({ dataDir, keyring: keys === 'file' ? null : options.keyring })
  const staging = await openStagingArea(stagedFilesDir(dataDir), {
    retainMs: options.stagingRetainMs ?? 24 * HOUR
  })
  const token = options.auth === false ? null : newSessionToken()

  let inUse = await probeDataFolder(dataDir)
  let probing: Promise<void> | null = null
  let handlers: HandlerTable | null = null
  const bridge = await startBridgeServer(
    {
      staticDir: options.staticDir ?? join(repoRoot, 'out/renderer'),
      clientScript: await bundleClient(),
      token,
      staging,
      port: options.port,
      host,
      onSignInPage: options.onSignInPage,
      async unavailable() {
        // Looked at again on each request (one look at a time) until the other process lets go.
        if (inUse)
          probing ??= probeDataFolder(dataDir)
            .then(async (now) => {
              inUse = now
              if (!now) await ready()
            })
            .finally(() => (probing = null))
        await probing
        return inUse ? { code: 'data-folder-in-use', message: inUse.message, dataDir } : null
      }
    },
    () => handlers!
  )
  const settingsFile = confSettings(dataDir)
  const core = createAppCore({
    dataDir,
    settings: settingsFile.settings,
    settingsDamagedBackup: settingsFile.damagedBackup,
    secrets,
    emit: bridge.emit,
    shell: 'web',
    version: process.env.npm_package_version ?? '0.0.0',
    demo: options.demo,
    startSandbox: startTestSandbox,
    createConf: nodeConfFactory
  })
  handlers = core.handlers

  const collectStaged = async (): Promise<string[]> => {
    if (inUse) return []
    try {
      const removed = await staging.collect(await unfinishedSendPaths(dataDir))
      if (removed.length > 0) log.info(`removed ${removed.length} staged file(s) no longer needed`)
      return removed
    } catch (error) {
      // Unsure what the journals need: keep every file until the next round.
      log.warn('staged files were not cleaned up', error)
      return []
    }
  }
  const collector = setInterval(() => void collectStaged(), HOUR)
  collector.unref()

  /** Opens the active store, which continues its unfinished sends, and tidies the staged files. */
  async function ready(): Promise<void> {
    const status = await core.handlers['store:status'](undefined)
    if (!status.ok) log.warn(`the active store did not open: ${status.error.message}`)
    await collectStaged()
  }
  if (!inUse) await ready()

  return {
    url: token ? `${bridge.url}/#token=${token}` : `${bridge.url}/`,
    origin: bridge.url,
    token,
    core,
    dataDir,
    secrets,
    staging,
    stats: bridge.stats,
    folderInUse: () => inUse,
    collectStaged,
    async close() {
      clearInterval(collector)
      await bridge.close()
      await core.close()
      if (ownDir) rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

/** What the terminal says: the mode, the address to open, where the data lives, how to stop. */
export function banner(app: WebApp, host: string): string {
  const where = app.secrets.where
  const keys =
    where.kind === 'keyring'
      ? 'API keys are stored in the system keyring'
      : where.kind === 'memory'
        ? 'API keys are kept in memory only (--keys memory): connect stores again after each start'
        : app.secrets.keyringError === KEYRING_NOT_ASKED
          ? `API keys are stored in ${where.path}, readable only by you (--keys file)`
          : `API keys are stored in ${where.path}, readable only by you: no system keyring answered (Secret Service, Keychain, Credential Manager)`
  const lines = [
    'Printago Send is running in browser mode.',
    `  Open:  ${app.url}`,
    app.token
      ? '         (the address is the key to this session: keep it to yourself; it changes at every start)'
      : '         (no sign-in: --no-auth, for tests)',
    `  Data:  ${app.dataDir}`,
    `  Keys:  ${keys}`,
    `  Stop:  Ctrl+C here, or kill ${process.pid}; unfinished sends continue at the next start.`
  ]
  if (!isLoopbackAddress(host))
    lines.push(
      `  Note:  ${host} can be reached from other computers, over plain HTTP: prefer 127.0.0.1 and an SSH tunnel (ssh -L 5180:127.0.0.1:5180 …).`
    )
  const inUse = app.folderInUse()
  if (inUse) lines.push('', `  Waiting: ${inUse.message}`)
  return lines.join('\n')
}

function keysOption(value: string): 'auto' | 'file' | 'memory' {
  if (value === 'auto' || value === 'file' || value === 'memory') return value
  throw new Error(`--keys must be auto, file or memory, not "${value}".`)
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5180' },
      host: { type: 'string', default: '127.0.0.1' },
      'data-dir': { type: 'string' },
      'demo-speed': { type: 'string' },
      'no-auth': { type: 'boolean' },
      keys: { type: 'string', default: 'auto' },
      help: { type: 'boolean' }
    }
  })
  if (values.help) {
    console.log(
      [
        'Usage: npm run web -- [--port 5180] [--host 127.0.0.1] [--data-dir DIR] [--keys auto|file|memory] [--demo-speed N] [--no-auth]',
        'Serves the built app (run `npm run build` first) in the browser, on the desktop app’s data folder',
        '(PRINTAGO_DATA_DIR or --data-dir override it). Open the address it prints: it carries the session token.',
        '--keys: auto = the system keyring, else a 0600 file in the data folder; file = that file even where a',
        'keyring exists; memory = never stored (connect again after each start). --no-auth (tests only) is',
        'refused unless --host is a loopback address.'
      ].join('\n')
    )
    return
  }
  let repeatedAt = 0
  let address: string | null = null
  const app = await startWebApp({
    // The sign-in page sends people to the newest lines of this terminal: the address is there.
    onSignInPage() {
      if (!address || Date.now() - repeatedAt < 10_000) return
      repeatedAt = Date.now()
      console.log(`A browser opened Printago Send without its token. Open:  ${address}`)
    },
    port: Number(values.port),
    host: values.host,
    dataDir: values['data-dir'] ?? resolveDataDir(),
    auth: !values['no-auth'],
    keys: keysOption(values.keys!),
    demo: values['demo-speed'] ? { speed: Number(values['demo-speed']) } : undefined
  })
  address = app.url
  console.log(banner(app, values.host!))
  let signals = 0
  const stop = (): void => {
    // One Ctrl+C can arrive twice (from the terminal and passed on by npm start); a second one
    // stops at once, and the journal lets the next start continue whatever was cut short.
    if (++signals === 1) void app.close().then(() => process.exit(0))
    else if (signals >= 3) process.exit(1)
  }
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
  process.on('SIGHUP', stop)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}
