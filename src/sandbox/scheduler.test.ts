// Scheduler: lifecycle, routing by printer.id and user.tags, readiness, priority/position,
// cancel/retry, failure injection, timers and entity events.
import { afterEach, describe, expect, it } from 'vitest'
import type { PartBuildWithRelation, PrintJob } from '../shared/printago/api-types'
import { demoFleet } from './index'
import {
  build,
  call,
  makePart,
  PRINTER,
  sandbox,
  stateReaders,
  troubleshoot
} from './testing/test-utils'
import type { RunningSandbox, SandboxEntityEvent, SandboxOptions } from './types'

let sb: RunningSandbox
afterEach(() => sb?.close())

async function start(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  sb = await sandbox(opts)
  return sb
}
const { jobsOf, onlyJob, printer } = stateReaders(() => sb)
async function why(jobId: string): Promise<Record<string, { first?: string; tags: boolean }>> {
  return Object.fromEntries(
    (await troubleshoot(sb, jobId)).printers.map((p) => [
      p.printerId,
      { first: p.firstFailedCheck, tags: p.checks.find((c) => c.code === 'tags-match')!.passed }
    ])
  )
}

describe('lifecycle', () => {
  it('pending → assigned → slicing → sending → printing → completed, then waits for bed clear', async () => {
    await start()
    const part = await makePart(sb)
    const pb = await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })
    const job = onlyJob(pb.id)
    expect(job).toMatchObject({
      status: 'pending',
      assignedPrinterId: null,
      queueOrder: expect.any(Number)
    })
    const seen: string[] = []
    for (let i = 0; i < 5; i++) {
      sb.tick()
      seen.push(`${job.status}/${sb.state.partBuilds.get(pb.id)!.status}`)
      if (i === 0) {
        expect(job.assignedPrinterId).toBe(PRINTER.h2d)
        expect(job.assignmentStartedAt).not.toBeNull()
        expect(printer(PRINTER.h2d)).toMatchObject({ printingJobId: job.id, isAvailable: false })
      }
    }
    expect(seen).toEqual([
      'assigned/preparing',
      'slicing/preparing',
      'sending-to-printer/sending-to-printer',
      'printing/printing',
      'completed/success'
    ])
    expect(job.assignmentCompletedAt).not.toBeNull()
    expect(job.printingStartedAt).not.toBeNull()
    expect(job.printingCompletedAt).not.toBeNull()
    expect(job.taskId).toBeGreaterThan(0)
    expect(job.filesToPrint).toHaveLength(1)
    const h2d = printer(PRINTER.h2d)
    expect(h2d).toMatchObject({
      printingJobId: null,
      isAvailable: true,
      confirmedReady: false,
      lifetimeJobCount: 19
    })
    expect(h2d.lastPrintedAt).toBe(job.printingCompletedAt)
    expect(sb.state.partBuilds.get(pb.id)).toMatchObject({ printStatus: 'success' })

    // The next job for H2D waits for the bed (tick never clears beds), then runs once cleared.
    const next = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.h2d}` } })).id
    )
    for (let i = 0; i < 3; i++) sb.tick()
    expect(next.status).toBe('pending')
    expect((await why(next.id))[PRINTER.h2d]?.first).toBe('ready')
    const confirm = await call(sb, 'PATCH', '/v1/printers/confirm-ready', {
      ready: true,
      ids: [PRINTER.h2d]
    })
    expect(confirm.status).toBe(200)
    sb.tick()
    expect(next).toMatchObject({ status: 'assigned', assignedPrinterId: PRINTER.h2d })
  })
})

describe('routing', () => {
  it('printer.id: only that printer, and only when it is ready', async () => {
    await start()
    const part = await makePart(sb)
    const mk4 = onlyJob(
      (await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.mk4}` } })).id
    )
    for (let i = 0; i < 3; i++) sb.tick()
    expect(mk4.status).toBe('pending')
    const checks = await why(mk4.id)
    expect(checks[PRINTER.mk4]?.first).toBe('online')
    expect(checks[PRINTER.a1]).toMatchObject({ first: 'tags-match', tags: false })
    sb.updatePrinter(PRINTER.mk4, { isOnline: true, isAvailable: true, confirmedReady: true })
    sb.tick()
    expect(mk4).toMatchObject({ status: 'assigned', assignedPrinterId: PRINTER.mk4 })
  })

  it('user.tags &=A|B needs ALL tags; busy, dirty, offline and disabled printers are skipped', async () => {
    await start()
    const part = await makePart(sb)
    const pb = await build(sb, part.id, { quantity: 2, tags: { 'user.tags': '&=PETG|RackB' } })
    sb.tick()
    const [first, second] = jobsOf(pb.id)
    // P1S #1 is the only ready printer with both tags (P1S #2: bed not clear; X1C: busy).
    expect(first).toMatchObject({ status: 'assigned', assignedPrinterId: PRINTER.p1s1 })
    expect(second?.status).toBe('pending')
    const checks = await why(second!.id)
    expect(checks[PRINTER.p1s2]?.first).toBe('ready')
    expect(checks[PRINTER.x1c]?.first).toBe('available')
    expect(checks[PRINTER.a1]).toMatchObject({ first: 'tags-match', tags: false })
    expect(checks[PRINTER.h2d]?.tags).toBe(false)

    const big = await build(sb, part.id, { quantity: 2, tags: { 'user.tags': '&=Big' } })
    sb.tick()
    const [b1, b2] = jobsOf(big.id)
    expect(b1?.assignedPrinterId).toBe(PRINTER.h2d)
    expect(b2?.status).toBe('pending')
    expect((await why(b2!.id))[PRINTER.voron]).toMatchObject({ first: 'enabled', tags: true })
  })

  it('tags are case-sensitive', async () => {
    await start()
    const part = await makePart(sb)
    const job = onlyJob((await build(sb, part.id, { tags: { 'user.tags': '&=pla' } })).id)
    for (let i = 0; i < 3; i++) sb.tick()
    expect(job.status).toBe('pending')
    expect(Object.values(await why(job.id)).every((c) => !c.tags)).toBe(true)
    const upper = onlyJob((await build(sb, part.id, { tags: { 'user.tags': '&=PLA' } })).id)
    sb.tick()
    expect(upper.status).toBe('assigned')
  })

  it('part printTags apply unless the build entry overrides them', async () => {
    await start()
    const r = await call<{ id: string }>(sb, 'POST', '/v1/parts', {
      name: 'tagged',
      description: '',
      type: 'stl',
      fileUris: [(await makePart(sb, 'src')).fileUris[0]],
      parameters: [],
      printTags: { 'user.tags': '&=RackA|PETG' },
      overriddenProcessProfileId: null
    })
    const job = onlyJob((await build(sb, r.json.id)).id)
    expect(job.requiredPrinterTags).toEqual({ 'user.tags': '&=RackA|PETG' })
    sb.tick()
    expect(job.assignedPrinterId).toBe(PRINTER.a1)
  })
})

