// Integration tests of the send pipeline over real HTTP against the in-process sandbox.
import { readFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { SendRequest } from '../../shared/send'
import { createPrintagoClient } from '../printago/client'
import { createSendService, SendRequestError, uploadFilename, validateSendRequest } from './service'
import { detachedFetch } from '../../test-support/http'
import { sendHarness, type SendHarness } from '../../test-support/node'

let h: SendHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

/** Poll until `check` holds (no timing assertion: the test timeout is the limit). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((r) => setTimeout(r, 5))
}

const one = (path: string, extra: Partial<SendRequest['items'][number]> = {}): SendRequest => ({
  items: [{ path, quantity: 1, ...extra }],
  routing: { mode: 'any' }
})

/** Sandbox requests as "METHOD /path" with storage paths collapsed. */
const calls = (entries: Array<{ method: string; path: string }>): string[] =>
  entries.map((e) => `${e.method} ${e.path.startsWith('/_storage/') ? '/_storage' : e.path}`)

describe('send pipeline', () => {
  it('sends a new file in 4 calls with the documented bodies', async () => {
    h = await sendHarness()
    const file = await h.stl('benchy.stl')
    const service = await h.service()
    const m = h.mark()
    const result = await service.send(
      one(file, { quantity: 2, priority: 'low', position: 'front' }),
      undefined,
      { jobId: 'job-1' }
    )
    expect(result.status).toBe('done')
    expect(result.jobId).toBe('job-1')
    expect(calls(h.since(m))).toEqual([
      'POST /v1/storage/signed-upload-urls',
      'PUT /_storage',
      'POST /v1/parts',
      'POST /v2/builds'
    ])
    const sent = result.files[0]!
    expect(sent.reusedPart).toBe(false)
    const part = h.sandbox.state.parts.get(sent.partId)!
    expect(part.fileHashes[0]).toBe(sent.sha256)
    expect(part.name).toBe('benchy')
    const build = h.sandbox.state.partBuilds.get(sent.partBuildId)!
    expect(build).toMatchObject({ label: 'benchy', quantity: 2, priority: 1000, position: 'front' })
    const steps = h.progress.filter((p) => p.jobId === 'job-1').map((p) => p.step)
    for (const step of [
      'queued-locally',
      'hashing',
      'requesting-upload',
      'uploading',
      'creating-part',
      'queuing',
      'done'
    ]) {
      expect(steps).toContain(step)
    }
    expect(steps.at(-1)).toBe('done')
    const done = h.progress.at(-1)!
    expect(done).toMatchObject({
      partId: sent.partId,
      partBuildId: sent.partBuildId,
      sha256: sent.sha256
    })
  })

  it('a repeated file costs one API call and reuses the part', async () => {
    h = await sendHarness()
    const file = await h.stl('cube.stl')
    const service = await h.service()
    const first = await service.send(one(file))
    const m = h.mark()
    const again = await service.send(one(file, { label: 'again' }))
    expect(calls(h.since(m))).toEqual(['POST /v2/builds'])
    expect(again.files[0]).toMatchObject({ reusedPart: true, partId: first.files[0]!.partId })
    expect(h.progress.some((p) => p.jobId === again.jobId && p.reusedPart)).toBe(true)
  })

  it('a batch of 10 files is 1 signed-URL call, 10 PUTs, 10 parts and 1 build', async () => {
    h = await sendHarness()
    const files = await Promise.all(
      Array.from({ length: 10 }, (_, i) => h!.stl(`f${i}.stl`, 3, i + 1))
    )
    const service = await h.service()
    const m = h.mark()
    const result = await service.send({
      items: files.map((path) => ({ path, quantity: 1 })),
      routing: { mode: 'tags', tags: ['PLA', 'Big Bed'] }
    })
    expect(result.status).toBe('done')
    const log = calls(h.since(m))
    expect(log).toHaveLength(22)
    expect(log.filter((c) => c === 'POST /v1/storage/signed-upload-urls')).toHaveLength(1)
    expect(log.filter((c) => c === 'POST /v2/builds')).toHaveLength(1)
    expect(new Set(result.files.map((f) => f.partBuildId)).size).toBe(10)
    for (const f of result.files) {
      expect(h.sandbox.state.partBuilds.get(f.partBuildId)!.requiredPrinterTags['user.tags']).toBe(
        '&=PLA|Big Bed'
      )
    }
  })

  it('the same file twice in one send is uploaded once and built twice', async () => {
    h = await sendHarness()
    const file = await h.stl('twice.stl')
    const service = await h.service()
    const m = h.mark()
    const result = await service.send({
      items: [
        { path: file, quantity: 1, label: 'first' },
        { path: file, quantity: 2, label: 'second' }
      ],
      routing: { mode: 'any' }
    })
    expect(result.status).toBe('done')
    expect(calls(h.since(m))).toEqual([
      'POST /v1/storage/signed-upload-urls',
      'PUT /_storage',
      'POST /v1/parts',
      'POST /v2/builds'
    ])
    expect(result.files.map((f) => f.reusedPart)).toEqual([false, true])
    expect(result.files[0]!.partId).toBe(result.files[1]!.partId)
    expect(h.sandbox.state.partBuilds.size).toBe(2)
  })

  it('routes to one printer and queues quantity print jobs', async () => {
    h = await sendHarness()
    const printerId = [...h.sandbox.state.printers.keys()][0]!
    const file = await h.stl('p.stl')
    const service = await h.service()
    const result = await service.send({
      items: [{ path: file, quantity: 3, label: 'Order 7' }],
      routing: { mode: 'printer', printerId }
    })
    const build = h.sandbox.state.partBuilds.get(result.files[0]!.partBuildId)!
    expect(build.requiredPrinterTags['printer.id']).toBe(`=${printerId}`)
    expect(build.label).toBe('Order 7')
    const jobs = [...h.sandbox.state.printJobs.values()].filter((j) => j.partBuildId === build.id)
    expect(jobs).toHaveLength(3)
  })

  it('recovers when a reused part was deleted on Printago', async () => {
    h = await sendHarness()
    const file = await h.stl('gone.stl')
    const service = await h.service()
    const first = await service.send(one(file))
    h.sandbox.state.parts.delete(first.files[0]!.partId)
    const m = h.mark()
    const again = await service.send(one(file))
    expect(again.status).toBe('done')
    expect(again.files[0]!.reusedPart).toBe(false)
    expect(again.files[0]!.partId).not.toBe(first.files[0]!.partId)
    expect(calls(h.since(m))).toEqual([
      'POST /v2/builds',
      'GET /v1/parts',
      'POST /v1/storage/signed-upload-urls',
      'PUT /_storage',
      'POST /v1/parts',
      'POST /v2/builds'
    ])
    expect(h.since(m)[0]!.status).toBe(404)
    // Exactly one build for the second send.
    expect(
      [...h.sandbox.state.partBuilds.values()].filter((b) => b.partId === again.files[0]!.partId)
    ).toHaveLength(1)
  })

  it('finds a surviving part by hash when the cached id is gone', async () => {
    h = await sendHarness()
    const file = await h.stl('dup.stl')
    const service = await h.service()
    const first = await service.send(one(file))
    // Another part with the same bytes exists (e.g. created from the web UI).
    const second = await service.send(one(file))
    expect(second.files[0]!.reusedPart).toBe(true)
    const other = {
      ...h.sandbox.state.parts.get(first.files[0]!.partId)!,
      id: 'otherpart000000000000000',
      createdAt: new Date().toISOString()
    }
    h.sandbox.state.parts.set(other.id, other)
    h.sandbox.state.parts.delete(first.files[0]!.partId)
    const m = h.mark()
    const third = await service.send(one(file))
    expect(third.files[0]).toMatchObject({ partId: other.id, reusedPart: true })
    expect(calls(h.since(m))).toEqual(['POST /v2/builds', 'GET /v1/parts', 'POST /v2/builds'])
  })

  it('falls back to /v1/builds when /v2/builds answers 404', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({
      method: 'POST',
      path: '/v2/builds',
      kind: 'status',
      status: 404,
      body: { statusCode: 404, message: 'Cannot POST /v2/builds', error: 'Not Found' },
      times: Infinity
    })
    const service = await h.service()
    const result = await service.send(one(await h.stl('legacy.stl'), { quantity: 2 }))
    expect(result.status).toBe('done')
    expect(h.sandbox.log.filter((e) => e.path === '/v1/builds' && e.status === 201)).toHaveLength(1)
    expect(h.sandbox.state.partBuilds.get(result.files[0]!.partBuildId)!.quantity).toBe(2)
  })

  it('401 fails every file with a clear message', async () => {
    h = await sendHarness()
    const client = createPrintagoClient({
      baseUrl: h.sandbox.url,
      apiKey: 'wrong'.repeat(10),
      storeId: h.sandbox.storeId,
      limiter: null
    })
    const service = await createSendService({ client, journalDir: `${h.dir}/j401` })
    const result = await service.send(one(await h.stl('a.stl')))
    expect(result.status).toBe('failed')
    expect(result.failures[0]!.error.code).toBe('auth')
    expect(result.failures[0]!.error.message).toContain('PRINTAGO_API_KEY')
    await service.close()
  })

  it('403 names the missing permission', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({
      method: 'POST',
      path: '/v1/storage/signed-upload-urls',
      kind: 'status',
      status: 403
    })
    const service = await h.service()
    const result = await service.send(one(await h.stl('a.stl')))
    expect(result.failures[0]!.error).toMatchObject({ code: 'forbidden' })
    expect(result.failures[0]!.error.message).toContain('part.create')
  })

  it('400 reports the server message and path', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({
      method: 'POST',
      path: '/v1/parts',
      kind: 'status',
      status: 400,
      body: {
        message: 'Request body data is not following the promised type.',
        path: '$input.fileUris[0]',
        reason: 'x'
      }
    })
    const service = await h.service()
    const result = await service.send(one(await h.stl('a.stl')))
    expect(result.status).toBe('failed')
    expect(result.failures[0]!.error.code).toBe('validation')
    expect(result.failures[0]!.error.message).toContain('$input.fileUris[0]')
    expect(h.sandbox.state.partBuilds.size).toBe(0)
  })

  it('honours Retry-After: no request before it', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({
      method: 'POST',
      path: '/v1/parts',
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1' },
      body: { statusCode: 429, message: 'ThrottlerException: Too Many Requests' }
    })
    const service = await h.service()
    const m = h.mark()
    const result = await service.send(one(await h.stl('a.stl')))
    expect(result.status).toBe('done')
    const log = h.since(m)
    const i429 = log.findIndex((e) => e.status === 429)
    expect(i429).toBeGreaterThan(-1)
    const next = log[i429 + 1]!
    expect(next.at - log[i429]!.at).toBeGreaterThanOrEqual(1000)
    expect(
      h.progress.some((p) => p.step === 'waiting-rate-limit' && (p.waitSeconds ?? 0) >= 1)
    ).toBe(true)
  })

  it('retries a 503 on the signed-URL call; a 500 on POST /v1/parts is reconciled by hash', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({
      method: 'POST',
      path: '/v1/storage/signed-upload-urls',
      kind: 'status',
      status: 503
    })
    h.sandbox.injectFault({ method: 'POST', path: '/v1/parts', kind: 'status', status: 500 })
    const service = await h.service()
    const m = h.mark()
    const result = await service.send(one(await h.stl('a.stl')))
    expect(result.status).toBe('done')
    expect(calls(h.since(m))).toEqual([
      'POST /v1/storage/signed-upload-urls',
      'POST /v1/storage/signed-upload-urls',
      'PUT /_storage',
      'POST /v1/parts',
      'GET /v1/parts',
      'POST /v1/parts',
      'POST /v2/builds'
    ])
    expect(h.sandbox.state.parts.size).toBe(1)
  })

  it('a dropped answer to POST /v1/parts reuses the part it created', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({ method: 'POST', path: '/v1/parts', kind: 'drop-after' })
    const service = await h.service()
    const result = await service.send(one(await h.stl('a.stl')))
    expect(result.status).toBe('done')
    expect(h.sandbox.state.parts.size).toBe(1)
  })

  it('a dropped answer to POST /v2/builds is reconciled without a duplicate', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'drop-after' })
    const service = await h.service()
    const m = h.mark()
    const result = await service.send(one(await h.stl('a.stl'), { quantity: 2 }))
    expect(result.status).toBe('done')
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    expect(result.files[0]!.partBuildId).toBe([...h.sandbox.state.partBuilds.keys()][0])
    expect(calls(h.since(m)).slice(-2)).toEqual(['POST /v2/builds', 'GET /v1/part-builds'])
  })

  it('a timed-out build that Printago still performs is reconciled after settling', async () => {
    h = await sendHarness({}, { timeoutMs: 150, fetch: detachedFetch })
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'delay', delayMs: 400 })
    const service = await h.service({ settleMs: 800 })
    const result = await service.send(one(await h.stl('slow.stl')))
    expect(result.status).toBe('done')
    // Whatever happens, the delayed request has landed by now.
    await until(() => h!.sandbox.log.some((e) => e.fault === 'delay'))
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    expect(result.files[0]!.partBuildId).toBe([...h.sandbox.state.partBuilds.keys()][0])
    expect(h.progress.some((p) => p.step === 'retrying')).toBe(true)
  })

  it('a build timeout where Printago did nothing is sent again once', async () => {
    h = await sendHarness({}, { timeoutMs: 150 })
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'reset' })
    const service = await h.service()
    const result = await service.send(one(await h.stl('r.stl')))
    expect(result.status).toBe('done')
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })

  it('a build whose outcome stays unknown is reported per file as outcome-unknown and finished on resume', async () => {
    h = await sendHarness()
    // The build request dies without an answer, and Printago can't be read to check it.
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'reset' })
    h.sandbox.injectFault({
      method: 'GET',
      path: '/v1/part-builds',
      kind: 'status',
      status: 503,
      headers: { 'retry-after': '0' },
      times: Infinity
    })
    const service = await h.service({ settleMs: 300 })
    const file = await h.stl('unknown.stl')
    const result = await service.send(one(file), undefined, { jobId: 'unknown' })
    expect(result.status).toBe('interrupted')
    expect(result.error?.code).toBe('outcome-unknown')
    expect(result.unfinished).toEqual([
      {
        file,
        index: 0,
        error: { code: 'outcome-unknown', message: expect.stringContaining('did not confirm') }
      }
    ])
    // Progress says it waits and then checks — never that it blindly retries.
    const mine = h.progress.filter((p) => p.jobId === 'unknown')
    const wait = mine.find((p) => p.step === 'retrying' && p.waitSeconds)
    expect(wait).toMatchObject({ waitSeconds: 1, error: { code: 'outcome-unknown' } })
    expect(mine.some((p) => p.step === 'queuing' && p.error?.code === 'outcome-unknown')).toBe(true)
    h.sandbox.clearFaults()
    const [resumed] = await service.resumePending()
    expect(resumed!.status).toBe('done')
    expect(resumed!.unfinished).toBeUndefined()
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })

  it('recovers from a reset mid-upload and an expired upload URL', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({ method: 'PUT', path: /^\/_storage\//, kind: 'reset' })
    h.sandbox.injectFault({
      method: 'PUT',
      path: /^\/_storage\//,
      kind: 'status',
      status: 403,
      body: { message: 'Request has expired' }
    })
    const service = await h.service()
    const m = h.mark()
    const result = await service.send(one(await h.stl('u.stl', 2000)))
    expect(result.status).toBe('done')
    expect(calls(h.since(m))).toEqual([
      'POST /v1/storage/signed-upload-urls',
      'PUT /_storage',
      'PUT /_storage',
      'POST /v1/storage/signed-upload-urls',
      'PUT /_storage',
      'POST /v1/parts',
      'POST /v2/builds'
    ])
    const part = h.sandbox.state.parts.get(result.files[0]!.partId)!
    expect(part.fileHashes[0]).toBe(result.files[0]!.sha256)
  })

  it('a genuinely expired URL after a restart gets a fresh one', async () => {
    h = await sendHarness({ uploadUrlTtlMs: 300 })
    const file = await h.stl('late.stl')
    let writes = 0
    const { openJournal } = await import('../infra/journal')
    const { applySendEntry, emptySendState, sendStateFromSnapshot, sendStateToSnapshot } =
      await import('./state')
    const journal = await openJournal({
      dir: h.journalDir,
      empty: emptySendState,
      apply: applySendEntry,
      toSnapshot: (s) => sendStateToSnapshot(s, Date.now()),
      fromSnapshot: sendStateFromSnapshot,
      beforeWrite: (entries) => {
        if (entries.some((e) => e.type === 'urls') && ++writes === 1) return
        if (writes >= 1 && !entries.some((e) => e.type === 'urls')) throw new Error('crash')
      }
    })
    const crashed = await h.service({ journal })
    const first = await crashed.send(one(file))
    expect(first.status).toBe('interrupted')
    await new Promise((r) => setTimeout(r, 400))
    const fresh = await h.service()
    const [resumed] = await fresh.resumePending()
    expect(resumed!.status).toBe('done')
    expect(h.sandbox.log.some((e) => e.path.startsWith('/_storage/') && e.status === 403)).toBe(
      true
    )
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })

  it('cancels a job before anything is queued', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({ method: 'PUT', path: /^\/_storage\//, kind: 'delay', delayMs: 2000 })
    const service = await h.service()
    const file = await h.stl('c.stl')
    const promise = service.send(one(file), undefined, { jobId: 'cancel-me' })
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        if (h!.progress.some((p) => p.step === 'uploading')) {
          clearInterval(timer)
          resolve()
        }
      }, 5)
    })
    expect(service.cancel('cancel-me')).toBe(true)
    const result = await promise
    expect(result.status).toBe('cancelled')
    expect(h.progress.at(-1)!.step).toBe('cancelled')
    expect(h.sandbox.state.partBuilds.size).toBe(0)
    expect(service.pendingJobs()).toHaveLength(0)
    expect(service.cancel('cancel-me')).toBe(false)
  })

  it('cancel while the parts are being created, then send again: the parts are reused', async () => {
    // The server still acts on a request the client stopped waiting for (like Printago once it
    // has the body); count the part creations that left.
    let partPosts = 0
    const counting: typeof fetch = (input, init) => {
      if (init?.method === 'POST' && String(input).includes('/v1/parts')) partPosts++
      return detachedFetch(input, init)
    }
    h = await sendHarness({}, { fetch: counting })
    h.sandbox.injectFault({
      method: 'POST',
      path: '/v1/parts',
      kind: 'delay',
      delayMs: 300,
      times: 2
    })
    const service = await h.service()
    const request: SendRequest = {
      items: [
        { path: await h.stl('left.stl'), quantity: 1 },
        { path: await h.stl('right.stl'), quantity: 1 }
      ],
      routing: { mode: 'any' }
    }
    const first = service.send(request, undefined, { jobId: 'cancel-late' })
    await until(() => partPosts === 2)
    expect(service.cancel('cancel-late')).toBe(true)
    const cancelled = await first
    expect(cancelled.status).toBe('cancelled')
    await until(() => h!.sandbox.log.filter((e) => e.fault === 'delay').length === 2)
    expect(h.sandbox.state.partBuilds.size).toBe(0)

    const m = h.mark()
    const again = await service.send(request)
    expect(again.status).toBe('done')
    expect(again.files.map((f) => f.reusedPart)).toEqual([true, true])
    expect(h.sandbox.state.parts.size).toBe(2)
    expect(calls(h.since(m))).toEqual(['POST /v2/builds'])
    // The cancelled send named each file it left unqueued.
    expect(cancelled.unfinished?.map((u) => u.error.code)).toEqual(['cancelled', 'cancelled'])
  })

  it('a part whose creation went unanswered before a cancel is found by hash, not uploaded again', async () => {
    h = await sendHarness({}, { timeoutMs: 100, fetch: detachedFetch })
    // Printago creates the part but the answer never comes; the user cancels meanwhile.
    h.sandbox.injectFault({ method: 'POST', path: '/v1/parts', kind: 'drop-after' })
    const service = await h.service({
      onProgress: (p) => {
        if (p.step === 'retrying' && p.error) service.cancel('unanswered')
      }
    })
    const file = await h.stl('unanswered.stl')
    const first = await service.send(one(file), undefined, { jobId: 'unanswered' })
    expect(first.status).toBe('cancelled')
    expect(h.sandbox.state.parts.size).toBe(1)
    const m = h.mark()
    const again = await service.send(one(file))
    expect(again.status).toBe('done')
    expect(again.files[0]!.reusedPart).toBe(true)
    expect(h.sandbox.state.parts.size).toBe(1)
    expect(calls(h.since(m))).toEqual(['GET /v1/parts', 'POST /v2/builds'])
    // Now cached: the next send is the build alone.
    const m2 = h.mark()
    await service.send(one(file))
    expect(calls(h.since(m2))).toEqual(['POST /v2/builds'])
  })

  it('a dedupe cache that cannot be written does not fail a file whose part exists', async () => {
    h = await sendHarness()
    const broken = {
      get: () => undefined,
      set: () => Promise.reject(new Error('EROFS: read-only file system')),
      delete: () => Promise.reject(new Error('EROFS: read-only file system')),
      size: 0
    }
    const service = await h.service({ dedupe: broken })
    const result = await service.send(one(await h.stl('ro.stl')))
    expect(result.status).toBe('done')
    expect(result.failures).toEqual([])
  })

  it('an AbortSignal passed to send cancels too', async () => {
    h = await sendHarness()
    const service = await h.service()
    const controller = new AbortController()
    controller.abort()
    const result = await service.send(one(await h.stl('x.stl')), controller.signal)
    expect(result.status).toBe('cancelled')
  })

  it('reports files that are missing, empty, directories or not STL, and sends the rest', async () => {
    h = await sendHarness()
    const good = await h.stl('good.stl')
    const { writeFile } = await import('node:fs/promises')
    await writeFile(`${h.dir}/empty.stl`, '')
    await writeFile(`${h.dir}/photo.stl`, Buffer.from('\x89PNG\r\n\x1a\n0000000000'))
    const service = await h.service()
    const result = await service.send({
      items: [good, `${h.dir}/missing.stl`, `${h.dir}/empty.stl`, h.dir, `${h.dir}/photo.stl`].map(
        (path) => ({ path, quantity: 1 })
      ),
      routing: { mode: 'any' }
    })
    expect(result.status).toBe('partial')
    expect(result.files).toHaveLength(1)
    const messages = result.failures.map((f) => f.error.message)
    expect(messages[0]).toContain('missing.stl: file not found')
    expect(messages[1]).toContain('empty.stl: file is empty')
    expect(messages[2]).toContain('is a directory')
    expect(messages[3]).toMatch(/photo.stl: .*(not an STL|84\b)/)
  })

  it('rejects invalid requests before journaling anything', async () => {
    h = await sendHarness()
    const service = await h.service()
    await expect(
      service.send({ items: [{ path: '/x.stl', quantity: 0 }], routing: { mode: 'any' } })
    ).rejects.toBeInstanceOf(SendRequestError)
    expect(
      validateSendRequest({ items: [{ path: '/x', quantity: 501 }], routing: { mode: 'any' } })
    ).toContain('1 to 500')
    expect(
      validateSendRequest({
        items: [{ path: '/x', quantity: 1 }],
        routing: { mode: 'tags', tags: ['a|b'] }
      })
    ).toContain("'|'")
    expect(service.pendingJobs()).toHaveLength(0)
  })

  it('never writes the API key to the journal', async () => {
    h = await sendHarness()
    const service = await h.service()
    await service.send(one(await h.stl('k.stl')))
    const text = await readFile(`${h.journalDir}/journal.log`, 'utf8')
    expect(text).not.toContain(h.sandbox.apiKey)
    expect(text).toContain('"type":"build"')
  })
})

