// The send service end to end, over real HTTP against the in-process sandbox: the calls a send
// costs, what reaches Printago, errors as per-file data, cancelling. Files and parts, the build,
// and crash/resume have their own files (prepare, build, resume .test.ts).
import { readFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { SendRequest } from '../../shared/send'
import { createPrintagoClient } from '../printago/client'
import { createSendService, SendRequestError, validateSendRequest } from './service'
import { calls, one, sendHarness, waitFor, type SendHarness } from '../../test-support/send'
import { markerFor, userLabel } from './marker'

let h: SendHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

describe('send service', () => {
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
    expect(build).toMatchObject({
      label: `benchy [ps:${markerFor('job-1', 0)}]`,
      quantity: 2,
      priority: 1000,
      position: 'front'
    })
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
    // The user's label, with the marker that makes this build provably ours (marker.ts).
    expect(build.label).toMatch(/^Order 7 \[ps:[a-z2-7]{8}\]$/)
    expect(userLabel(build.label!)).toBe('Order 7')
    const jobs = [...h.sandbox.state.printJobs.values()].filter((j) => j.partBuildId === build.id)
    expect(jobs).toHaveLength(3)
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
    const result = await service.send(one(await h.stl('a.stl')))
    expect(result.status).toBe('done')
    // The clock skips the wait, but every request is stamped with it: the one after the 429
    // left at least the second Retry-After asked for.
    const parts = h.requests.filter((r) => r.path === '/v1/parts')
    expect(parts).toHaveLength(2)
    expect(parts[1]!.at - parts[0]!.at).toBeGreaterThanOrEqual(1000)
    expect(h.clock.sleeps.some((ms) => ms >= 1000)).toBe(true)
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

  it('cancels a job before anything is queued', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({ method: 'PUT', path: /^\/_storage\//, kind: 'delay', delayMs: 2000 })
    const service = await h.service()
    const file = await h.stl('c.stl')
    const promise = service.send(one(file), undefined, { jobId: 'cancel-me' })
    await waitFor(() => h!.progress.some((p) => p.step === 'uploading'))
    expect(service.cancel('cancel-me')).toBe(true)
    const result = await promise
    expect(result.status).toBe('cancelled')
    expect(h.progress.at(-1)!.step).toBe('cancelled')
    expect(h.sandbox.state.partBuilds.size).toBe(0)
    expect(service.pendingJobs()).toHaveLength(0)
    expect(service.cancel('cancel-me')).toBe(false)
  })

  it('an AbortSignal passed to send cancels too', async () => {
    h = await sendHarness()
    const service = await h.service()
    const controller = new AbortController()
    controller.abort()
    const result = await service.send(one(await h.stl('x.stl')), controller.signal)
    expect(result.status).toBe('cancelled')
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

  it('close() waits for a send whose first journal write is still pending', async () => {
    h = await sendHarness()
    const service = await h.service()
    const sending = service.send(one(await h.stl('closing.stl')))
    await service.close()
    expect((await sending).status).toBe('done')
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })

  it('rejects invalid requests before journaling anything', async () => {
    h = await sendHarness()
    const service = await h.service()
    const invalid: SendRequest = {
      items: [{ path: '/x.stl', quantity: 0 }],
      routing: { mode: 'any' }
    }
    await expect(service.send(invalid)).rejects.toBeInstanceOf(SendRequestError)
    expect(validateSendRequest(invalid)).toContain('1 to 500')
    expect(service.pendingJobs()).toHaveLength(0)
    expect(service.journal.state.jobs.size).toBe(0)
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
