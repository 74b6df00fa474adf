// Send-pipeline benchmarks, measured side by side in one run:
//   hash_ratio_vs_openssl   our streaming SHA-256 vs `openssl dgst -sha256` (page cache warm)
//   upload_ratio_vs_curl    our signed-URL PUT vs `curl -T` to the same sandbox storage
//   upload_rss_growth_mb    peak RSS growth of a child process running only our upload
//   api_calls_*             requests the sandbox logs for a new file, a repeat, a batch of 10
//   bytes_read_per_file_byte_new / _repeat
//                           file bytes this process reads to check, hash and send a 200 MB file
//                           (files:hash on drop, then a send), new and already on Printago
// The sandbox for the upload runs in its own process so it doesn't share our event loop. When run
// as `tsx bench/send.ts --upload-child <url> <file> <size>` this file is that child.
import { execFile } from 'node:child_process'
import { randomFillSync } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { mkdtemp, open, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

import { runScript, startScript, type TestProcess } from '../src/test-support/processes'

const run = promisify(execFile)
const ROOT = join(fileURLToPath(import.meta.url), '../..')

/** One result line: `{metric, value, goal, pass, ...}`. */
export interface SendBenchResult {
  metric: string
  value: number
  goal: string
  pass: boolean
  [k: string]: unknown
}

export interface SendBenchOptions {
  /** Size of the hashed/uploaded file; default 1024 (1 GiB). */
  sizeMb?: number
  /** Repetitions per side (best is kept); default 3. */
  runs?: number
  log?: (s: string) => void
}

const round = (n: number, d = 3): number => Math.round(n * 10 ** d) / 10 ** d

async function writeRandomFile(file: string, bytes: number): Promise<void> {
  const fh = await open(file, 'w')
  const chunk = Buffer.allocUnsafe(8 << 20)
  try {
    for (let done = 0; done < bytes; done += chunk.length) {
      randomFillSync(chunk)
      await fh.write(chunk, 0, Math.min(chunk.length, bytes - done))
    }
  } finally {
    await fh.close()
  }
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now()
  await fn()
  return performance.now() - t
}

/** Where a sandbox answers and the demo store's credentials. */
interface SandboxAccess {
  url: string
  apiKey: string
  storeId: string
}

/** Start the sandbox CLI in a child process; resolves with its URL and API key. */
async function sandboxProcess(): Promise<SandboxAccess & { proc: TestProcess }> {
  const proc = startScript(
    'src/sandbox/cli.ts',
    ['--port', '0', '--speed', '0', '--rate-per-minute', '0', '--rate-per-hour', '0'],
    { cwd: ROOT }
  )
  try {
    const text = (await proc.waitForOutput(/^Store ID:\s+\S+\n/m)).input
    return {
      url: /listening on (\S+)/.exec(text)![1]!,
      apiKey: /^API key:\s+(\S+)/m.exec(text)![1]!,
      storeId: /^Store ID:\s+(\S+)/m.exec(text)![1]!,
      proc
    }
  } catch (e) {
    await proc.stop()
    throw e
  }
}

async function signedUrl(sb: SandboxAccess): Promise<string> {
  const res = await fetch(`${sb.url}/v1/storage/signed-upload-urls`, {
    method: 'POST',
    headers: {
      authorization: `ApiKey ${sb.apiKey}`,
      'x-printago-storeid': sb.storeId,
      'content-type': 'application/json'
    },
    body: JSON.stringify({ filenames: ['bench.stl'] })
  })
  const body = (await res.json()) as { signedUrls: Array<{ uploadUrl: string }> }
  return body.signedUrls[0]!.uploadUrl
}

/** Our upload in a fresh child process; returns its wall time and RSS figures. */
async function childUpload(
  url: string,
  file: string,
  size: number
): Promise<{ ms: number; baseRssMb: number; peakRssMb: number }> {
  const child = await runScript('bench/send.ts', ['--upload-child', url, file, String(size)], {
    cwd: ROOT,
    timeoutMs: 10 * 60_000
  })
  if (child.code !== 0) throw new Error(`upload child failed (${child.code}): ${child.stderr}`)
  const stdout = child.stdout
  return JSON.parse(stdout.trim().split('\n').pop()!) as {
    ms: number
    baseRssMb: number
    peakRssMb: number
  }
}

async function curlUpload(url: string, file: string): Promise<number> {
  return timed(async () => {
    const { stdout } = await run('curl', [
      '-sS',
      '-T',
      file,
      '-o',
      '/dev/null',
      '-w',
      '%{http_code}',
      url
    ])
    if (!stdout.startsWith('2')) throw new Error(`curl upload answered ${stdout}`)
  })
}

/** The app's send service against `sandbox`, with a fresh journal and dedupe cache. */
async function sendServiceOn(
  sandbox: SandboxAccess,
  journalDir: string
): Promise<import('../src/core/send/service').SendService> {
  const { createPrintagoClient } = await import('../src/core/printago/client')
  const { createSendService } = await import('../src/core/send/service')
  const { createMemoryDedupeCache } = await import('../src/core/send/dedupe-cache')
  const client = createPrintagoClient({
    baseUrl: sandbox.url,
    apiKey: sandbox.apiKey,
    storeId: sandbox.storeId
  })
  return createSendService({ client, journalDir, dedupe: createMemoryDedupeCache() })
}

/** API calls the sandbox logs for a new file, the same file again, and a batch of 10. */
async function apiCallBench(dir: string): Promise<SendBenchResult[]> {
  const { startTestSandbox } = await import('../src/sandbox/testing')
  const { writeFile } = await import('node:fs/promises')
  const sandbox = await startTestSandbox({ ratePerMinute: 0, ratePerHour: 0, speed: 0 })
  try {
    const service = await sendServiceOn(sandbox, join(dir, 'journal'))
    const stl = async (name: string, seed: number): Promise<string> => {
      const buf = Buffer.alloc(84 + 50 * 20)
      buf.writeUInt32LE(20, 80)
      for (let i = 84; i < buf.length; i++) buf[i] = (i * seed) & 0xff
      const file = join(dir, name)
      await writeFile(file, buf)
      return file
    }
    const count = async (fn: () => Promise<unknown>): Promise<number> => {
      const before = sandbox.log.length
      await fn()
      return sandbox.log.length - before
    }
    const one = await stl('one.stl', 3)
    const batch = await Promise.all(Array.from({ length: 10 }, (_, i) => stl(`b${i}.stl`, 11 + i)))
    const send = async (paths: string[]): Promise<void> => {
      const r = await service.send({
        items: paths.map((path) => ({ path, quantity: 1 })),
        routing: { mode: 'any' }
      })
      if (r.status !== 'done') throw new Error(`bench send ${r.status}: ${r.error?.message ?? ''}`)
    }
    const newFile = await count(() => send([one]))
    const repeat = await count(() => send([one]))
    const batch10 = await count(() => send(batch))
    await service.close()
    return [
      { metric: 'api_calls_new_file', value: newFile, goal: '4', pass: newFile === 4 },
      { metric: 'api_calls_repeat_file', value: repeat, goal: '1', pass: repeat === 1 },
      { metric: 'api_calls_batch_10', value: batch10, goal: '22', pass: batch10 === 22 }
    ]
  } finally {
    await sandbox.close()
  }
}

/**
 * Bytes of file data this process read, from the kernel's own count (`rchar` in /proc/<pid>/io).
 * Node reads files on libuv's thread pool and sockets on the main thread, so the file bytes are
 * the process's count minus the main thread's: that leaves out the in-process sandbox reading
 * the uploaded body from its socket and every REST exchange. (A synchronous file read would run
 * on the main thread and be missed; the pipeline reads files only asynchronously.)
 */
function readCounters(): { fileBytes: number; mainThreadBytes: number } | null {
  const rchar = (path: string): number => {
    const m = /^rchar:\s+(\d+)$/m.exec(readFileSync(path, 'utf8'))
    if (!m) throw new Error(`no rchar in ${path}`)
    return Number(m[1])
  }
  try {
    const all = rchar('/proc/self/io')
    const main = rchar(`/proc/self/task/${process.pid}/io`)
    return { fileBytes: all - main, mainThreadBytes: main }
  } catch {
    return null
  }
}

/** A valid binary STL of about `bytes` bytes: random triangles with finite coordinates. */
async function writeBinaryStl(file: string, bytes: number): Promise<number> {
  const count = Math.floor((bytes - 84) / 50)
  const fh = await open(file, 'w')
  try {
    const header = Buffer.alloc(84)
    header.write('bench binary stl', 0, 'latin1')
    header.writeUInt32LE(count, 80)
    await fh.write(header)
    const perChunk = 160_000
    const chunk = Buffer.allocUnsafe(50 * perChunk)
    for (let done = 0; done < count; done += perChunk) {
      const n = Math.min(perChunk, count - done)
      randomFillSync(chunk)
      // Clear each float's top exponent bit: every coordinate is finite.
      for (let t = 0; t < n; t++) for (let k = 0; k < 12; k++) chunk[t * 50 + 4 * k + 3]! &= 0xbf
      await fh.write(chunk, 0, n * 50)
    }
  } finally {
    await fh.close()
  }
  return 84 + 50 * count
}

/**
 * Bytes read per file byte for a 200 MB STL dropped and sent: files:hash (inspectAndHashFile),
 * then a send through createSendService against an in-process sandbox. New file: check + hash,
 * then the upload (goal two reads). Repeat: the same file in a later session (the part is known
 * to the dedupe cache, the inspection cache starts empty): check + hash only (goal one read).
 */
export async function benchFileReads(
  options: { dir?: string; sizeMb?: number; log?: (s: string) => void } = {}
): Promise<SendBenchResult[]> {
  const log = options.log ?? (() => undefined)
  if (!readCounters()) {
    log('bytes-read bench skipped: no per-thread /proc/<pid>/io here')
    return []
  }
  const ownDir = options.dir === undefined
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'printago-bench-')))
  const { startSandbox } = await import('../src/sandbox/index')
  const { fileInspections, inspectAndHashFile } = await import('../src/core/send/file-check')
  const { hashFile } = await import('../src/core/infra/hash')
  const sandbox = await startSandbox({ ratePerMinute: 0, ratePerHour: 0, speed: 0, mqtt: false })
  try {
    const file = join(dir, 'reads.stl')
    const size = await writeBinaryStl(file, Math.round((options.sizeMb ?? 200) * 2 ** 20))
    const service = await sendServiceOn(sandbox, join(dir, 'reads-journal'))
    /** Drop (files:hash) then send; file and main-thread bytes read per file byte. */
    const dropAndSend = async (): Promise<{ file: number; main: number }> => {
      const before = readCounters()!
      const dropped = await inspectAndHashFile(file)
      const r = await service.send({
        items: [{ path: file, quantity: 1 }],
        routing: { mode: 'any' }
      })
      const after = readCounters()!
      if (r.status !== 'done') throw new Error(`bench send ${r.status}: ${r.error?.message ?? ''}`)
      if (r.files[0]!.sha256 !== dropped.sha256) throw new Error('bench: hash changed')
      return {
        file: (after.fileBytes - before.fileBytes) / size,
        main: (after.mainThreadBytes - before.mainThreadBytes) / size
      }
    }
    // The method's anchor, same run: hashing the file alone is exactly one read.
    const h0 = readCounters()!
    await hashFile(file)
    const anchor = (readCounters()!.fileBytes - h0.fileBytes) / size
    fileInspections.clear()
    const fresh = await dropAndSend()
    const sameSession = await dropAndSend()
    // A later session: the dedupe cache still knows the part, nothing else is remembered.
    fileInspections.clear()
    const repeat = await dropAndSend()
    await service.close()
    const sizeMb = round(size / 2 ** 20, 1)
    return [
      {
        metric: 'bytes_read_per_file_byte_new',
        value: round(fresh.file),
        goal: '<= 2.05',
        pass: fresh.file <= 2.05,
        size_mb: sizeMb,
        anchor_hash_only: round(anchor),
        main_thread_per_file_byte: round(fresh.main)
      },
      {
        metric: 'bytes_read_per_file_byte_repeat',
        value: round(repeat.file),
        goal: '<= 1.05',
        pass: repeat.file <= 1.05,
        size_mb: sizeMb,
        anchor_hash_only: round(anchor),
        same_session: round(sameSession.file)
      }
    ]
  } finally {
    await sandbox.close()
    if (ownDir) await rm(dir, { recursive: true, force: true })
  }
}

