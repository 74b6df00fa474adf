import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import { sandbox } from '../../sandbox/testing/test-utils'
import type { TestSandbox } from '../../sandbox/testing'
import { storeDataDir } from '../../core/infra/data-dir'
import { createHistoryEntry, openHistoryStore } from '../../core/history/store'
import { sendToSandbox } from '../../test-support/history-store'
import { historyCommand, historyJson, nodeConfFactory } from './history'

let dataDir: string
let sb: TestSandbox

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'cli-history-'))
  sb = await sandbox()
})
afterEach(async () => {
  await sb.close()
  await rm(dataDir, { recursive: true, force: true })
})

function io(): { out: string[]; err: string[]; stdout(s: string): void; stderr(s: string): void } {
  const out: string[] = []
  const err: string[] = []
  return { out, err, stdout: (s) => void out.push(s), stderr: (s) => void err.push(s) }
}

function env(extra: Record<string, string> = {}): Record<string, string> {
  return { PRINTAGO_DATA_DIR: dataDir, PRINTAGO_STORE_ID: sb.storeId, ...extra }
}

/** Two sends in the store's history, as the desktop app would have written them. */
async function seed(): Promise<string[]> {
  const store = openHistoryStore({
    dir: storeDataDir(dataDir, sb.storeId),
    storeId: sb.storeId,
    createConf: nodeConfFactory,
    writeDelayMs: 0
  })
  const a = await sendToSandbox(sb, { name: 'older', knownJobIds: true, quantity: 2 })
  store.add({ ...a, sentAt: '2026-01-01T10:00:00.000Z' })
  const b = await sendToSandbox(sb, {
    name: 'newer',
    knownJobIds: true,
    routing: { mode: 'tags', tags: ['PLA', 'PETG'] }
  })
  store.add({ ...b, sentAt: '2026-01-02T10:00:00.000Z' })
  store.close()
  return [b.partBuildId, a.partBuildId]
}

describe('history command', () => {
  it('prints the JSON shape, newest first', async () => {
    const builds = await seed()
    const t = io()
    expect(await historyCommand(['--json'], t, env())).toBe(0)
    const rows = JSON.parse(t.out.join('')) as Array<Record<string, unknown>>
    expect(rows.map((r) => r['partBuildId'])).toEqual(builds)
    expect(Object.keys(rows[0]!).sort()).toEqual(
      [
        'copies',
        'file',
        'label',
        'partBuildId',
        'partId',
        'quantity',
        'routing',
        'sentAt',
        'sha256',
        'status'
      ].sort()
    )
    expect(rows[0]).toMatchObject({
      file: '/models/newer.stl',
      label: 'newer',
      quantity: 1,
      routing: { mode: 'tags', tags: ['PLA', 'PETG'] },
      status: 'queued',
      sentAt: '2026-01-02T10:00:00.000Z'
    })
    expect(rows[1]).toMatchObject({ routing: { mode: 'any' }, quantity: 2 })
    const copies = rows[1]!['copies'] as Array<Record<string, unknown>>
    expect(copies).toHaveLength(2)
    expect(Object.keys(copies[0]!).sort()).toEqual(['printJobId', 'printerId', 'status'])
    // A copy's status is Printago's own state, not the entry's five words.
    expect(copies[0]).toMatchObject({ status: 'pending', printerId: null })
    expect(t.err.join('')).toBe('')
  })

  it("keeps each copy's own Printago state (entry status stays one of the five words)", () => {
    const e = createHistoryEntry({
      storeId: 's',
      file: '/m/gear.stl',
      sha256: 'a'.repeat(64),
      size: 1,
      partId: 'p',
      partBuildId: 'b',
      printJobIds: ['j1', 'j2'],
      routing: { mode: 'any' },
      label: 'gear',
      quantity: 2
    })
    const copies = [
      { ...e.copies[0]!, status: 'sending-to-printer', printerId: 'p1' },
      { ...e.copies[1]!, status: 'waiting-for-approval' }
    ]
    const json = historyJson({ ...e, copies, status: 'in-progress' })
    expect(json.status).toBe('in-progress')
    expect(json.copies).toEqual([
      { printJobId: 'j1', status: 'sending-to-printer', printerId: 'p1' },
      { printJobId: 'j2', status: 'waiting-for-approval', printerId: null }
    ])
  })

  it('--refresh brings open jobs up to date over REST first', async () => {
    await seed()
    for (let i = 0; i < 5; i++) sb.tick()
    const mark = sb.log.length
    const t = io()
    const code = await historyCommand(
      ['--json', '--refresh'],
      t,
      env({ PRINTAGO_API_KEY: sb.apiKey, PRINTAGO_BASE_URL: sb.url })
    )
    expect(code).toBe(0)
    const rows = JSON.parse(t.out.join('')) as Array<{
      status: string
      copies: Array<{ status: string; printerId: string | null }>
    }>
    expect(rows.map((r) => r.status)).toEqual(['printed', 'printed'])
    expect(rows.flatMap((r) => r.copies.map((c) => c.status))).toEqual([
      'completed',
      'completed',
      'completed'
    ])
    expect(rows[0]!.copies[0]!.printerId).toMatch(/^sbxprinter/)
    // One batched list call for both builds (no per-job requests).
    expect(sb.log.slice(mark).map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/print-jobs'])
    // Persisted: a plain run shows the new state without asking Printago.
    const again = io()
    await historyCommand(['--json'], again, env())
    expect((JSON.parse(again.out.join('')) as Array<{ status: string }>)[0]!.status).toBe('printed')
  })

  it('shows the last known state when the refresh fails', async () => {
    await seed()
    sb.injectFault({
      method: 'GET',
      path: '/v1/print-jobs',
      kind: 'status',
      status: 401,
      times: Infinity
    })
    const t = io()
    const code = await historyCommand(['--refresh'], t, {
      env: env({ PRINTAGO_API_KEY: sb.apiKey, PRINTAGO_BASE_URL: sb.url })
    })
    expect(code).toBe(1)
    expect(t.err.join('')).toMatch(/could not refresh .*401.*last known state/)
    const table = t.out.join('')
    expect(table.split('\n')[0]).toMatch(/^SENT\s+FILE\s+QTY\s+STATUS\s+COPIES\s+LABEL\s+PRINTERS$/)
    expect(table).toMatch(/newer\.stl\s+1\s+queued\s+1 queued\s+newer/)
  })

  it('reports usage errors with exit code 2', async () => {
    const t = io()
    expect(await historyCommand(['--bogus'], t, env())).toBe(2)
    expect(await historyCommand([], t, { PRINTAGO_DATA_DIR: dataDir })).toBe(2)
    expect(await historyCommand(['--refresh'], t, env())).toBe(2)
    // Unknown options are worded as in every other command.
    expect(t.err).toEqual([
      'history: unknown option --bogus (see history --help)\n',
      'history: PRINTAGO_STORE_ID is not set (see history --help)\n',
      'history: --refresh needs PRINTAGO_API_KEY (see history --help)\n'
    ])
    const help = io()
    expect(await historyCommand(['--help'], help, env())).toBe(0)
    expect(help.out.join('')).toMatch(/^Usage: history/)
    const empty = io()
    expect(await historyCommand([], empty, env())).toBe(0)
    expect(empty.out.join('')).toMatch(/No jobs/)
  })
})
