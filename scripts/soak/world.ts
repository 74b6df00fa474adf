// Everything the runs share: the sandbox (on the virtual clock), the relay in front of it, the one
// data folder every actor sends from (in-process services, app sessions, CLI processes), the
// ledger of intended sends, the files, and the counters the report prints.
import { createHash } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { storeDataDir } from '../../src/core/infra/data-dir'
import { createPrintagoClient, type PrintagoClient } from '../../src/core/printago/client'
import { createRateLimiter } from '../../src/core/printago/rate-limiter'
import { startTestSandbox, type TestSandbox } from '../../src/sandbox/testing'
import { randomStl } from '../../src/test-support/stl'
import { Ledger } from './ledger'
import { createQuiet, type Quiet } from './quiet'
import type { Dice } from './random'
import { startRelay, type Relay } from './relay'
import { createSoakTime, type SoakTime } from './time'

/** A file on disk and its SHA-256 (how the oracle recognises its parts). */
export interface FileRef {
  path: string
  sha256: string
}

export interface World {
  readonly dir: string
  /** PRINTAGO_DATA_DIR of every actor. */
  readonly dataDir: string
  readonly storeDir: string
  readonly journalDir: string
  readonly sandbox: TestSandbox
  readonly relay: Relay
  readonly quiet: Quiet
  readonly time: SoakTime
  readonly ledger: Ledger
  readonly seed: number
  /** How often each fault class (and each of its variants) took effect. */
  readonly fired: Map<string, number>
  fire(name: string, n?: number): void
  /** Other counters for the report (crashes, kills, busy answers, journal issues…). */
  readonly counts: Map<string, number>
  count(name: string, n?: number): void
  /** A CLI process ran since the server was last seen quiet (see ServiceActor). */
  realTimeDirty: boolean
  /**
   * A client on the virtual clock, through the relay, whose requests outlive a crash;
   * `onRequest` is called as each request starts.
   */
  client(d: Dice, onRequest?: () => void): PrintagoClient
  /** A new file (unique bytes) or one from the shared pool (its part is reused). */
  file(d: Dice, name: string): Promise<FileRef>
  /** Deletes a part of the store on Printago (its SHA-256 stays known to the oracle). */
  deletePart(d: Dice): boolean
  shaOfPart(partId: string): string | undefined
  verbose(line: string): void
  close(): Promise<void>
}

export const STORE_B = 'soakotherstore0000000000b'

export async function createWorld(seed: number, verbose: boolean): Promise<World> {
  const dir = await mkdtemp(join(tmpdir(), 'printago-soak-'))
  const time = createSoakTime(Date.now())
  // Not seeded: entity timestamps follow the virtual clock, as Printago's follow its own.
  const sandbox = await startTestSandbox({
    ratePerMinute: 0,
    ratePerHour: 0,
    speed: 0,
    mqtt: false,
    clock: time.clock
  })
  const relay = await startRelay(sandbox.url)
  const quiet = createQuiet(relay)
  const pump = time.pump(quiet.busy, () => quiet.settled())
  const dataDir = join(dir, 'data')
  const storeDir = storeDataDir(dataDir, sandbox.storeId)
  const fired = new Map<string, number>()
  const counts = new Map<string, number>()
  const deletedParts = new Map<string, string>()
  const pool: FileRef[] = []
  let files = 0

  const writeFileRef = async (name: string, bytes: Buffer): Promise<FileRef> => {
    const path = join(dir, name)
    await writeFile(path, bytes)
    return { path, sha256: createHash('sha256').update(bytes).digest('hex') }
  }
  for (let i = 0; i < 12; i++) {
    pool.push(await writeFileRef(`pool-${i}.stl`, randomStl(20 + i * 7, seed * 1000 + i)))
  }

  const world: World = {
    dir,
    dataDir,
    storeDir,
    journalDir: join(storeDir, 'journal'),
    sandbox,
    relay,
    quiet,
    time,
    ledger: new Ledger(),
    seed,
    fired,
    fire(name, n = 1) {
      fired.set(name, (fired.get(name) ?? 0) + n)
    },
    counts,
    count(name, n = 1) {
      counts.set(name, (counts.get(name) ?? 0) + n)
    },
    realTimeDirty: false,
    client(d, onRequest) {
      return createPrintagoClient({
        baseUrl: relay.url,
        apiKey: sandbox.apiKey,
        storeId: sandbox.storeId,
        // Real time: it measures the server. Past it a request is in doubt (and still acted on).
        timeoutMs: 150,
        fetch: (input, init) => {
          const answer = quiet.fetch(input, init)
          onRequest?.()
          return answer
        },
        // A small window so the client-side limiter really paces the soak now and then.
        limiter: createRateLimiter({
          windows: [{ limit: 25, windowMs: 200 }],
          now: time.wall,
          sleep: time.sleep
        }),
        retry: { baseMs: 5, capMs: 40, retryAfterJitterMs: 10 },
        sleep: time.sleep,
        now: time.wall,
        random: d.next
      })
    },
    async file(d, name) {
      if (d.chance(0.4)) return d.pick(pool)
      files++
      return writeFileRef(
        `${name}-${files}.stl`,
        randomStl(d.int(10, 50), seed * 1_000_003 + files)
      )
    },
    deletePart(d) {
      const ids = [...sandbox.state.parts.keys()]
      if (ids.length === 0) return false
      const id = d.pick(ids)
      const sha = sandbox.state.parts.get(id)?.fileHashes?.[0]
      if (sha) deletedParts.set(id, sha)
      sandbox.state.parts.delete(id)
      return true
    },
    shaOfPart(partId) {
      return sandbox.state.parts.get(partId)?.fileHashes?.[0] ?? deletedParts.get(partId)
    },
    verbose(line) {
      if (verbose) process.stderr.write(`${line}\n`)
    },
    async close() {
      await pump.stop()
      quiet.restore()
      await relay.close()
      await sandbox.close()
      await rm(dir, { recursive: true, force: true })
    }
  }
  return world
}