/** Run every send benchmark; the temp data is deleted afterwards. */
export async function benchSend(options: SendBenchOptions = {}): Promise<SendBenchResult[]> {
  const sizeMb = options.sizeMb ?? 1024
  const runs = options.runs ?? 3
  const log = options.log ?? (() => undefined)
  const bytes = Math.round(sizeMb * 1024 * 1024)
  const dir = await mkdtemp(join(tmpdir(), 'printago-bench-'))
  const results: SendBenchResult[] = []
  let sandbox: Awaited<ReturnType<typeof sandboxProcess>> | undefined
  try {
    const file = join(dir, 'big.stl')
    log(`writing ${sizeMb} MiB of random data…`)
    await writeRandomFile(file, bytes)

    const { hashFile } = await import('../src/core/infra/hash')
    // Warm the page cache so both sides read from memory.
    await run('openssl', ['dgst', '-sha256', file])
    const oursHash = await hashFile(file)
    const { stdout } = await run('openssl', ['dgst', '-sha256', file])
    if (!stdout.trim().endsWith(oursHash.sha256)) throw new Error('hash mismatch with openssl')
    log('hashing: ours vs openssl…')
    let oursMs = Infinity
    let opensslMs = Infinity
    for (let i = 0; i < runs; i++) {
      // Interleaved so a noisy neighbour hurts both sides alike.
      oursMs = Math.min(oursMs, await timed(() => hashFile(file)))
      opensslMs = Math.min(opensslMs, await timed(() => run('openssl', ['dgst', '-sha256', file])))
    }
    const mbps = (ms: number): number => round(bytes / 1e6 / (ms / 1000), 1)
    const hashRatio = round(opensslMs / oursMs)
    results.push({
      metric: 'hash_ratio_vs_openssl',
      value: hashRatio,
      goal: '>= 0.9',
      pass: hashRatio >= 0.9,
      ours_mb_s: mbps(oursMs),
      openssl_mb_s: mbps(opensslMs),
      size_mb: sizeMb
    })

    log('uploading: ours vs curl…')
    sandbox = await sandboxProcess()
    let oursUp = Infinity
    let curlUp = Infinity
    let rssGrowth = 0
    for (let i = 0; i < runs; i++) {
      const ours = await childUpload(await signedUrl(sandbox), file, bytes)
      oursUp = Math.min(oursUp, ours.ms)
      rssGrowth = Math.max(rssGrowth, ours.peakRssMb - ours.baseRssMb)
      curlUp = Math.min(curlUp, await curlUpload(await signedUrl(sandbox), file))
    }
    const upRatio = round(curlUp / oursUp)
    results.push({
      metric: 'upload_ratio_vs_curl',
      value: upRatio,
      goal: '>= 0.8',
      pass: upRatio >= 0.8,
      ours_mb_s: mbps(oursUp),
      curl_mb_s: mbps(curlUp),
      size_mb: sizeMb
    })
    results.push({
      metric: 'upload_rss_growth_mb',
      value: round(rssGrowth, 1),
      goal: '<= 64',
      pass: rssGrowth <= 64,
      size_mb: sizeMb
    })
    log('counting API calls…')
    results.push(...(await apiCallBench(dir)))
    log('counting bytes read per file byte…')
    results.push(...(await benchFileReads({ dir })))
    return results
  } finally {
    await sandbox?.proc.stop()
    await rm(dir, { recursive: true, force: true })
  }
}

/** Child mode: upload once, sampling RSS every 5 ms; prints one JSON line. */
async function uploadChild(url: string, file: string, size: number): Promise<void> {
  const { uploadFile } = await import('../src/core/printago/upload')
  ;(globalThis as { gc?: () => void }).gc?.()
  const baseRss = process.memoryUsage.rss()
  let peak = baseRss
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss())
  }, 5)
  const t = performance.now()
  await uploadFile({ file, size, target: { uploadUrl: url, path: 'bench' }, maxAttempts: 1 })
  const ms = performance.now() - t
  clearInterval(sampler)
  peak = Math.max(peak, process.memoryUsage.rss())
  process.stdout.write(
    `${JSON.stringify({ ms, baseRssMb: baseRss / 2 ** 20, peakRssMb: peak / 2 ** 20 })}\n`
  )
}

if (process.argv[2] === '--upload-child') {
  const [url, file, size] = process.argv.slice(3)
  uploadChild(url!, file!, Number(size)).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`${(error as Error).message}\n`)
      process.exit(1)
    }
  )
}
