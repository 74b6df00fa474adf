// The operator's loop: from a queued job to the next print — bed clearing, least-recently-used
// assignment, queue order and its operations, pause/resume, clear, approval, maintenance, and
// every one of the 13 job states.
import { afterEach, describe, expect, it } from 'vitest'
import type { Printer, PrintJob } from '../shared/printago/api-types'
import {
  build,
  call,
  makePart,
  PRINTER,
  sandbox,
  stateReaders,
  troubleshoot
} from './testing/test-utils'
import type { TestSandbox } from './testing'
import { createVirtualClock } from './testing/virtual-clock'
import type { SandboxEntityEvent, SandboxOptions } from './types'

let sb: TestSandbox
afterEach(() => sb?.close())

async function start(opts: SandboxOptions = {}): Promise<TestSandbox> {
  sb = await sandbox(opts)
  return sb
}
const { jobsOf, onlyJob, printer, ticks } = stateReaders(() => sb)
async function firstFailed(jobId: string, printerId: string): Promise<string | undefined> {
  return (await troubleshoot(sb, jobId)).printers.find((p) => p.printerId === printerId)
    ?.firstFailedCheck
}

describe('beds and confirm-ready', () => {
  it('PATCH /v1/printers/confirm-ready marks beds clear (Printer[]); the limited key gets 403', async () => {
    await start()
    const r = await call<Printer[]>(sb, 'PATCH', '/v1/printers/confirm-ready', {
      ready: true,
      ids: [PRINTER.p1s2, 'z'.repeat(24)]
    })
    expect(r.status).toBe(200)
    expect(r.json.map((p) => [p.id, p.confirmedReady])).toEqual([[PRINTER.p1s2, true]])
    const limited = await call(
      sb,
      'PATCH',
      '/v1/printers/confirm-ready',
      { ready: true, ids: [PRINTER.p1s2] },
      { key: sb.limitedApiKey }
    )
    expect(limited.status).toBe(403)
    expect(
      (await call(sb, 'PATCH', '/v1/printers/confirm-ready', { ready: 'yes', ids: [] })).status
    ).toBe(400)
  })

  it('beds stay uncleared after a print, except on continuous-print printers (virtual time)', async () => {
    const clock = createVirtualClock()
    await start({ clock, speed: 1 })
    expect(printer(PRINTER.a1).continuousPrint).toBe(true)
    expect(printer(PRINTER.h2d).continuousPrint).toBe(false)
    const part = await makePart(sb)
    const onH2d = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })).id
    )
    const onA1 = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.a1}` } })).id
    )
    clock.advance(60_000)
    expect([onH2d.status, onA1.status]).toEqual(['completed', 'completed'])
    clock.advance(10 * 60_000)
    expect(printer(PRINTER.h2d).confirmedReady).toBe(false)
    expect(printer(PRINTER.a1).confirmedReady).toBe(true)
    sb.setSpeed(0)
  })

  it('tick: a continuous-print printer clears its bed on the tick after the print', async () => {
    await start()
    const part = await makePart(sb)
    const pb = await build(sb, part.id, { quantity: 2, tags: { 'printer.id': `=${PRINTER.a1}` } })
    const [first, second] = jobsOf(pb.id) as [PrintJob, PrintJob]
    ticks(5)
    expect(first.status).toBe('completed')
    expect(printer(PRINTER.a1).confirmedReady).toBe(false)
    sb.tick()
    expect(printer(PRINTER.a1).confirmedReady).toBe(true) // cleared, and straight away busy again
    expect(second).toMatchObject({ status: 'assigned', assignedPrinterId: PRINTER.a1 })
  })

  it('continuous print and its job limit via PATCH /v1/printers/continous-print', async () => {
    await start()
    const r = await call<Printer[]>(sb, 'PATCH', '/v1/printers/continous-print', {
      enabled: true,
      jobLimit: 1,
      ids: [PRINTER.h2d]
    })
    expect(r.json[0]).toMatchObject({ continuousPrint: true, fabmaticRemainingJobs: 1 })
    const part = await makePart(sb)
    await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })
    ticks(6)
    // The one automatic clear used up the limit: continuous print switched itself off.
    expect(printer(PRINTER.h2d)).toMatchObject({
      confirmedReady: true,
      continuousPrint: false,
      fabmaticRemainingJobs: 0
    })
  })
})

describe('assignment', () => {
  it('least recently used printer first (lastPrintedAt), among the printers that match', async () => {
    await start()
    const part = await makePart(sb)
    const rackA = { 'user.tags': '&=PLA|RackA' } // A1 mini and A1
    const j1 = onlyJob((await build(sb, part.id, { tags: rackA })).id)
    sb.tick()
    expect(j1.assignedPrinterId).toBe(PRINTER.a1mini) // neither printed yet: fleet order
    ticks(4)
    await call(sb, 'PATCH', '/v1/printers/confirm-ready', { ready: true, ids: [PRINTER.a1mini] })
    const j2 = onlyJob((await build(sb, part.id, { tags: rackA })).id)
    sb.tick()
    expect(j2.assignedPrinterId).toBe(PRINTER.a1) // A1 mini printed more recently
    ticks(5) // A1 prints, then clears its own bed
    expect(printer(PRINTER.a1).confirmedReady).toBe(true)
    const j3 = onlyJob((await build(sb, part.id, { tags: rackA })).id)
    sb.tick()
    expect(j3.assignedPrinterId).toBe(PRINTER.a1mini)
  })

  it('a printer in maintenance gets no jobs and is not ready; leaving maintenance frees it', async () => {
    await start()
    const r = await call<Printer[]>(sb, 'PATCH', '/v1/maintenance/mode', {
      printerIds: [PRINTER.h2d],
      enabled: true
    })
    expect(r.status).toBe(200)
    expect(r.json[0]).toMatchObject({
      isInMaintenance: true,
      lastMaintenanceOfflineAt: expect.any(String)
    })
    const part = await makePart(sb)
    const job = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })).id
    )
    ticks(3)
    expect(job.status).toBe('pending')
    expect(await firstFailed(job.id, PRINTER.h2d)).toBe('in-maintenance')
    const limited = await call(
      sb,
      'PATCH',
      '/v1/maintenance/mode',
      { printerIds: [PRINTER.h2d], enabled: false },
      { key: sb.limitedApiKey }
    )
    expect(limited.status).toBe(403)
    await call(sb, 'PATCH', '/v1/maintenance/mode', { printerIds: [PRINTER.h2d], enabled: false })
    expect(printer(PRINTER.h2d).lastMaintenanceOnlineAt).not.toBeNull()
    sb.tick()
    expect(job).toMatchObject({ status: 'assigned', assignedPrinterId: PRINTER.h2d })
  })

  it('a deleted printer emits DELETE; the job it ran fails, jobs routed to it wait', async () => {
    await start()
    const events: SandboxEntityEvent[] = []
    sb.events.on('entity', (e) => events.push(e))
    const part = await makePart(sb)
    const pb = await build(sb, part.id, { quantity: 2, tags: { 'printer.id': `=${PRINTER.h2d}` } })
    const [running, waiting] = jobsOf(pb.id) as [PrintJob, PrintJob]
    ticks(2)
    expect(
      (
        await call(sb, 'DELETE', `/v1/printers/${PRINTER.h2d}`, undefined, {
          key: sb.limitedApiKey
        })
      ).status
    ).toBe(403)
    const r = await call(sb, 'DELETE', `/v1/printers/${PRINTER.h2d}`)
    expect(r.json).toEqual([PRINTER.h2d])
    expect(events.at(-1)).toMatchObject({ entityType: 'printer', action: 'DELETE' })
    expect(running).toMatchObject({
      status: 'failed',
      errorMessage: expect.stringMatching(/removed/)
    })
    ticks(3)
    expect(waiting.status).toBe('pending')
    expect((await call(sb, 'GET', `/v1/printers/${PRINTER.h2d}`)).status).toBe(404)
    const bulk = await call(sb, 'DELETE', '/v1/printers', { ids: [PRINTER.voron, PRINTER.h2d] })
    expect(bulk.json).toEqual([PRINTER.voron])
    expect(sb.state.printers.size).toBe(6)
  })
})

describe('queue order and operations', () => {
  it('move-to-queue-front and reorder; the order shows in GET (status filter + sort) and search', async () => {
    await start({ printers: [] })
    const part = await makePart(sb)
    const labels = ['a', 'b', 'c', 'd']
    const jobs: PrintJob[] = []
    for (const label of labels) jobs.push(onlyJob((await build(sb, part.id, { label })).id))
    const low = onlyJob((await build(sb, part.id, { label: 'low', priority: 1000 })).id)
    const queue = async (): Promise<string[]> => {
      const r = await call<PrintJob[]>(
        sb,
        'GET',
        '/v1/print-jobs?status=pending&sort=priority:asc,queueOrder:asc'
      )
      return r.json.map((j) => j.label)
    }
    expect(await queue()).toEqual(['a', 'b', 'c', 'd', 'low'])

    const front = await call(sb, 'PATCH', '/v1/print-jobs/move-to-queue-front', {
      printJobIds: [jobs[3]!.id, jobs[2]!.id, low.id]
    })
    expect(front.status).toBe(200)
    expect(front.json).toEqual([jobs[3]!.id, jobs[2]!.id, low.id])
    expect(await queue()).toEqual(['c', 'd', 'a', 'b', 'low']) // moved jobs keep their order
    expect(new Set([...sb.state.printJobs.values()].map((j) => j.queueOrder)).size).toBe(5)
    expect(
      (
        await call(
          sb,
          'PATCH',
          '/v1/print-jobs/move-to-queue-front',
          { printJobIds: [low.id] },
          { key: sb.limitedApiKey }
        )
      ).status
    ).toBe(403)

    const b = jobs[1]!
    const first = Math.min(...jobs.map((j) => j.queueOrder))
    const reorder = await call(sb, 'PATCH', `/v1/print-jobs/${b.id}/reorder`, {
      newQueueOrder: first
    })
    expect(reorder.status).toBe(200)
    expect(reorder.text).toBe('')
    expect(await queue()).toEqual(['b', 'c', 'd', 'a', 'low'])
    await call(sb, 'PATCH', `/v1/print-jobs/${low.id}/reorder`, { newQueueOrder: 0, priority: 100 })
    expect(await queue()).toEqual(['low', 'b', 'c', 'd', 'a'])
    expect(
      (await call(sb, 'PATCH', `/v1/print-jobs/${b.id}/reorder`, { priority: 5 })).status
    ).toBe(400)
    expect((await call(sb, 'PATCH', `/v1/print-jobs/${'z'.repeat(24)}/reorder`, {})).status).toBe(
      404
    )

    const found = await call<{ data: PrintJob[]; meta: { total: number } }>(
      sb,
      'POST',
      '/v1/print-jobs/search',
      {
        filter: { and: [{ status: { eq: 'pending' } }, { label: { in: ['a', 'b', 'low'] } }] },
        sort: 'queueOrder:asc',
        fields: 'id,label,queueOrder'
      }
    )
    expect(found.status).toBe(201)
    expect(found.json.data.map((j) => j.label)).toEqual(['low', 'b', 'a'])
    expect(found.json.meta.total).toBe(3)
    expect(Object.keys(found.json.data[0]!)).toEqual(['id', 'label', 'queueOrder'])
    const bad = await call<{ path: string }>(sb, 'POST', '/v1/print-jobs/search', {
      filter: { bogus: { eq: 1 } }
    })
    expect(bad.status).toBe(400)
    expect(bad.json.path).toBe('$input.filter.bogus')
    expect(
      (await call(sb, 'POST', '/v1/print-jobs/search', { filter: { status: { in: 'pending' } } }))
        .status
    ).toBe(400)
  })

  it('pause/resume a printing job; reorder refuses running jobs; cancel works from any open state', async () => {
    await start()
    const part = await makePart(sb)
    const job = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })).id
    )
    ticks(4)
    expect(job.status).toBe('printing')
    expect(
      (await call(sb, 'PATCH', `/v1/print-jobs/${job.id}/reorder`, { newQueueOrder: 0 })).status
    ).toBe(400)
    expect(
      (
        await call(
          sb,
          'PATCH',
          '/v1/print-jobs/pause',
          { printJobIds: [job.id] },
          { key: sb.limitedApiKey }
        )
      ).status
    ).toBe(403)
    const paused = await call(sb, 'PATCH', '/v1/print-jobs/pause', {
      printJobIds: [job.id, job.id]
    })
    expect(paused.json).toEqual([job.id])
    expect(job.status).toBe('paused')
    expect((printer(PRINTER.h2d).metadata as { print_status: string }).print_status).toBe('PAUSE')
    ticks(3)
    expect(job.status).toBe('paused')
    expect(
      (await call(sb, 'PATCH', '/v1/print-jobs/pause', { printJobIds: [job.id] })).json
    ).toEqual([])
    expect(
      (await call(sb, 'PATCH', '/v1/print-jobs/resume', { printJobIds: [job.id] })).json
    ).toEqual([job.id])
    expect(job.status).toBe('printing')
    sb.tick()
    expect(job.status).toBe('completed')
  })

  it('clear hides completed and cancelled jobs (job.delete.all); retry brings a cleared job back', async () => {
    await start()
    const part = await makePart(sb)
    const done = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })).id
    )
    const gone = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.mk4}` } })).id
    )
    const open = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.mk4}` } })).id
    )
    ticks(5)
    await call(sb, 'PATCH', '/v1/print-jobs/cancel', { printJobIds: [gone.id] })
    expect(
      (
        await call(
          sb,
          'PATCH',
          '/v1/print-jobs/clear',
          { printJobIds: [done.id] },
          { key: sb.limitedApiKey }
        )
      ).status
    ).toBe(403)
    const r = await call(sb, 'PATCH', '/v1/print-jobs/clear', {
      printJobIds: [done.id, gone.id, open.id]
    })
    expect(r.json).toEqual([done.id, gone.id])
    expect([done.hidden, gone.hidden, open.hidden]).toEqual([true, true, false])
    const visible = await call<PrintJob[]>(sb, 'GET', '/v1/print-jobs?hidden=false')
    expect(visible.json.map((j) => j.id)).toEqual([open.id])
    await call(sb, 'PATCH', '/v1/print-jobs/retry', { printJobIds: [gone.id] })
    expect(gone).toMatchObject({ status: 'pending', hidden: false })
  })
})

describe('all 13 job states', () => {
  it('full lifecycle, approval, pause, failure and cancel visit every state', async () => {
    await start({ lifecycle: 'full' })
    const seen = new Set<string>(['pending'])
    sb.events.on('entity', (e) => {
      for (const c of Object.values(e.changes ?? {}))
        if (e.entityType === 'printJob' && typeof c.status === 'string') seen.add(c.status)
    })
    const part = await makePart(sb)
    await call(sb, 'PATCH', '/v1/printers/confirm-ready', { ready: true, ids: [PRINTER.p1s2] })
    const approve = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.p1s2}` } })).id
    )
    const plain = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })).id
    )
    const fails = onlyJob(
      (
        await build(sb, part.id, {
          label: 'x [fail]',
          tags: { 'printer.id': `=${PRINTER.a1mini}` }
        })
      ).id
    )
    const cancelled = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.mk4}` } })).id
    )
    const steps: string[] = []
    for (let i = 0; i < 9; i++) {
      sb.tick()
      steps.push(plain.status)
    }
    expect(steps).toEqual([
      'assigned',
      'slicing',
      'sliced',
      'finalizing',
      'ready-for-printer',
      'sending-to-printer',
      'printing',
      'completed',
      'completed'
    ])
    expect(approve.status).toBe('waiting-for-approval')
    expect(fails.status).toBe('failed')
    // Approval: PATCH /v1/print-jobs/{id} status → ready-for-printer (job.edit.all).
    expect(
      (await call(sb, 'PATCH', `/v1/print-jobs/${approve.id}`, { status: 'printing' })).status
    ).toBe(400)
    expect(
      (
        await call(
          sb,
          'PATCH',
          `/v1/print-jobs/${approve.id}`,
          { status: 'ready-for-printer' },
          { key: sb.limitedApiKey }
        )
      ).status
    ).toBe(403)
    const ok = await call<PrintJob>(sb, 'PATCH', `/v1/print-jobs/${approve.id}`, {
      status: 'ready-for-printer',
      label: 'approved'
    })
    expect(ok.json).toMatchObject({ status: 'ready-for-printer', label: 'approved' })
    ticks(2)
    expect(approve.status).toBe('printing')
    await call(sb, 'PATCH', '/v1/print-jobs/pause', { printJobIds: [approve.id] })
    await call(sb, 'PATCH', '/v1/print-jobs/cancel', { printJobIds: [cancelled.id] })
    expect([...seen].sort()).toEqual(
      [
        'pending',
        'assigned',
        'slicing',
        'sliced',
        'finalizing',
        'waiting-for-approval',
        'ready-for-printer',
        'sending-to-printer',
        'printing',
        'paused',
        'completed',
        'failed',
        'cancelled'
      ].sort()
    )
  })

  it('compact lifecycle: an approval printer parks sliced jobs until approved', async () => {
    await start()
    const part = await makePart(sb)
    await call(sb, 'PATCH', '/v1/printers/confirm-ready', { ready: true, ids: [PRINTER.p1s2] })
    const job = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.p1s2}` } })).id
    )
    ticks(6)
    expect(job.status).toBe('waiting-for-approval')
    await call(sb, 'PATCH', `/v1/print-jobs/${job.id}`, { status: 'ready-for-printer' })
    ticks(3)
    expect(job.status).toBe('completed')
  })
})