describe('crash and resume', () => {
  /** Crash (refuse every write) once `n` entries were written; returns the crashing service. */
  async function crashingService(harness: SendHarness, n: number) {
    const { openJournal } = await import('../infra/journal')
    const { applySendEntry, emptySendState, sendStateFromSnapshot, sendStateToSnapshot } =
      await import('./state')
    let written = 0
    const stop = new AbortController()
    const journal = await openJournal({
      dir: harness.journalDir,
      empty: emptySendState,
      apply: applySendEntry,
      toSnapshot: (s) => sendStateToSnapshot(s, Date.now()),
      fromSnapshot: sendStateFromSnapshot,
      beforeWrite: (entries) => {
        if (stop.signal.aborted) throw new Error('crashed')
        if (written + entries.length > n) {
          stop.abort(new Error('crash'))
          throw new Error('crash')
        }
        written += entries.length
      }
    })
    const service = await harness.service({ journal, signal: stop.signal })
    return { service, journal, stop }
  }

  it('resumes from every step of a two-file job with exactly one build per file', async () => {
    h = await sendHarness()
    // Entries of a clean two-file run: job, 2×hashed, urls, 2×(uploaded, part-intent, part), build-intent, build, end = 12.
    for (let n = 1; n <= 12; n++) {
      const a = await h.stl(`a${n}.stl`, 3, 100 + n)
      const b = await h.stl(`b${n}.stl`, 3, 200 + n)
      const { service, journal } = await crashingService(h, n)
      const request: SendRequest = {
        items: [
          { path: a, quantity: 1, label: `A${n}` },
          { path: b, quantity: 2, label: `B${n}` }
        ],
        routing: { mode: 'any' }
      }
      const first = await service.send(request).catch((e: unknown) => e)
      await journal.close()
      const fresh = await h.service()
      const resumed = await fresh.resumePending()
      await fresh.close()
      const builds = [...h.sandbox.state.partBuilds.values()]
      expect((first as { status?: string }).status, `crash after ${n} entries`).toBe('interrupted')
      expect(
        builds.filter((x) => x.label === `A${n}`),
        `crash after ${n} entries`
      ).toHaveLength(1)
      expect(
        builds.filter((x) => x.label === `B${n}`),
        `crash after ${n} entries`
      ).toHaveLength(1)
      for (const r of resumed) expect(r.status).toBe('done')
    }
  })

  it('a crash while the build request is in flight is reconciled on resume', async () => {
    h = await sendHarness({}, { fetch: detachedFetch })
    h.sandbox.injectFault({ method: 'POST', path: '/v2/builds', kind: 'delay', delayMs: 300 })
    const file = await h.stl('inflight.stl')
    const { service, journal, stop } = await crashingService(h, 100)
    const first = service.send(one(file))
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        if (h!.progress.some((p) => p.step === 'queuing')) {
          clearInterval(t)
          resolve()
        }
      }, 2)
    })
    // The process dies with the build request in flight; Printago still performs it.
    stop.abort(new Error('kill'))
    expect((await first).status).toBe('interrupted')
    await journal.close()
    const fresh = await h.service({ settleMs: 600 })
    const [resumed] = await fresh.resumePending()
    expect(resumed!.status).toBe('done')
    await until(() => h!.sandbox.log.some((e) => e.fault === 'delay'))
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    expect(resumed!.files[0]!.partBuildId).toBe([...h.sandbox.state.partBuilds.keys()][0])
  })
})

describe('uploadFilename', () => {
  it('keeps names ≤ 64 characters with their extension and strips control characters', () => {
    expect(uploadFilename('/a/b/benchy.stl')).toBe('benchy.stl')
    expect(uploadFilename('C:\\models\\cube.STL')).toBe('cube.STL')
    const long = uploadFilename(`/x/${'n'.repeat(100)}.stl`)
    expect(long).toHaveLength(64)
    expect(long.endsWith('.stl')).toBe(true)
    expect(uploadFilename('/x/a\u0001b.stl')).toBe('a_b.stl')
  })
})