describe('queue order', () => {
  it('priority tiers first (100 before 1000), then queueOrder; position front jumps its tier', async () => {
    await start({ printers: demoFleet().filter((p) => p.id === PRINTER.a1mini) })
    const part = await makePart(sb)
    const low = onlyJob((await build(sb, part.id, { label: 'low', priority: 1000 })).id)
    const n1 = onlyJob((await build(sb, part.id, { label: 'n1' })).id)
    const n2 = onlyJob((await build(sb, part.id, { label: 'n2', position: 'back' })).id)
    const front = onlyJob((await build(sb, part.id, { label: 'front', position: 'front' })).id)
    expect(front.queueOrder).toBeLessThan(n1.queueOrder)
    expect(n1.queueOrder).toBeLessThan(n2.queueOrder)
    const order: string[] = []
    for (let round = 0; round < 4; round++) {
      sb.tick()
      const running = sb.state.printJobs.get(printer(PRINTER.a1mini).printingJobId ?? '')
      order.push(running?.label ?? '-')
      for (let i = 0; i < 4; i++) sb.tick()
      sb.updatePrinter(PRINTER.a1mini, { confirmedReady: true })
    }
    expect(order).toEqual(['front', 'n1', 'n2', 'low'])
    expect([low, n1, n2, front].every((j) => j.status === 'completed')).toBe(true)
  })
})

