// From files to parts: the check and hash (one read, none for a file read unchanged before),
// reusing parts, uploads and part creations under faults, a file edited mid-send.
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { afterEach, describe, expect, it } from 'vitest'
import type { SendRequest } from '../../shared/send'
import { detachedFetch } from '../../test-support/http'
import { randomStl } from '../../test-support/stl'
import { calls, one, sendHarness, waitFor, type SendHarness } from '../../test-support/send'
import { inspectAndHashFile } from './file-check'

let h: SendHarness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

describe('files', () => {
  it('reports files that are missing, empty, directories or not STL, and sends the rest', async () => {
    h = await sendHarness()
    const good = await h.stl('good.stl')
    await writeFile(`${h.dir}/empty.stl`, '')
    await writeFile(`${h.dir}/photo.stl`, Buffer.from('\x89PNG\r\n\x1a\n0000000000'))
    const nan = randomStl(4)
    for (let t = 0; t < 4; t++) nan.writeFloatLE(NaN, 84 + 50 * t + 12)
    await writeFile(`${h.dir}/nan.stl`, nan)
    const service = await h.service()
    const result = await service.send({
      items: [
        good,
        `${h.dir}/missing.stl`,
        `${h.dir}/empty.stl`,
        h.dir,
        `${h.dir}/photo.stl`,
        `${h.dir}/nan.stl`
      ].map((path) => ({ path, quantity: 1 })),
      routing: { mode: 'any' }
    })
    expect(result.status).toBe('partial')
    expect(result.files).toHaveLength(1)
    const messages = result.failures.map((f) => f.error.message)
    expect(messages[0]).toContain('missing.stl: file not found')
    expect(messages[1]).toContain('empty.stl: file is empty')
    expect(messages[2]).toContain('is a directory')
    expect(messages[3]).toMatch(/photo.stl: .*(not an STL|84\b)/)
    // The engine's full verdict, whatever the file's size: the preview refuses this one too.
    expect(messages[4]).toContain('nan.stl: 4 of 4 triangles have coordinates that are not numbers')
    expect(result.failures.every((f) => f.error.code === 'file')).toBe(true)
  })

  it('a file hashed when it was dropped is not read again to be sent', async () => {
    h = await sendHarness()
    const file = await h.stl('dropped.stl', 300)
    const dropped = await inspectAndHashFile(file)
    const service = await h.service()
    const result = await service.send(one(file), undefined, { jobId: 'after-drop' })
    expect(result.files[0]!.sha256).toBe(dropped.sha256)
    // A read reports its first bytes (bytesDone 0); the remembered answer only its end.
    const read = h.progress
      .filter((p) => p.jobId === 'after-drop' && p.step === 'hashing' && p.bytesDone !== undefined)
      .map((p) => p.bytesDone)
    expect(read).toEqual([dropped.size])
  })

  it('a file edited after it was dropped is read again and sent as it is now', async () => {
    h = await sendHarness()
    const file = await h.stl('edited.stl', 10, 1)
    const dropped = await inspectAndHashFile(file)
    const now = randomStl(10, 2)
    await writeFile(file, now)
    const service = await h.service()
    const result = await service.send(one(file))
    expect(result.files[0]!.sha256).toBe(sha(now))
    expect(result.files[0]!.sha256).not.toBe(dropped.sha256)
    expect(h.sandbox.state.parts.get(result.files[0]!.partId)!.fileHashes[0]).toBe(sha(now))
  })

  it('a file edited between its hash and its upload fails alone; nothing is built from it', async () => {
    h = await sendHarness()
    const file = await h.stl('moving.stl', 50, 1)
    const steady = await h.stl('steady.stl', 50, 2)
    const edited = randomStl(50, 3)
    const service = await h.service({
      onProgress: (p) => {
        h!.progress.push(p)
        // Same size, other bytes, just before the upload reads it.
        if (p.step === 'requesting-upload' && p.path === file) writeFileSync(file, edited)
      }
    })
    const m = h.mark()
    const result = await service.send({
      items: [
        { path: file, quantity: 1 },
        { path: steady, quantity: 1 }
      ],
      routing: { mode: 'any' }
    })
    expect(result.status).toBe('partial')
    expect(result.failures).toEqual([
      {
        file,
        index: 0,
        error: {
          code: 'file',
          message: expect.stringContaining('the file changed while it was being sent')
        }
      }
    ])
    expect(result.files.map((f) => f.file)).toEqual([steady])
    // One part and one build, both the steady file's; the changed bytes were never stored whole.
    expect(h.sandbox.state.parts.size).toBe(1)
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    expect(
      h.since(m).filter((e) => e.path.startsWith('/_storage/') && e.status === 200)
    ).toHaveLength(1)
    // Sent again, it is read again (the remembered hash was dropped) and goes through.
    const again = await service.send(one(file))
    expect(again.status).toBe('done')
    expect(again.files[0]!.sha256).toBe(sha(edited))
    expect(await readFile(file)).toEqual(edited)
  })
})

describe('parts', () => {
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

  it('a dropped answer to POST /v1/parts reuses the part it created', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({ method: 'POST', path: '/v1/parts', kind: 'drop-after' })
    const service = await h.service()
    const result = await service.send(one(await h.stl('a.stl')))
    expect(result.status).toBe('done')
    expect(h.sandbox.state.parts.size).toBe(1)
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
      delayMs: 80,
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
    await waitFor(() => partPosts === 2)
    expect(service.cancel('cancel-late')).toBe(true)
    const cancelled = await first
    expect(cancelled.status).toBe('cancelled')
    await waitFor(() => h!.sandbox.log.filter((e) => e.fault === 'delay').length === 2)
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
})

describe('uploads', () => {
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
    // Signed URLs live 100 ms here: long enough for a PUT, short enough to outlive.
    h = await sendHarness({ uploadUrlTtlMs: 100 })
    const file = await h.stl('late.stl')
    let writes = 0
    // The first run records its signed URL, then "crashes" at the next write.
    const journal = await h.journal((entries) => {
      if (entries.some((e) => e.type === 'urls') && ++writes === 1) return
      if (writes >= 1 && !entries.some((e) => e.type === 'urls')) throw new Error('crash')
    })
    const crashed = await h.service({ journal })
    const first = await crashed.send(one(file))
    expect(first.status).toBe('interrupted')
    await journal.close()
    // Wait for the recorded URL to expire (its own `expires` says when), not for a fixed time.
    const target = [...journal.state.jobs.values()][0]!.items[0]!.target!
    const expires = Number(new URL(target.uploadUrl).searchParams.get('expires'))
    await waitFor(() => Date.now() > expires)
    const fresh = await h.service()
    const [resumed] = await fresh.resumePending()
    expect(resumed!.status).toBe('done')
    expect(h.sandbox.log.some((e) => e.path.startsWith('/_storage/') && e.status === 403)).toBe(
      true
    )
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })
})
