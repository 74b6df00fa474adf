// `npm run web -- --port <p>`: the built renderer + the browser bridge + an in-process app core
// (and its demo sandbox) on loopback, so the whole app runs in any browser without Electron.
// Also imported by the Playwright fixtures, one isolated instance per test.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { parseArgs } from 'node:util'

import Conf from 'conf'
import { build } from 'esbuild'

import type { HandlerTable } from '../shared/ipc'
import { createAppCore, type AppCore, type SecretStore, type SettingsStore } from '../core/app-core'
import { startTestSandbox } from '../sandbox/testing'
import type { SandboxOptions } from '../sandbox/types'
import { nodeConfFactory } from '../core/history/store'
import { openSettingsFile } from '../core/infra/settings-file'
import { startBridgeServer } from './bridge-server'

const here = dirname(fileURLToPath(import.meta.url))
const repoRoot = resolve(here, '../..')

export interface WebAppOptions {
  port?: number
  /** Per-user data (settings, journal, history); default: a fresh temp dir removed on close. */
  dataDir?: string
  staticDir?: string
  demo?: SandboxOptions
}

export interface WebApp {
  url: string
  core: AppCore
  dataDir: string
  close(): Promise<void>
}

/** The web build keeps keys in memory only: it is a test and review surface, not the product. */
function memorySecrets(): SecretStore {
  const m = new Map<string, string>()
  return {
    save: async (a, s) => void m.set(a, s),
    load: async (a) => m.get(a) ?? null,
    forget: async (a) => void m.delete(a),
    protection: () => 'memory'
  }
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

/** Starts the web app; resolves once it is listening. */
export async function startWebApp(options: WebAppOptions = {}): Promise<WebApp> {
  const ownDir = !options.dataDir
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'printago-web-'))
  let handlers: HandlerTable | null = null
  const bridge = await startBridgeServer(
    {
      staticDir: options.staticDir ?? join(repoRoot, 'out/renderer'),
      clientScript: await bundleClient(),
      port: options.port
    },
    () => handlers!
  )
  const settingsFile = confSettings(dataDir)
  const core = createAppCore({
    dataDir,
    settings: settingsFile.settings,
    settingsDamagedBackup: settingsFile.damagedBackup,
    secrets: memorySecrets(),
    emit: bridge.emit,
    shell: 'web',
    version: process.env.npm_package_version ?? '0.0.0',
    demo: options.demo,
    startSandbox: startTestSandbox,
    createConf: nodeConfFactory
  })
  handlers = core.handlers
  return {
    url: bridge.url,
    core,
    dataDir,
    async close() {
      await bridge.close()
      await core.close()
      if (ownDir) rmSync(dataDir, { recursive: true, force: true })
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5180' },
      'data-dir': { type: 'string' },
      'demo-speed': { type: 'string' },
      help: { type: 'boolean' }
    }
  })
  if (values.help) {
    console.log(
      'Usage: npm run web -- [--port 5180] [--data-dir DIR] [--demo-speed N]\nServes the built app (run `npm run build` first) with the browser bridge on 127.0.0.1.'
    )
    return
  }
  const app = await startWebApp({
    port: Number(values.port),
    dataDir: values['data-dir'],
    demo: values['demo-speed'] ? { speed: Number(values['demo-speed']) } : undefined
  })
  console.log(`Printago Send (web) on ${app.url}`)
  const stop = (): void => void app.close().then(() => process.exit(0))
  process.on('SIGINT', stop)
  process.on('SIGTERM', stop)
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err)
    process.exit(1)
  })
}