describe('cancel and retry', () => {
  it('cancels pending and running jobs (freeing printers), retries failed/cancelled ones', async () => {
    await start()
    const part = await makePart(sb)
    const pb = await build(sb, part.id, { quantity: 3, tags: { 'printer.id': `=${PRINTER.a1}` } })
    const [j1, j2, j3] = jobsOf(pb.id) as [PrintJob, PrintJob, PrintJob]
    for (let i = 0; i < 4; i++) sb.tick()
    expect(j1.status).toBe('printing')

    const c = await call(sb, 'PATCH', '/v1/print-jobs/cancel', {
      printJobIds: [j1.id, j2.id, 'z'.repeat(24)]
    })
    expect(c.json).toEqual([j1.id, j2.id])
    expect(j1).toMatchObject({ status: 'cancelled', cancelledAt: expect.any(String) })
    expect(j2.status).toBe('cancelled')
    expect(printer(PRINTER.a1)).toMatchObject({
      printingJobId: null,
      isAvailable: true,
      confirmedReady: false
    })
    expect(
      (await call(sb, 'PATCH', '/v1/print-jobs/cancel', { printJobIds: [j1.id] })).json
    ).toEqual([])

    // A job cancelled before printing leaves the bed clean.
    sb.updatePrinter(PRINTER.a1, { confirmedReady: true })
    sb.tick()
    expect(j3.status).toBe('assigned')
    await call(sb, 'PATCH', '/v1/print-jobs/cancel', { printJobIds: [j3.id] })
    expect(printer(PRINTER.a1)).toMatchObject({
      printingJobId: null,
      isAvailable: true,
      confirmedReady: true
    })
    expect(sb.state.partBuilds.get(pb.id)?.status).toBe('cancelled')

    const r = await call(sb, 'PATCH', '/v1/print-jobs/retry', { printJobIds: [j1.id, j3.id] })
    expect(r.json).toEqual([j1.id, j3.id])
    expect(j1).toMatchObject({
      status: 'pending',
      cancelledAt: null,
      assignedPrinterId: null,
      printingStartedAt: null
    })
    expect(j1.queueOrder).toBeGreaterThan(j2.queueOrder)
    expect(
      (await call(sb, 'PATCH', '/v1/print-jobs/retry', { printJobIds: [j1.id] })).json
    ).toEqual([])
    sb.tick()
    expect(j1).toMatchObject({ status: 'assigned', assignedPrinterId: PRINTER.a1 })
    expect(sb.state.partBuilds.get(pb.id)?.status).toBe('preparing')
  })

  it('a label with [fail] fails at printing with an errorMessage, and can be retried', async () => {
    await start()
    const part = await makePart(sb)
    const pb = await build(sb, part.id, {
      label: 'Bracket [fail]',
      tags: { 'printer.id': `=${PRINTER.a1mini}` }
    })
    const job = onlyJob(pb.id)
    for (let i = 0; i < 5; i++) sb.tick()
    expect(job).toMatchObject({ status: 'failed', errorMessage: expect.stringMatching(/.+/) })
    expect(sb.state.partBuilds.get(pb.id)).toMatchObject({ status: 'error', printStatus: 'error' })
    expect(printer(PRINTER.a1mini)).toMatchObject({
      isAvailable: true,
      confirmedReady: false,
      printingJobId: null
    })
    expect(
      (await call(sb, 'PATCH', '/v1/print-jobs/retry', { printJobIds: [job.id] })).json
    ).toEqual([job.id])
    expect(job).toMatchObject({ status: 'pending', errorMessage: null })
  })

  it('failureRate makes failures random but seeded', async () => {
    await start({ failureRate: 1 })
    const part = await makePart(sb)
    const job = onlyJob((await build(sb, part.id)).id)
    for (let i = 0; i < 5; i++) sb.tick()
    expect(job.status).toBe('failed')
  })
})

