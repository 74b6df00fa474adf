// Interrupted CLI sends, with real processes: `send` killed (SIGKILL) at a journal state — after
// its upload URLs, after its parts, after its build request left — then the same command again
// finishes it with exactly one build per file, and says so. Ctrl-C pauses instead of cancelling.
// Kills wait for the journal's state, never for time.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing'
import { userLabel } from '../../core/send/marker'
import { tempDir } from '../../test-support/temp'
import { writeStl } from '../../test-support/stl'
import { waitFor } from '../../test-support/send'
import { killAllGroups, spawnGroup } from '../../test-support/spawn-group'
import { cliStoreDir } from '../io'

let sandbox: TestSandbox
let dir: string
let cleanup: () => Promise<void>
beforeAll(async () => {
  sandbox = await startTestSandbox({ ratePerMinute: 0, ratePerHour: 0, speed: 0 })
  ;({ dir, cleanup } = await tempDir('printago-rerun-'))
})
afterAll(async () => {
  await sandbox.close()
  await cleanup()
})
afterEach(async () => {
  sandbox.clearFaults()
  await killAllGroups()
})

function envFor(dataDir: string): Record<string, string> {
  return {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '/tmp',
    PRINTAGO_DATA_DIR: dataDir,
    PRINTAGO_BASE_URL: sandbox.url,
    PRINTAGO_API_KEY: sandbox.apiKey,
    PRINTAGO_STORE_ID: sandbox.storeId,
    // The settle wait a killed build request needs before its absence is trusted, made short.
    PRINTAGO_SETTLE_MS: '300'
  }
}

function cli(args: string[], dataDir: string) {
  return spawnGroup(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    env: envFor(dataDir)
  })
}

async function run(args: string[], dataDir: string) {
  const child = cli(args, dataDir)
  const { code } = await child.exited
  return { code, stdout: child.stdout, stderr: child.stderr }
}

/** Journal entry types written so far in the store's journal (the log only; fine before compaction). */
function journalTypes(dataDir: string): string[] {
  const log = join(
    cliStoreDir({ PRINTAGO_DATA_DIR: dataDir }, sandbox.storeId),
    'journal',
    'journal.log'
  )
  if (!existsSync(log)) return []
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (/"type":"([a-z-]+)"/.exec(l) ?? [])[1] ?? '?')
}

function buildsLabelled(label: string): number {
  return [...sandbox.state.partBuilds.values()].filter((b) => userLabel(b.label ?? '') === label)
    .length
}

