// Signed uploads: streaming to disk, signature/expiry/auth/length rules, overwrite semantics.
import { createHash } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Part } from '../shared/printago/api-types'
import { call, sandbox, sha256 } from './testing/test-utils'
import type { TestSandbox } from './testing'
import { waitFor } from '../test-support/wait'

let sb: TestSandbox

beforeAll(async () => {
  sb = await sandbox()
})
afterAll(() => sb.close())

async function signed(
  name = 'model.stl',
  target = sb
): Promise<{ uploadUrl: string; path: string }> {
  const r = await call<{ signedUrls: { uploadUrl: string; path: string }[] }>(
    target,
    'POST',
    '/v1/storage/signed-upload-urls',
    { filenames: [name] }
  )
  return r.json.signedUrls[0]!
}

/** A raw PUT via node:http so tests control Content-Length and chunking exactly. */
function put(
  url: string,
  chunks: Iterable<Buffer> | AsyncIterable<Buffer>,
  headers: Record<string, string | number> = {}
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'PUT', headers })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    ;(async () => {
      for await (const c of chunks)
        if (!req.write(c)) await new Promise((r) => req.once('drain', r))
      req.end()
    })().catch(reject)
  })
}

async function createPart(path: string): Promise<{ status: number; part: Part }> {
  const r = await call<Part>(sb, 'POST', '/v1/parts', {
    name: 'p',
    description: '',
    type: 'stl',
    fileUris: [path],
    parameters: [],
    printTags: {},
    overriddenProcessProfileId: null
  })
  return { status: r.status, part: r.json }
}

describe('signed PUT', () => {
  it('stores bytes with their sha256, ignores Content-Type, and re-PUT overwrites', async () => {
    const s = await signed('over.stl')
    const one = await fetch(s.uploadUrl, {
      method: 'PUT',
      body: 'first',
      headers: { 'content-type': 'text/weird' }
    })
    expect(one.status).toBe(200)
    expect(sb.state.uploads.get(s.path)?.sha256).toBe(sha256('first'))
    const two = await fetch(s.uploadUrl, { method: 'PUT', body: 'second version' })
    expect(two.status).toBe(200)
    const obj = sb.state.uploads.get(s.path)!
    expect(obj).toMatchObject({ sha256: sha256('second version'), size: 14 })
    expect(await readFile(obj.file, 'utf8')).toBe('second version')
    const { status, part } = await createPart(s.path)
    expect(status).toBe(201)
    expect(part.fileHashes).toEqual([sha256('second version')])
  })

  it('411 without Content-Length (chunked)', async () => {
    const s = await signed()
    const r = await put(s.uploadUrl, [Buffer.from('abc')], { 'transfer-encoding': 'chunked' })
    expect(r.status).toBe(411)
    expect(sb.state.uploads.has(s.path)).toBe(false)
  })

  it('400 when the Printago authorization header is sent along', async () => {
    const s = await signed()
    const r = await fetch(s.uploadUrl, {
      method: 'PUT',
      body: 'x',
      headers: { authorization: `ApiKey ${sb.apiKey}` }
    })
    expect(r.status).toBe(400)
    expect(await r.text()).toContain('InvalidArgument')
  })

  it('403 for a bad signature or a tampered path', async () => {
    const s = await signed()
    const badSig = s.uploadUrl.replace(/sig=[0-9a-f]/, 'sig=g')
    expect((await fetch(badSig, { method: 'PUT', body: 'x' })).status).toBe(403)
    const tampered = s.uploadUrl.replace('/uploads/', '/uploadz/')
    const r = await fetch(tampered, { method: 'PUT', body: 'x' })
    expect(r.status).toBe(403)
    expect(await r.text()).toContain('SignatureDoesNotMatch')
    const noSig = s.uploadUrl.split('?')[0]!
    expect((await fetch(noSig, { method: 'PUT', body: 'x' })).status).toBe(403)
    const later = s.uploadUrl.replace(
      /expires=(\d+)/,
      (_m, n: string) => `expires=${Number(n) + 1}`
    )
    expect((await fetch(later, { method: 'PUT', body: 'x' })).status).toBe(403)
  })

  it('403 "Request has expired" after the TTL', async () => {
    const short = await sandbox({ uploadUrlTtlMs: 1 })
    try {
      const s = await signed('late.stl', short)
      await new Promise((r) => setTimeout(r, 10))
      const r = await fetch(s.uploadUrl, { method: 'PUT', body: 'x' })
      expect(r.status).toBe(403)
      expect(await r.text()).toContain('Request has expired')
    } finally {
      await short.close()
    }
  })

  it('a truncated body is not stored and the server keeps going', async () => {
    const s = await signed('cut.stl')
    await new Promise<void>((resolve) => {
      const req = request(s.uploadUrl, { method: 'PUT', headers: { 'content-length': 1000 } })
      req.on('error', () => resolve())
      req.write(Buffer.alloc(100))
      setTimeout(() => {
        req.destroy()
        resolve()
      }, 50)
    })
    // Wait until the server has given up on the upload (it logs it), not for a time.
    const path = new URL(s.uploadUrl).pathname
    await waitFor(() => sb.log.some((e) => e.path === path), 5000, 'the aborted upload')
    expect(sb.state.uploads.has(s.path)).toBe(false)
    expect((await call(sb, 'GET', '/v1/stores')).status).toBe(200)
  })

  it('does not count against the API rate limit and needs no API auth', async () => {
    const tight = await sandbox({ ratePerMinute: 2 })
    try {
      const s = await signed('free.stl', tight)
      for (let i = 0; i < 5; i++)
        expect((await fetch(s.uploadUrl, { method: 'PUT', body: `v${i}` })).status).toBe(200)
      expect((await call(tight, 'GET', '/v1/stores')).status).toBe(200)
      expect((await call(tight, 'GET', '/v1/stores')).status).toBe(429)
      expect(
        tight.log.filter((e) => e.path.startsWith('/_storage/')).every((e) => !e.rateLimited)
      ).toBe(true)
    } finally {
      await tight.close()
    }
  })

  it('streams a large upload to disk in constant memory', async () => {
    const MiB = 1 << 20
    const total = 384 * MiB
    const block = Buffer.alloc(MiB)
    for (let i = 0; i < block.length; i++) block[i] = (i * 31 + 7) & 0xff
    const expected = createHash('sha256')
    async function* body(): AsyncGenerator<Buffer> {
      for (let i = 0; i < total / MiB; i++) {
        block[0] = i & 0xff
        expected.update(block)
        yield block
      }
    }
    const s = await signed('huge.stl')
    const base = process.memoryUsage().rss
    let peak = base
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
    const r = await put(s.uploadUrl, body(), { 'content-length': total })
    clearInterval(sampler)
    expect(r.status).toBe(200)
    const obj = sb.state.uploads.get(s.path)!
    expect(obj.size).toBe(total)
    expect(obj.sha256).toBe(expected.digest('hex'))
    // Buffering the body would add ≥ 384 MiB; streaming stays far below that.
    expect(peak - base).toBeLessThan(128 * MiB)
  })
})
