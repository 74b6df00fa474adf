// The send pipeline's integration harness: a test sandbox, a client with fast retries and a temp
// dir, over real HTTP. (Moving to src/test-support/send.ts.)
import { join } from 'node:path'

import { writeStl } from './stl'
import { tempDir } from './temp'

/** Everything an integration test of the send pipeline needs, over real HTTP to the sandbox. */
export interface SendHarness {
  sandbox: import('../sandbox/testing').TestSandbox
  dir: string
  journalDir: string
  client: import('../core/printago/client').PrintagoClient
  /** Number of sandbox log entries at a mark; `since(mark)` lists what came after. */
  mark(): number
  since(
    mark: number
  ): Array<{ method: string; path: string; status: number; at: number; fault?: string }>
  stl(name: string, triangles?: number, seed?: number): Promise<string>
  service(
    extra?: Partial<import('../core/send/service').SendServiceOptions>
  ): Promise<import('../core/send/service').SendService>
  progress: import('../shared/send').SendProgress[]
  close(): Promise<void>
}

/** Start a sandbox (unlimited rate, paused scheduler), a client with fast retries, a temp dir. */
export async function sendHarness(
  sandboxOptions: import('../sandbox/index').SandboxOptions = {},
  clientOptions: Partial<import('../core/printago/client').PrintagoClientOptions> = {}
): Promise<SendHarness> {
  const { startTestSandbox } = await import('../sandbox/testing')
  const { createPrintagoClient } = await import('../core/printago/client')
  const { createSendService } = await import('../core/send/service')
  const { createMemoryDedupeCache } = await import('../core/send/dedupe-cache')
  const { createRateLimiter } = await import('../core/printago/rate-limiter')
  const sandbox = await startTestSandbox({
    ratePerMinute: 0,
    ratePerHour: 0,
    speed: 0,
    ...sandboxOptions
  })
  const { dir, cleanup } = await tempDir()
  const client = createPrintagoClient({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    storeId: sandbox.storeId,
    limiter: createRateLimiter({ perMinute: 10_000, perHour: 100_000 }),
    timeoutMs: 2000,
    retry: { baseMs: 5, capMs: 40, retryAfterJitterMs: 20 },
    ...clientOptions
  })
  const dedupe = createMemoryDedupeCache()
  const progress: import('../shared/send').SendProgress[] = []
  const services: Array<import('../core/send/service').SendService> = []
  const journalDir = join(dir, 'journal')
  return {
    sandbox,
    dir,
    journalDir,
    client,
    mark: () => sandbox.log.length,
    since: (m) => sandbox.log.slice(m),
    stl: (name, triangles = 4, seed = name.length * 7919 + name.charCodeAt(0)) =>
      writeStl(dir, name, triangles, seed),
    async service(extra = {}) {
      const s = await createSendService({
        client,
        journalDir,
        dedupe,
        onProgress: (p) => progress.push(p),
        upload: { baseDelayMs: 5, capDelayMs: 40, idleTimeoutMs: 2000 },
        settleMs: 0,
        ...extra
      })
      services.push(s)
      return s
    },
    progress,
    async close() {
      for (const s of services) await s.close().catch(() => undefined)
      await sandbox.close()
      await cleanup()
    }
  }
}