const cases = [
  {
    name: 'its upload URLs',
    fault: { method: 'PUT', path: /^\/_storage\//, kind: 'delay' as const, delayMs: 30_000 },
    reached: (t: string[]) => t.includes('urls')
  },
  {
    name: 'its parts',
    fault: { method: 'POST', path: '/v2/builds', kind: 'delay' as const, delayMs: 800 },
    reached: (t: string[]) => t.filter((x) => x === 'part').length >= 2
  },
  {
    name: 'its build request left (Printago still queues it)',
    fault: { method: 'POST', path: '/v2/builds', kind: 'delay' as const, delayMs: 800 },
    reached: (t: string[]) => t.includes('build-intent')
  }
]

describe('the same command again after a kill', () => {
  it.each(cases)(
    'a send killed after $name finishes on the rerun with one build per file, and says so',
    { timeout: 90_000 },
    async ({ name, fault, reached }) => {
      const dataDir = join(dir, name.replace(/\W+/g, '-'))
      const label = `rerun-${name.length}`
      const a = await writeStl(dir, `${label}-a.stl`, 5, name.length)
      const b = await writeStl(dir, `${label}-b.stl`, 6, name.length + 1)
      const args = ['send', a, b, '--label', label, '--json']
      sandbox.injectFault(fault)
      const first = cli(args, dataDir)
      await waitFor(() => reached(journalTypes(dataDir)), 60_000)
      first.kill('SIGKILL')
      await first.exited
      sandbox.clearFaults()
      // A build request the killed process sent is still acted on by Printago: let it land.
      if (fault.path === '/v2/builds' && journalTypes(dataDir).includes('build-intent'))
        await waitFor(() => buildsLabelled(label) >= 2, 10_000).catch(() => undefined)
      const again = await run(args, dataDir)
      // One build per file: the rerun finished the interrupted send instead of queuing it again.
      expect(buildsLabelled(label)).toBe(2)
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).toMatch(/Resumed your unfinished send of .*-a\.stl, .*-b\.stl/)
      const out = JSON.parse(again.stdout) as { jobs: unknown[]; resumed: unknown[] }
      expect(out.jobs).toHaveLength(2)
      expect(out.resumed).toHaveLength(1)
      // Both files are in the history, once.
      const history = await run(['history', '--json'], dataDir)
      const entries = JSON.parse(history.stdout) as Array<{ label: string }>
      expect(entries.filter((e) => e.label === label)).toHaveLength(2)
    }
  )

  it(
    'a send killed after its parts is listed by `history` and finished by `history --refresh`',
    { timeout: 90_000 },
    async () => {
      const dataDir = join(dir, 'refresh')
      const label = 'refreshed'
      const a = await writeStl(dir, 'refresh-a.stl', 5, 77)
      sandbox.injectFault({
        method: 'POST',
        path: '/v2/builds',
        kind: 'status',
        status: 503,
        times: Infinity
      })
      const first = cli(['send', a, '--label', label], dataDir)
      await waitFor(() => journalTypes(dataDir).includes('part'), 60_000)
      first.kill('SIGKILL')
      await first.exited
      sandbox.clearFaults()
      const listed = await run(['history'], dataDir)
      expect(listed.stderr).toMatch(/1 unfinished send .*\n.*refresh-a\.stl/)
      const refreshed = await run(['history', '--refresh', '--json'], dataDir)
      expect(refreshed.code, refreshed.stderr).toBe(0)
      expect(refreshed.stderr).toMatch(/resumed your unfinished send of refresh-a\.stl: queued/)
      expect(buildsLabelled(label)).toBe(1)
      const entries = JSON.parse(refreshed.stdout) as Array<{ label: string }>
      expect(entries.filter((e) => e.label === label)).toHaveLength(1)
      // Nothing is left to finish: a later run does not send it again.
      const later = await run(['history', '--refresh'], dataDir)
      expect(later.stderr).not.toMatch(/Resuming/)
      expect(buildsLabelled(label)).toBe(1)
    }
  )

  it('--again sends a deliberate second copy', { timeout: 90_000 }, async () => {
    const dataDir = join(dir, 'again')
    const label = 'twice'
    const a = await writeStl(dir, 'again-a.stl', 5, 91)
    sandbox.injectFault({ method: 'PUT', path: /^\/_storage\//, kind: 'delay', delayMs: 30_000 })
    const first = cli(['send', a, '--label', label], dataDir)
    await waitFor(() => journalTypes(dataDir).includes('urls'), 60_000)
    first.kill('SIGKILL')
    await first.exited
    sandbox.clearFaults()
    const again = await run(['send', a, '--label', label, '--again'], dataDir)
    expect(again.code, again.stderr).toBe(0)
    // The unfinished one is finished (said so), and the explicit copy is queued too.
    expect(again.stderr).toMatch(/resumed your unfinished send of again-a\.stl: queued/)
    expect(buildsLabelled(label)).toBe(2)
  })

  it(
    'Ctrl-C pauses (exit 130): nothing is cancelled, and the next run finishes it',
    { timeout: 90_000 },
    async () => {
      const dataDir = join(dir, 'ctrl-c')
      const label = 'paused'
      const a = await writeStl(dir, 'pause-a.stl', 5, 93)
      sandbox.injectFault({ method: 'PUT', path: /^\/_storage\//, kind: 'delay', delayMs: 30_000 })
      const first = cli(['send', a, '--label', label], dataDir)
      await waitFor(() => journalTypes(dataDir).includes('urls'), 60_000)
      process.kill(first.pid, 'SIGINT')
      const { code } = await first.exited
      expect(code).toBe(130)
      expect(first.stderr, first.stderr).toMatch(/Paused/)
      expect(journalTypes(dataDir)).not.toContain('end')
      sandbox.clearFaults()
      const again = await run(['send', a, '--label', label], dataDir)
      expect(again.code, again.stderr).toBe(0)
      expect(again.stderr).toMatch(/Resumed your unfinished send of pause-a\.stl/)
      expect(buildsLabelled(label)).toBe(1)
    }
  )
})
