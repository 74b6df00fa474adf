import { afterEach, describe, expect, it } from 'vitest'

import type { HistoryEntry } from '../../shared/history'
import { call, PRINTER, sandbox } from '../../sandbox/testing/test-utils'
import type { TestSandbox } from '../../sandbox/testing'
import { allowedExternalUrl } from '../infra/external-links'
import {
  cancelEntry,
  HistoryActionError,
  printagoPartUrl,
  printagoQueueUrl,
  reprintEntry,
  retryEntry,
  waitingHint,
  type HistoryActionDeps
} from './actions'
import { csvCell, exportHistoryCsv, historyCsv } from './export-csv'
import { describeTroubleshoot, troubleshootJob } from './troubleshoot'
import type { HistoryStore } from './store'
import { sendToSandbox, tempHistory } from '../../test-support/history-store'
import { createPrintagoClient, type PrintagoClient } from '../printago/client'
import { recordJobFiles } from '../send/record-history'
import { createSendService, type SendService } from '../send/service'
import { userLabel } from '../send/marker'
import { join } from 'node:path'
import { reconcileEntries } from './sync'

const cleanups: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c()
})

async function setup(): Promise<{
  sb: TestSandbox
  client: PrintagoClient
  store: HistoryStore
  service: SendService
  deps: HistoryActionDeps
}> {
  const sb = await sandbox()
  cleanups.push(() => sb.close())
  const h = await tempHistory(sb.storeId)
  cleanups.push(h.cleanup)
  const client = createPrintagoClient({
    baseUrl: sb.url,
    apiKey: sb.apiKey,
    storeId: sb.storeId,
    limiter: null
  })
  const printers = (): Array<{ id: string; name: string; tags: string[] }> =>
    [...sb.state.printers.values()].map((p) => ({ id: p.id, name: p.name, tags: p.tags ?? [] }))
  // Print again runs as a journaled send job, as the store session runs it.
  const service = await createSendService({
    client,
    journalDir: join(h.dir, 'journal'),
    settleMs: 0,
    recordHistory: (job, indices) => recordJobFiles(h.store, sb.storeId, job, indices)
  })
  cleanups.push(() => service.close())
  return {
    sb,
    client,
    store: h.store,
    service,
    deps: { store: h.store, client, printers, reprint: (r) => service.reprint(r) }
  }
}

const sync = (store: HistoryStore, client: PrintagoClient): Promise<unknown> =>
  reconcileEntries({ store, client, entries: store.list() })

