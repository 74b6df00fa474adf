// CLI tests: argument parsing in-process, and the real entry point spawned as a child process
// against an in-process sandbox with a temp PRINTAGO_DATA_DIR.
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing'
import { runScript } from '../../test-support/processes'
import { writeStl } from '../../test-support/stl'
import { tempDir } from '../../test-support/temp'
import { runCli } from '../index'
import { UsageError } from '../io'
import { parseSendArgs } from './send'
import { progressPrinter } from './send-progress'
import type { SendProgress } from '../../shared/send'

const PRINTER_ID = 'ckprinter000000000000001'

const ROOT = join(import.meta.dirname, '../../..')

interface Run {
  code: number
  stdout: string
  stderr: string
}

/** Runs `node --import tsx src/cli/index.ts …` (what `npm run cli` runs, minus npm) to its end. */
async function spawnCli(args: string[], env: Record<string, string>): Promise<Run> {
  const run = await runScript('src/cli/index.ts', args, {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '/tmp', ...env }
  })
  return { code: run.code ?? -1, stdout: run.stdout, stderr: run.stderr }
}

/** Run the CLI in-process with captured output. */
async function inProcess(args: string[], env: Record<string, string | undefined>): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const code = await runCli(
    args,
    { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
    { env }
  )
  return { code, stdout, stderr }
}

describe('parseSendArgs', () => {
  it('builds the request', () => {
    const { request, json } = parseSendArgs([
      'a.stl',
      'b.stl',
      '--tags',
      'PLA,Big Bed',
      '--quantity=3',
      '--label',
      'L',
      '--priority',
      'low',
      '--json'
    ])
    expect(json).toBe(true)
    expect(request.routing).toEqual({ mode: 'tags', tags: ['PLA', 'Big Bed'] })
    expect(request.items).toEqual([
      { path: 'a.stl', quantity: 3, label: 'L', priority: 'low' },
      { path: 'b.stl', quantity: 3, label: 'L', priority: 'low' }
    ])
    expect(parseSendArgs(['a.stl', '--printer', PRINTER_ID]).request.routing).toEqual({
      mode: 'printer',
      printerId: PRINTER_ID
    })
  })

  it.each([
    [[], 'no file given'],
    [['a.stl', '--quantity', '0'], '1 to 500'],
    [['a.stl', '--quantity', '501'], '1 to 500'],
    [['a.stl', '--quantity', '1.5'], '1 to 500'],
    [['a.stl', '--printer', PRINTER_ID, '--tags', 'A'], 'not both'],
    [['a.stl', '--printer', 'p1'], '24 lowercase letters and digits'],
    [['a.stl', '--printer', PRINTER_ID.toUpperCase()], '24 lowercase letters and digits'],
    [['a.stl', '--printer', `${PRINTER_ID}0`], '24 lowercase letters and digits'],
    [['a.stl', '--printer', 'X1C left'], '24 lowercase letters and digits'],
    [['a.stl', '--tags', 'A|B'], "'|'"],
    [['a.stl', '--tags', 'A,,B'], 'empty tag'],
    [['a.stl', '--priority', 'urgent'], 'low or normal'],
    [['a.stl', '--label'], 'needs a value'],
    [['a.stl', '--frobnicate'], 'unknown option']
  ])('rejects %j', (args, message) => {
    expect(() => parseSendArgs(args)).toThrow(UsageError)
    expect(() => parseSendArgs(args)).toThrow(message)
  })
})

describe('progress lines', () => {
  const lines = (events: Array<Partial<SendProgress>>): string[] => {
    const out: string[] = []
    const print = progressPrinter({ stdout: () => undefined, stderr: (s) => out.push(s) }, 1)
    for (const e of events)
      print({ jobId: 'j', index: 0, path: '/m/cube.stl', step: 'hashing', ...e })
    return out.map((l) => l.trimEnd())
  }
  const unknown = {
    code: 'outcome-unknown',
    message: 'Printago did not confirm whether the print was queued'
  }

  it('say what a wait is for, and never call the local start "queued"', () => {
    expect(
      lines([
        { step: 'queued-locally' },
        { step: 'queuing' },
        {
          step: 'retrying',
          error: { ...unknown, message: `${unknown.message} (Printago did not answer within 30 s)` }
        },
        { step: 'retrying', waitSeconds: 30, error: unknown },
        { step: 'queuing', error: unknown },
        { step: 'done', partBuildId: 'b1' }
      ])
    ).toEqual([
      '[1/1] cube.stl: waiting to start',
      '[1/1] cube.stl: queuing build',
      '[1/1] cube.stl: Printago did not confirm whether the print was queued (Printago did not answer within 30 s); checking before sending it again',
      '[1/1] cube.stl: waiting 30 s, then checking whether Printago queued it',
      '[1/1] cube.stl: checking whether Printago queued it',
      '[1/1] cube.stl: queued (build b1)'
    ])
  })

  it('back-off and rate-limit waits say how long', () => {
    expect(
      lines([
        { step: 'retrying', waitSeconds: 4 },
        { step: 'waiting-rate-limit', waitSeconds: 12 },
        { step: 'retrying', error: { code: 'network', message: 'connection reset' } }
      ])
    ).toEqual([
      '[1/1] cube.stl: retrying in 4 s',
      '[1/1] cube.stl: waiting 12 s for the rate limit',
      '[1/1] cube.stl: retrying: connection reset'
    ])
  })
})

