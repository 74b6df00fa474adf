// The operator's CLI commands in-process against the sandbox: printers with state, job, progress
// and what needs a hand; clear-bed; queue [--mine]; jobs move-to-front|pause|resume — each with
// --json and the exit codes 0/1/2, and a key without the permissions.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { storeDataDir } from '../../core/infra/data-dir'
import { nodeConfFactory, openHistoryStore } from '../../core/history/store'
import type { TestSandbox } from '../../sandbox/testing'
import { build, makePart, PRINTER, sandbox } from '../../sandbox/testing/test-utils'
import { sendToSandbox } from '../../test-support/history-store'
import { boxStl } from '../../test-support/stl'
import { tempDir } from '../../test-support/temp'
import { runCli } from '../index'
import type { PrinterRow } from './printers'
import type { QueueRow } from './queue'

let sb: TestSandbox
let dataDir: string
let cleanup: () => Promise<void>

beforeEach(async () => {
  sb = await sandbox()
  ;({ dir: dataDir, cleanup } = await tempDir('cli-operator-'))
})
afterEach(async () => {
  await sb.close()
  await cleanup()
})

interface Run {
  code: number
  stdout: string
  stderr: string
}

async function cli(args: string[], over: Record<string, string> = {}): Promise<Run> {
  let stdout = ''
  let stderr = ''
  const env = {
    PRINTAGO_API_KEY: sb.apiKey,
    PRINTAGO_STORE_ID: sb.storeId,
    PRINTAGO_BASE_URL: sb.url,
    PRINTAGO_DATA_DIR: dataDir,
    PRINTAGO_REALTIME_URL: 'off',
    ...over
  }
  const code = await runCli(
    args,
    { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
    { env }
  )
  return { code, stdout, stderr }
}

/** Jobs of one build, by the sandbox's state. */
const jobsOf = (partBuildId: string): string[] =>
  [...sb.state.printJobs.values()].filter((j) => j.partBuildId === partBuildId).map((j) => j.id)

describe('printers', () => {
  it('--json gives every printer its state, the job on it with progress, and what it needs', async () => {
    const part = await makePart(sb, 'bracket', boxStl(30, 20, 10))
    const pb = await build(sb, part.id, {
      label: 'Bracket',
      tags: { 'printer.id': `=${PRINTER.a1mini}` }
    })
    for (let i = 0; i < 4; i++) sb.tick() // assigned → slicing → sending → printing
    expect(sb.state.printJobs.get(jobsOf(pb.id)[0]!)!.status).toBe('printing')
    // The sandbox prints on (progress every 3 virtual s) while the CLI listens to printer stats.
    sb.setSpeed(10)
    const r = await cli(['printers', '--json'], {
      PRINTAGO_REALTIME_URL: sb.mqttUrl!,
      PRINTAGO_STATS_WAIT_MS: '5000'
    })
    sb.setSpeed(0)
    expect(r.code).toBe(0)
    const rows = JSON.parse(r.stdout) as PrinterRow[]
    const by = (id: string): PrinterRow => rows.find((p) => p.id === id)!
    expect(Object.keys(rows[0]!)).toEqual([
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
    expect(by(PRINTER.a1mini)).toMatchObject({
      state: 'printing',
      job: { printJobId: jobsOf(pb.id)[0], label: 'Bracket', mine: false },
      needs: []
    })
    const job = by(PRINTER.a1mini).job!
    expect(job.percent).toBeGreaterThanOrEqual(0)
    expect(job.totalLayers).toBe(50) // 10 mm at 0.2 mm
    expect(job.minutesLeft).not.toBeNull()
    expect(by(PRINTER.p1s2)).toMatchObject({ state: 'waiting-bed-clear', needs: ['Clear the bed'] })
    expect(by(PRINTER.mk4).state).toBe('offline')
    expect(by(PRINTER.voron).state).toBe('disabled')
    expect(by(PRINTER.x1c)).toMatchObject({ state: 'printing', job: { printJobId: null } })
    expect(r.stdout).not.toMatch(/dev_access_code|c0de/)
  })

  it('shows a paused print and a printer in maintenance; the table says what needs a hand', async () => {
    const part = await makePart(sb, 'clip', boxStl(10, 10, 5))
    const pb = await build(sb, part.id, {
      label: 'Clip',
      tags: { 'printer.id': `=${PRINTER.h2d}` }
    })
    for (let i = 0; i < 4; i++) sb.tick()
    expect((await cli(['jobs', 'pause', jobsOf(pb.id)[0]!])).code).toBe(0)
    sb.updatePrinter(PRINTER.p1s1, { isInMaintenance: true })
    const rows = JSON.parse((await cli(['printers', '--json'])).stdout) as PrinterRow[]
    expect(rows.find((p) => p.id === PRINTER.h2d)).toMatchObject({
      state: 'paused',
      needs: ['Print paused'],
      job: { label: 'Clip' }
    })
    expect(rows.find((p) => p.id === PRINTER.p1s1)).toMatchObject({
      state: 'maintenance',
      ready: false
    })
    const table = (await cli(['printers'])).stdout
    expect(table).toMatch(/^ID\s+NAME\s+MODEL\s+STATE\s+JOB\s+NEEDS\s+TAGS$/m)
    expect(table).toMatch(/P1S #2\s+P1S\s+waiting-bed-clear\s+Clear the bed\s+PETG,RackB/)
    expect(table).toMatch(/H2D\s+H2D\s+paused\s+Clip\s+Print paused/)
  })
})

describe('clear-bed', () => {
  it('marks a bed clear by name; says so when there is nothing to do or it cannot', async () => {
    const r = await cli(['clear-bed', 'p1s #2', '--json'])
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({
      printer: { id: PRINTER.p1s2, state: 'ready' },
      cleared: true
    })
    expect(sb.state.printers.get(PRINTER.p1s2)!.confirmedReady).toBe(true)
    const again = await cli(['clear-bed', PRINTER.p1s2])
    expect(again).toMatchObject({ code: 0, stderr: expect.stringMatching(/already marked clear/) })
    const busy = await cli(['clear-bed', 'X1 Carbon'])
    expect(busy).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/does not wait for a bed clear \(printing\)/)
    })
    expect((await cli(['clear-bed', 'Nope'])).code).toBe(1)
    expect((await cli(['clear-bed'])).code).toBe(2)
    expect((await cli(['clear-bed', 'a', 'b'])).code).toBe(2)
  })

  it('a key without printer.ready hears why (403)', async () => {
    const r = await cli(['clear-bed', 'P1S #2'], { PRINTAGO_API_KEY: sb.limitedApiKey })
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(/lacks the printer\.ready permission, so it cannot mark a bed clear/)
    expect(sb.state.printers.get(PRINTER.p1s2)!.confirmedReady).toBe(false)
  })
})

describe('queue and jobs', () => {
  it('lists the queue with places, --mine keeps my copies; move-to-front changes my place', async () => {
    const toX1 = { mode: 'printer', printerId: PRINTER.x1c } as const
    await sendToSandbox(sb, { routing: toX1, quantity: 2, label: 'Theirs' })
    const history = openHistoryStore({
      dir: storeDataDir(dataDir, sb.storeId),
      storeId: sb.storeId,
      createConf: nodeConfFactory,
      writeDelayMs: 0
    })
    const mine = history.add(
      await sendToSandbox(sb, { routing: toX1, knownJobIds: true, label: 'Mine' })
    )
    history.close()
    const all = await cli(['queue', '--json'])
    expect(all.code).toBe(0)
    const rows = JSON.parse(all.stdout) as QueueRow[]
    expect(rows.map((r) => [r.position, r.total, r.label, r.mine])).toEqual([
      [1, 3, 'Theirs', false],
      [2, 3, 'Theirs', false],
      [3, 3, 'Mine', true]
    ])
    expect(rows[2]!.file).toBe(mine.fileName)
    const jobId = mine.copies[0]!.printJobId
    const moved = await cli(['jobs', 'move-to-front', jobId, '--json'])
    expect(moved.code).toBe(0)
    expect(JSON.parse(moved.stdout)).toEqual({
      action: 'move-to-front',
      affected: [jobId],
      unchanged: []
    })
    const mineOnly = JSON.parse((await cli(['queue', '--mine', '--json'])).stdout) as QueueRow[]
    expect(mineOnly.map((r) => [r.position, r.total, r.printJobId])).toEqual([[1, 3, jobId]])
    expect((await cli(['queue'])).stdout).toMatch(/^#1 of 3\s+\S+\s+Mine\s+normal\s+\S+\.stl$/m)
  })

  it('jobs: exit 1 for jobs it could not change, 2 for usage, and the permission in words', async () => {
    const pb = await build(sb, (await makePart(sb)).id, {
      tags: { 'printer.id': `=${PRINTER.x1c}` }
    })
    const [id] = jobsOf(pb.id)
    const pause = await cli(['jobs', 'pause', id!, '--json'])
    expect(pause.code).toBe(1)
    expect(JSON.parse(pause.stdout)).toEqual({ action: 'pause', affected: [], unchanged: [id] })
    expect(pause.stderr).toMatch(/only printing jobs can be/)
    expect((await cli(['jobs', 'frobnicate', id!])).code).toBe(2)
    expect((await cli(['jobs', 'resume'])).code).toBe(2)
    expect((await cli(['jobs', 'resume', 'NOT AN ID'])).code).toBe(2)
    const limited = await cli(['jobs', 'move-to-front', id!], {
      PRINTAGO_API_KEY: sb.limitedApiKey
    })
    expect(limited.code).toBe(1)
    expect(limited.stderr).toMatch(/lacks the queue\.override permission/)
  })
})