describe('print again', () => {
  it('queues the same part with edited options in exactly one API call', async () => {
    const { sb, client, store, deps } = await setup()
    const first = store.add(
      await sendToSandbox(sb, { name: 'benchy', routing: { mode: 'tags', tags: ['PLA'] } })
    )
    const calls = client.apiCalls
    const mark = sb.log.length
    const again = await reprintEntry(deps, {
      entryId: first.id,
      quantity: 3,
      label: 'Order 7',
      priority: 'low'
    })
    expect(client.apiCalls - calls).toBe(1)
    expect(sb.log.slice(mark).map((r) => `${r.method} ${r.path}`)).toEqual(['POST /v2/builds'])
    expect(again).toMatchObject({
      reprintOf: first.id,
      partId: first.partId,
      fileName: 'benchy.stl',
      quantity: 3,
      label: 'Order 7',
      priority: 'low',
      routing: { mode: 'tags', tags: ['PLA'] }
    })
    expect(again.partBuildId).not.toBe(first.partBuildId)
    expect(store.list()[0]?.id).toBe(again.id)
    const jobs = [...sb.state.printJobs.values()].filter((j) => j.partBuildId === again.partBuildId)
    expect(jobs).toHaveLength(3)
    expect(jobs[0]).toMatchObject({
      // The user's label plus the marker that proves the build is ours (send/marker.ts).
      label: expect.stringMatching(/^Order 7 \[ps:[a-z2-7]{8}\]$/),
      priority: 1000,
      requiredPrinterTags: { 'user.tags': '&=PLA' }
    })
  })

  it('changes routing and material; keeps the model restriction unless one printer is chosen', async () => {
    const { sb, store, deps } = await setup()
    const first = store.add({
      ...(await sendToSandbox(sb, { name: 'tray', routing: { mode: 'any' } })),
      printerModels: ['P1S', 'H2D']
    })
    const material = { kind: 'type' as const, type: 'PETG' }
    const again = await reprintEntry(deps, {
      entryId: first.id,
      routing: { mode: 'tags', tags: ['RackB'] },
      material
    })
    expect(again).toMatchObject({ routing: { mode: 'tags', tags: ['RackB'] }, material })
    expect(again.printerModels).toEqual(['P1S', 'H2D'])
    const build = sb.state.partBuilds.get(again.partBuildId)!
    expect(build.requiredPrinterTags).toEqual({
      'user.tags': '&=RackB',
      'printer.modelName': '=P1S|H2D'
    })
    expect(build.materialAssignments).toEqual({ '0': [{ materialType: 'PETG' }] })
    // One printer chosen: its id is the routing; any material again (null clears it).
    const third = await reprintEntry(deps, {
      entryId: again.id,
      routing: { mode: 'printer', printerId: PRINTER.h2d },
      material: null
    })
    expect(third.material).toBeUndefined()
    expect(third.printerModels).toBeUndefined()
    expect(sb.state.partBuilds.get(third.partBuildId)!.requiredPrinterTags).toEqual({
      'printer.id': `=${PRINTER.h2d}`
    })
  })

  it('a lost answer is "not confirmed, will be checked", then found (never queued twice) and recorded', async () => {
    const { sb, store, service, deps } = await setup()
    const first = store.add(await sendToSandbox(sb, { name: 'doubt' }))
    const before = sb.state.partBuilds.size
    // Printago queues it but the answer is lost, and its queue can't be read for now.
    sb.injectFault({ method: 'POST', path: '/v2/builds', kind: 'drop-after' })
    sb.injectFault({
      method: 'GET',
      path: '/v1/part-builds',
      kind: 'status',
      status: 503,
      headers: { 'retry-after': '0' },
      times: Infinity
    })
    const err = await reprintEntry(deps, { entryId: first.id }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HistoryActionError)
    expect(err).toMatchObject({ code: 'outcome-unknown' })
    expect((err as Error).message).toMatch(/did not confirm.*checked/)
    expect((err as Error).message).not.toMatch(/could not reach/i)
    expect(sb.state.partBuilds.size).toBe(before + 1)
    // The next resume (the app's timer, the next start) finds it instead of queuing it again.
    sb.clearFaults()
    const [resumed] = await service.resumePending()
    expect(resumed!.status).toBe('done')
    expect(sb.state.partBuilds.size).toBe(before + 1)
    const entry = store.byPartBuildId(resumed!.files[0]!.partBuildId)
    expect(entry).toMatchObject({ reprintOf: first.id, fileName: 'doubt.stl' })
    expect(userLabel(sb.state.partBuilds.get(entry!.partBuildId)!.label!)).toBe(first.label)
  })

  it('says to send the file again when Printago no longer has the part', async () => {
    const { sb, client, store, deps } = await setup()
    const first = store.add(await sendToSandbox(sb, { name: 'gone' }))
    expect((await call(sb, 'DELETE', `/v1/parts/${first.partId}`)).status).toBe(200)
    const calls = client.apiCalls
    const err = await reprintEntry(deps, { entryId: first.id }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(HistoryActionError)
    expect(err).toMatchObject({ code: 'part-gone' })
    expect((err as Error).message).toMatch(/gone\.stl.*Send the file again/)
    expect(client.apiCalls - calls).toBe(1)
    expect(store.list()).toHaveLength(1)
  })

  it('rejects unknown entries and bad quantities before calling Printago', async () => {
    const { sb, client, store, deps } = await setup()
    const first = store.add(await sendToSandbox(sb))
    const calls = client.apiCalls
    await expect(reprintEntry(deps, { entryId: 'nope' })).rejects.toMatchObject({
      code: 'not-found'
    })
    await expect(reprintEntry(deps, { entryId: first.id, quantity: 501 })).rejects.toMatchObject({
      code: 'invalid'
    })
    expect(client.apiCalls).toBe(calls)
  })
})

describe('cancel and retry', () => {
  it("cancels only the entry's open copies", async () => {
    const { sb, client, store, deps } = await setup()
    // Two copies for one printer: the first prints to the end, the second waits.
    const e = store.add(
      await sendToSandbox(sb, {
        quantity: 2,
        knownJobIds: true,
        routing: { mode: 'printer', printerId: PRINTER.a1mini }
      })
    )
    for (let i = 0; i < 5; i++) sb.tick()
    await sync(store, client)
    expect(store.get(e.id)!.copies.map((c) => c.status)).toEqual(['completed', 'pending'])
    const mark = sb.log.length
    const r = await cancelEntry(deps, { entryId: e.id })
    const second = e.copies[1]!.printJobId
    expect(r.affected).toEqual([second])
    expect(sb.log.slice(mark).map((x) => `${x.method} ${x.path}`)).toEqual([
      'PATCH /v1/print-jobs/cancel'
    ])
    expect(sb.state.printJobs.get(second)?.status).toBe('cancelled')
    expect(store.get(e.id)!.copies.map((c) => c.status)).toEqual(['completed', 'cancelled'])
    // Nothing open any more: no call at all.
    expect(await cancelEntry(deps, { entryId: e.id })).toEqual({ affected: [] })
    expect(sb.log.length).toBe(mark + 1)
  })

  it('retries failed and cancelled copies', async () => {
    const { sb, client, store, deps } = await setup()
    const e = store.add(
      await sendToSandbox(sb, {
        quantity: 2,
        knownJobIds: true,
        label: 'vase [fail]',
        routing: { mode: 'any' }
      })
    )
    for (let i = 0; i < 5; i++) sb.tick()
    await sync(store, client)
    expect(store.get(e.id)!.status).toBe('failed')
    expect(store.get(e.id)!.copies[0]!.errorMessage).toMatch(/spaghetti/)
    const r = await retryEntry(deps, { entryId: e.id, printJobIds: [e.copies[0]!.printJobId] })
    expect(r.affected).toEqual([e.copies[0]!.printJobId])
    expect(sb.state.printJobs.get(e.copies[0]!.printJobId)?.status).toBe('pending')
    const after = store.get(e.id)!
    expect(after.copies[0]).toMatchObject({ status: 'pending', printerId: null })
    expect(after.copies[0]!.errorMessage).toBeUndefined()
    expect(after.status).toBe('failed') // the other copy still failed
  })

  it('explains a 403 from a key without queue.manage', async () => {
    const { sb, store, deps: full } = await setup()
    const limited = createPrintagoClient({
      baseUrl: sb.url,
      apiKey: sb.limitedApiKey,
      storeId: sb.storeId,
      limiter: null
    })
    const deps: HistoryActionDeps = { ...full, store, client: limited }
    const e = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const err = await cancelEntry(deps, { entryId: e.id }).catch((x: unknown) => x)
    expect(err).toMatchObject({ code: 'forbidden' })
    expect((err as Error).message).toMatch(
      /lacks the queue\.manage permission, so it cannot cancel/
    )
    expect(store.get(e.id)!.copies[0]!.status).toBe('pending')
    store.update(e.id, (x) => ({ ...x, copies: x.copies.map((c) => ({ ...c, status: 'failed' })) }))
    await expect(retryEntry(deps, { entryId: e.id })).rejects.toThrow(/cannot retry print jobs/)
    expect(sb.log.filter((r) => r.method === 'PATCH').map((r) => r.status)).toEqual([403, 403])
  })
})

describe('why is it waiting?', () => {
  it('names the first failed check of every printer in words', async () => {
    const { sb, store, deps } = await setup()
    const e = store.add(
      await sendToSandbox(sb, { knownJobIds: true, routing: { mode: 'tags', tags: ['RackC'] } })
    )
    const t = await troubleshootJob(deps, { printJobId: e.copies[0]!.printJobId })
    expect(t.summary).toBe('No printer carries the tag RackC.')
    const reasons = Object.fromEntries(t.printers.map((p) => [p.printerName, p.reason]))
    expect(reasons).toMatchObject({
      'A1 mini #1': 'does not carry tag RackC',
      'Voron 2.4 350': 'disabled',
      'Prusa MK4': 'offline',
      'P1S #2': 'waiting for its bed to be cleared',
      'X1 Carbon': 'busy with another print'
    })
    expect(t.printers.every((p) => !p.matched)).toBe(true)
  })

  it('summarises printer routing, matches and mixed reasons', async () => {
    const { sb, store, deps } = await setup()
    const toP1s2 = store.add(
      await sendToSandbox(sb, {
        knownJobIds: true,
        routing: { mode: 'printer', printerId: PRINTER.p1s2 }
      })
    )
    const a = await troubleshootJob(deps, { printJobId: toP1s2.copies[0]!.printJobId })
    expect(a.summary).toBe('The chosen printer P1S #2 is waiting for its bed to be cleared.')
    expect(a.printers.find((p) => p.printerName === 'A1 #1')?.reason).toBe(
      'is not the printer this job was sent to'
    )
    const any = store.add(await sendToSandbox(sb, { knownJobIds: true }))
    const b = await troubleshootJob(deps, { printJobId: any.copies[0]!.printJobId })
    expect(b.summary).toMatch(/can take it now; it should start shortly\.$/)
    expect(b.printers[0]?.matched).toBe(true)
    const mixed = describeTroubleshoot(
      {
        printJobId: 'j',
        printers: [
          {
            printerId: '1',
            printerName: 'A',
            matched: false,
            compatible: true,
            firstFailedCheck: 'online',
            checks: []
          },
          {
            printerId: '2',
            printerName: 'B',
            matched: false,
            compatible: true,
            firstFailedCheck: 'online',
            checks: []
          },
          {
            printerId: '3',
            printerName: 'C',
            matched: false,
            compatible: false,
            firstFailedCheck: 'tags-match',
            checks: []
          }
        ]
      },
      {
        routing: { mode: 'tags', tags: ['RackC', 'PETG'] },
        printers: [{ id: '3', name: 'C', tags: ['PETG'] }]
      }
    )
    expect(mixed.summary).toBe(
      'No printer can take it right now: 2 offline, 1 does not carry tag RackC.'
    )
    await expect(
      troubleshootJob(deps, { printJobId: 'nojob0000000000000000000' })
    ).rejects.toMatchObject({ code: 'not-found' })
  })

  it('waitingHint speaks up after the threshold only', () => {
    const sentAt = '2026-01-01T10:00:00.000Z'
    const t0 = Date.parse(sentAt)
    const e = {
      sentAt,
      quantity: 1,
      routing: { mode: 'tags', tags: ['RackC'] },
      copies: [{ printJobId: 'j', status: 'pending', printerId: null, updatedAt: sentAt }]
    } as unknown as HistoryEntry
    expect(waitingHint(e, t0 + 9 * 60_000)).toBeNull()
    expect(waitingHint(e, t0 + 14 * 60_000)).toBe(
      'Queued for 14 min: no printer with tag RackC has taken it yet. “Why is it waiting?” shows what each printer lacks.'
    )
    expect(
      waitingHint({ ...e, routing: { mode: 'printer', printerId: 'p' } }, t0 + 125 * 60_000)
    ).toMatch(/^Waiting 2 h 5 min for the chosen printer/)
    expect(
      waitingHint({ ...e, copies: [{ ...e.copies[0]!, status: 'printing' }] }, t0 + 60 * 60_000)
    ).toBeNull()
    expect(waitingHint({ ...e, copies: [] }, t0 + 11 * 60_000)).toMatch(
      /has not created the print jobs/
    )
  })
})

describe('open in Printago and CSV', () => {
  it('builds allowed app URLs', () => {
    const url = printagoPartUrl({ partId: 'c8x2dorgp40blck610w4bgg4' })
    expect(url).toBe('https://app.printago.io/parts/c8x2dorgp40blck610w4bgg4')
    expect(allowedExternalUrl(url)).toBe(url)
    expect(allowedExternalUrl(printagoQueueUrl())).toBe('https://app.printago.io/queue')
  })

  it('quotes per RFC 4180 and defuses formulas', () => {
    expect(csvCell('plain')).toBe('plain')
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('say "hi"')).toBe('"say ""hi"""')
    expect(csvCell('two\nlines')).toBe('"two\nlines"')
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`)
    expect(csvCell('+1')).toBe("'+1")
    expect(csvCell('-2')).toBe("'-2")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('\tcmd')).toBe("'\tcmd")
    expect(csvCell(3)).toBe('3')
  })

  it('exports the columns, newest first, with CRLF lines', async () => {
    const h = await tempHistory('store0000000000000000001')
    cleanups.push(h.cleanup)
    const base = {
      storeId: 'store0000000000000000001',
      file: '/m/a,b.stl',
      fileName: 'a,b.stl',
      sha256: 'f'.repeat(64),
      size: 1,
      partId: 'part1',
      partBuildId: 'build1',
      label: '=cmd|"/c calc"!A1',
      quantity: 2,
      priority: 'normal' as const,
      sentAt: '2026-01-01T10:00:00.000Z',
      updatedAt: '2026-01-01T10:00:00.000Z',
      status: 'queued' as const,
      routing: { mode: 'tags' as const, tags: ['RackA', 'PLA'] },
      copies: [
        {
          printJobId: 'j1',
          status: 'completed',
          printerId: 'p1',
          printerName: 'P1S #1',
          updatedAt: 'x'
        },
        {
          printJobId: 'j2',
          status: 'printing',
          printerId: 'p2',
          printerName: 'A1, mini',
          updatedAt: 'x'
        }
      ]
    }
    h.store.add({ ...base, id: 'e1' })
    h.store.add({
      ...base,
      id: 'e2',
      partBuildId: 'build2',
      sentAt: '2026-01-02T10:00:00.000Z',
      label: 'ok',
      copies: [],
      routing: { mode: 'any' }
    })
    const { filename, csv } = exportHistoryCsv(h.store, Date.parse('2026-01-03T00:00:00Z'))
    expect(filename).toBe('printago-history-store0000000000000000001-2026-01-03.csv')
    const lines = csv.split('\r\n')
    expect(lines[0]).toBe(
      'sentAt,file,sha256,label,quantity,routing,status,partId,partBuildId,printJobIds,printers'
    )
    expect(lines[1]).toBe(
      `2026-01-02T10:00:00.000Z,"a,b.stl",${'f'.repeat(64)},ok,2,any printer,queued,part1,build2,,`
    )
    expect(lines[2]).toBe(
      `2026-01-01T10:00:00.000Z,"a,b.stl",${'f'.repeat(64)},"'=cmd|""/c calc""!A1",2,tags: RackA | PLA,in-progress,part1,build1,j1 j2,"P1S #1; A1, mini"`
    )
    expect(lines[3]).toBe('')
    expect(historyCsv([]).split('\r\n')).toHaveLength(2)
  })
})