describe('printago CLI', () => {
  let sandbox: TestSandbox
  let dir: string
  let cleanup: () => Promise<void>
  let env: Record<string, string>
  let file: string

  beforeAll(async () => {
    sandbox = await startTestSandbox({ ratePerMinute: 0, ratePerHour: 0, speed: 0 })
    ;({ dir, cleanup } = await tempDir())
    file = await writeStl(dir, 'benchy.stl', 10, 42)
    env = {
      PRINTAGO_API_KEY: sandbox.apiKey,
      PRINTAGO_STORE_ID: sandbox.storeId,
      PRINTAGO_BASE_URL: sandbox.url,
      PRINTAGO_DATA_DIR: join(dir, 'data')
    }
  })
  afterAll(async () => {
    await sandbox.close()
    await cleanup()
  })

  it('send --json: a new file costs 4 calls, the same file again 1 (spawned)', async () => {
    const first = await spawnCli(['send', file, '--json'], env)
    expect(first.stderr).toContain('benchy.stl')
    expect(first.code).toBe(0)
    const out = JSON.parse(first.stdout) as {
      jobs: Array<Record<string, unknown>>
      apiCalls: number
    }
    expect(out.apiCalls).toBe(4)
    expect(out.jobs).toHaveLength(1)
    expect(out.jobs[0]).toMatchObject({ file, reusedPart: false })
    expect(Object.keys(out.jobs[0]!).sort()).toEqual([
      'file',
      'partBuildId',
      'partId',
      'reusedPart',
      'sha256'
    ])
    expect(sandbox.state.partBuilds.has(out.jobs[0]!['partBuildId'] as string)).toBe(true)

    const again = await spawnCli(['send', file, '--json', '--quantity', '2'], env)
    expect(again.code).toBe(0)
    const out2 = JSON.parse(again.stdout) as typeof out
    expect(out2.apiCalls).toBe(1)
    expect(out2.jobs[0]).toMatchObject({ reusedPart: true, partId: out.jobs[0]!['partId'] })
  })

  it('CLI sends are recorded in the shared history, newest first', async () => {
    const hist = await spawnCli(['history', '--json'], env)
    expect(hist.code).toBe(0)
    const entries = JSON.parse(hist.stdout) as Array<{
      file: string
      quantity: number
      routing: { mode: string }
      status: string
    }>
    expect(entries.length).toBeGreaterThanOrEqual(2)
    expect(entries[0]).toMatchObject({
      file,
      quantity: 2,
      routing: { mode: 'any' },
      status: 'queued'
    })
    expect(entries[1]).toMatchObject({ file, quantity: 1 })
  })

  it('exit 2 for usage errors, with one clear line (spawned)', async () => {
    const r = await spawnCli(['send', file, '--quantity', '0'], env)
    expect(r.code).toBe(2)
    expect(r.stdout).toBe('')
    expect(r.stderr.trim().split('\n')).toHaveLength(1)
    expect(r.stderr).toContain('--quantity')
    expect((await spawnCli(['frobnicate'], env)).code).toBe(2)
  })

  it('exit 1 for a bad key, naming the file and the env vars (spawned)', async () => {
    const r = await spawnCli(['send', file, '--json'], {
      ...env,
      PRINTAGO_API_KEY: 'x'.repeat(72),
      PRINTAGO_DATA_DIR: join(dir, 'bad')
    })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/error: .*benchy\.stl: .*401.*PRINTAGO_API_KEY\/PRINTAGO_STORE_ID/)
    const out = JSON.parse(r.stdout) as { jobs: unknown[]; failures: Array<{ code: string }> }
    expect(out.jobs).toEqual([])
    expect(out.failures[0]!.code).toBe('auth')
  })

  it('usage errors in-process: both --printer and --tags, a tag with |, missing credentials', async () => {
    expect((await inProcess(['send', file, '--printer', 'p', '--tags', 'A'], env)).code).toBe(2)
    expect((await inProcess(['send', file, '--tags', 'A|B'], env)).code).toBe(2)
    const badId = await inProcess(['send', file, '--printer', 'X1C-left'], env)
    expect(badId.code).toBe(2)
    expect(badId.stderr.trim().split('\n')).toEqual([
      'send: --printer needs a printer id, 24 lowercase letters and digits (got "X1C-left"); the printers command lists them (see send --help)'
    ])
    const noKey = await inProcess(['send', file], { ...env, PRINTAGO_API_KEY: undefined })
    expect(noKey.code).toBe(2)
    expect(noKey.stderr).toContain('PRINTAGO_API_KEY is not set')
    expect((await inProcess([], env)).code).toBe(2)
    const help = await inProcess(['--help'], env)
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('send <file.stl>')
    expect((await inProcess(['send', '--help'], env)).stdout).toContain('--quantity')
  })

  it('exit 1 for files that are missing, empty, directories or not STL — nothing is sent', async () => {
    await writeFile(join(dir, 'empty.stl'), '')
    await writeFile(join(dir, 'notes.stl'), 'hello world, not a mesh')
    const before = sandbox.log.length
    const r = await inProcess(
      ['send', join(dir, 'missing.stl'), join(dir, 'empty.stl'), dir, join(dir, 'notes.stl'), file],
      env
    )
    expect(r.code).toBe(1)
    const lines = r.stderr.trim().split('\n')
    expect(lines).toHaveLength(4)
    expect(lines[0]).toContain('missing.stl: file not found')
    expect(lines[1]).toContain('empty.stl: file is empty')
    expect(lines[2]).toContain('is a directory')
    expect(lines[3]).toMatch(/notes.stl: .*not an STL/)
    expect(sandbox.log.length).toBe(before)
  })

  it('one invalid file refuses the batch: one line each saying nothing was sent, and --json still prints', async () => {
    const before = sandbox.log.length
    const missing = join(dir, 'missing.stl')
    const r = await inProcess(['send', file, missing, '--json'], env)
    expect(r.code).toBe(1)
    expect(r.stderr.trim().split('\n')).toEqual([
      `error: ${missing}: file not found; nothing was sent (fix or remove it and run again)`
    ])
    expect(JSON.parse(r.stdout)).toEqual({
      jobs: [],
      failures: [
        {
          file: missing,
          code: 'file',
          message: `${missing}: file not found; nothing was sent (fix or remove it and run again)`
        }
      ],
      apiCalls: 0
    })
    expect(sandbox.log.length).toBe(before)
  })

  it('a build Printago never confirms: one line per file and outcome-unknown failures in --json', async () => {
    const data = join(dir, 'unknown-data')
    const a = await writeStl(dir, 'unconfirmed-a.stl', 5, 31)
    const b = await writeStl(dir, 'unconfirmed-b.stl', 5, 32)
    // Printago fails the build with a 5xx (it may or may not have queued it) and can't be read.
    sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'status', status: 500 })
    sandbox.injectFault({
      method: 'GET',
      path: '/v1/part-builds',
      kind: 'status',
      status: 503,
      headers: { 'retry-after': '0' },
      times: Infinity
    })
    try {
      const r = await inProcess(['send', a, b, '--json'], { ...env, PRINTAGO_DATA_DIR: data })
      expect(r.code).toBe(1)
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('error:'))
      expect(errors).toHaveLength(2)
      for (const [k, f] of [a, b].entries()) {
        expect(errors[k]).toContain(
          `error: ${f}: Printago did not confirm whether the print was queued`
        )
        expect(errors[k]).toContain('checks Printago and finishes it (it is never queued twice)')
      }
      const out = JSON.parse(r.stdout) as {
        jobs: unknown[]
        failures: Array<{ file: string; code: string; message: string }>
        status: string
      }
      expect(out.jobs).toEqual([])
      expect(out.status).toBe('interrupted')
      expect(out.failures.map((f) => [f.file, f.code])).toEqual([
        [a, 'outcome-unknown'],
        [b, 'outcome-unknown']
      ])
    } finally {
      sandbox.clearFaults()
    }
  })

  it('--printer/--tags no printer matches: a warning before sending (one printer list call); plain sends skip it', async () => {
    const printersCalls = (from: number): number =>
      sandbox.log.slice(from).filter((e) => e.method === 'GET' && e.path === '/v1/printers').length
    // A plain send: no printer list call.
    let m = sandbox.log.length
    const plain = await inProcess(['send', file, '--json'], env)
    expect(plain.code).toBe(0)
    expect(JSON.parse(plain.stdout).apiCalls).toBe(1)
    expect(printersCalls(m)).toBe(0)
    expect(plain.stderr).not.toContain('warning:')

    m = sandbox.log.length
    const unknown = await inProcess(['send', file, '--printer', PRINTER_ID, '--json'], env)
    expect(unknown.code).toBe(0)
    expect(printersCalls(m)).toBe(1)
    expect(JSON.parse(unknown.stdout).apiCalls).toBe(2)
    const warnings = unknown.stderr.split('\n').filter((l) => l.startsWith('warning:'))
    expect(warnings).toEqual([
      `warning: no printer with id ${PRINTER_ID} in this store (the printers command lists them): the job will wait in Printago's queue and never print`
    ])

    const wrongCase = await inProcess(['send', file, '--tags', 'pla,RackA'], env)
    expect(wrongCase.code).toBe(0)
    const [warning, ...more] = wrongCase.stderr.split('\n').filter((l) => l.startsWith('warning:'))
    expect(more).toEqual([])
    expect(warning).toContain('no printer carries all of the tags pla, RackA')
    expect(warning).toContain('tags are case-sensitive')
    expect(warning).toContain('PLA')

    const noneHasAll = await inProcess(['send', file, '--tags', 'RackA,RackB'], env)
    expect(noneHasAll.stderr).toContain('warning: no printer carries all of the tags RackA, RackB')
    expect(noneHasAll.stderr).not.toContain('case-sensitive')

    const known = [...sandbox.state.printers.keys()][0]!
    for (const args of [
      ['--printer', known],
      ['--tags', 'PLA,RackA']
    ]) {
      m = sandbox.log.length
      const ok = await inProcess(['send', file, ...args], env)
      expect(ok.code).toBe(0)
      expect(ok.stderr).not.toContain('warning:')
      expect(printersCalls(m)).toBe(1)
    }
  })

  it('exit 1 with the permission named on 403', async () => {
    sandbox.injectFault({
      method: 'POST',
      path: '/v1/storage/signed-upload-urls',
      kind: 'status',
      status: 403
    })
    const other = await writeStl(dir, 'other.stl', 5, 7)
    const r = await inProcess(['send', other], env)
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/error: .*other\.stl: .*403.*part\.create/)
  })

  it('routes to tags and queues the quantity', async () => {
    const tagged = await writeStl(dir, 'tagged.stl', 6, 9)
    const r = await inProcess(
      ['send', tagged, '--tags', 'PLA,RackA', '--quantity', '3', '--label', 'Order 9', '--json'],
      env
    )
    expect(r.code).toBe(0)
    const { jobs } = JSON.parse(r.stdout) as { jobs: Array<{ partBuildId: string }> }
    const build = sandbox.state.partBuilds.get(jobs[0]!.partBuildId)!
    expect(build).toMatchObject({
      quantity: 3,
      // The user's label plus the marker that proves the build ours (core/send/marker.ts).
      label: expect.stringMatching(/^Order 9 \[ps:[a-z2-7]{8}\]$/),
      requiredPrinterTags: { 'user.tags': '&=PLA|RackA' }
    })
  })

  it('printers --json prints summaries without metadata (spawned)', async () => {
    const r = await spawnCli(['printers', '--json'], env)
    expect(r.code).toBe(0)
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>
    expect(rows.length).toBe(sandbox.state.printers.size)
    // Exactly the documented shape, with the derived state, the job and what needs a hand.
    for (const row of rows) {
      expect(Object.keys(row)).toEqual([
        'id',
        'name',
        'model',
        'state',
        'online',
        'available',
        'ready',
        'tags',
        'job',
        'needs',
        'health'
      ])
    }
    expect(r.stdout).not.toContain('dev_access_code')
    for (const p of sandbox.state.printers.values()) {
      const code = (p.metadata as { dev_access_code?: string } | null)?.dev_access_code
      if (code) expect(r.stdout).not.toContain(code)
    }
  })

  it('printers prints a table; a bad key is exit 1', async () => {
    const table = await inProcess(['printers'], env)
    expect(table.code).toBe(0)
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+MODEL\s+STATE\s+JOB\s+NEEDS\s+TAGS$/)
    const bad = await inProcess(['printers'], { ...env, PRINTAGO_API_KEY: 'y'.repeat(72) })
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain('401')
  })

  it('history is delegated to the history command', async () => {
    const r = await inProcess(['history', '--help'], env)
    expect(r.code).toBe(0)
    expect(r.stdout).toContain('history')
  })

  it('inspect is delegated to the inspect command', async () => {
    const r = await inProcess(['inspect', file, '--json'], env)
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toBeTruthy()
  })
})