describe('timers and events', () => {
  it('runs by itself at speed, clears beds (autoClearBeds), finishes external prints; setSpeed(0) pauses', async () => {
    await start({ speed: 2000, autoClearBeds: true })
    const part = await makePart(sb)
    const pb = await build(sb, part.id, { quantity: 3, tags: { 'printer.id': `=${PRINTER.h2d}` } })
    const deadline = Date.now() + 15_000 // a bound, not a pause: the loops end on the state
    while (Date.now() < deadline && !jobsOf(pb.id).every((j) => j.status === 'completed')) {
      await new Promise((r) => setTimeout(r, 25))
    }
    expect(jobsOf(pb.id).map((j) => j.status)).toEqual(['completed', 'completed', 'completed'])
    while (
      Date.now() < deadline &&
      !(printer(PRINTER.x1c).isAvailable && printer(PRINTER.x1c).confirmedReady)
    ) {
      await new Promise((r) => setTimeout(r, 25))
    }
    expect(printer(PRINTER.x1c)).toMatchObject({ isAvailable: true, confirmedReady: true })
    const full = await call<PartBuildWithRelation>(sb, 'GET', `/v1/part-builds/${pb.id}`)
    expect(full.json.status).toBe('success')

    sb.setSpeed(0)
    const next = onlyJob((await build(sb, part.id)).id)
    await new Promise((r) => setTimeout(r, 150))
    expect(next.status).toBe('pending')
    sb.tick()
    expect(next.status).toBe('assigned')
  })

  it('emits INSERT/UPDATE/DELETE entity events with full snapshots and changes', async () => {
    await start()
    const events: SandboxEntityEvent[] = []
    sb.events.on('entity', (e) => events.push(e))
    const part = await makePart(sb)
    const pb = await build(sb, part.id, { tags: { 'printer.id': `=${PRINTER.a1}` } })
    const job = onlyJob(pb.id)
    sb.tick()
    const kinds = events.map((e) => `${e.entityType}:${e.action}`)
    expect(kinds.slice(0, 3)).toEqual(['part:INSERT', 'partBuild:INSERT', 'printJob:INSERT'])
    const assign = events.find((e) => e.entityType === 'printJob' && e.action === 'UPDATE')!
    expect(assign.changes?.[job.id]).toMatchObject({
      status: 'assigned',
      assignedPrinterId: PRINTER.a1
    })
    expect(assign.entities[job.id]).toMatchObject({
      id: job.id,
      status: 'assigned',
      partBuildId: pb.id
    })
    const printerEvt = events.find((e) => e.entityType === 'printer')!
    expect(printerEvt.changes?.[PRINTER.a1]).toMatchObject({
      printingJobId: job.id,
      isAvailable: false
    })
    // Snapshots are copies: mutating one does not touch the sandbox.
    ;(assign.entities[job.id] as PrintJob).status = 'failed'
    expect(job.status).toBe('assigned')
    await call(sb, 'DELETE', `/v1/parts/${part.id}`)
    expect(events.at(-1)).toMatchObject({
      entityType: 'part',
      action: 'DELETE',
      entities: { [part.id]: { id: part.id } }
    })
  })

  it('never loses state under concurrent builds', async () => {
    await start()
    const part = await makePart(sb)
    const results = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        call<{ partBuilds: { id: string }[] }>(sb, 'POST', '/v2/builds', {
          parts: [{ partId: part.id, quantity: (i % 3) + 1 }]
        })
      )
    )
    expect(results.every((r) => r.status === 201)).toBe(true)
    expect(sb.state.partBuilds.size).toBe(30)
    expect(sb.state.printJobs.size).toBe(60)
    const orders = [...sb.state.printJobs.values()].map((j) => j.queueOrder)
    expect(new Set(orders).size).toBe(60)
    const listed = await call<unknown[]>(sb, 'GET', '/v1/print-jobs?limit=1000')
    expect(listed.json).toHaveLength(60)
  })
})
