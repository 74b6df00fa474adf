import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { PrintagoError } from './errors'
import { tempDir } from '../../test-support/temp'
import { uploadFile } from './upload'

interface Seen {
  url: string
  headers: http.IncomingHttpHeaders
  bytes: number
  sha256: string
}

/** A storage-like server: `decide(n, req)` picks what the n-th PUT gets. */
async function storage(
  decide: (n: number, url: string) => 'ok' | 'reset-mid' | number
): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = []
  let n = 0
  const server = http.createServer((req, res) => {
    const action = decide(n++, req.url ?? '')
    const hash = createHash('sha256')
    let bytes = 0
    req.on('data', (c: Buffer) => {
      bytes += c.length
      hash.update(c)
      if (action === 'reset-mid' && bytes > 1000) req.socket.destroy()
    })
    req.on('end', () => {
      seen.push({ url: req.url ?? '', headers: req.headers, bytes, sha256: hash.digest('hex') })
      if (action === 'ok') res.writeHead(200).end()
      else if (typeof action === 'number')
        res
          .writeHead(action, { 'content-type': 'application/xml' })
          .end('<Error><Code>X</Code></Error>')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      })
  }
}

describe('uploadFile', () => {
  let dir: string
  let cleanup: () => Promise<void>
  let file: string
  let data: Buffer
  let close: (() => Promise<void>) | undefined
  beforeEach(async () => {
    ;({ dir, cleanup } = await tempDir())
    data = Buffer.alloc(300_000)
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff
    file = join(dir, 'part.stl')
    await writeFile(file, data)
  })
  afterEach(async () => {
    await close?.()
    close = undefined
    await cleanup()
  })
  const sha = (): string => createHash('sha256').update(data).digest('hex')
  const fast = { sleep: async () => undefined, random: () => 0 }

  it('PUTs the exact bytes with Content-Length and no auth or Content-Type', async () => {
    const s = await storage(() => 'ok')
    close = s.close
    const progress: number[] = []
    const result = await uploadFile({
      file,
      size: data.length,
      target: { uploadUrl: `${s.url}/_storage/a?sig=1`, path: 'p/a' },
      chunkSize: 64 * 1024,
      onProgress: (p) => progress.push(p.bytesDone)
    })
    expect(result).toMatchObject({ path: 'p/a', attempts: 1, renewals: 0 })
    const put = s.seen[0]!
    expect(put.url).toBe('/_storage/a?sig=1')
    expect(put.headers['content-length']).toBe(String(data.length))
    expect(put.headers['content-type']).toBeUndefined()
    expect(put.headers['authorization']).toBeUndefined()
    expect(put.headers['x-printago-storeid']).toBeUndefined()
    expect(put.headers['transfer-encoding']).toBeUndefined()
    expect(put.sha256).toBe(sha())
    expect(progress.at(-1)).toBe(data.length)
  })

  it('refuses a plain-http upload address that is not this computer', async () => {
    const err = await uploadFile({
      file,
      size: data.length,
      target: { uploadUrl: 'http://storage.example.com/_storage/a?sig=1', path: 'p/a' },
      ...fast
    }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(PrintagoError)
    expect((err as PrintagoError).message).toMatch(/not https/)
  })

  it('retries 5xx and 408 on the same URL', async () => {
    const s = await storage((n) => (n === 0 ? 503 : n === 1 ? 408 : 'ok'))
    close = s.close
    const retries: string[] = []
    const result = await uploadFile({
      ...fast,
      file,
      size: data.length,
      target: { uploadUrl: `${s.url}/u1`, path: 'p1' },
      onRetry: (e) => retries.push(e.error.code)
    })
    expect(result.attempts).toBe(3)
    expect(s.seen.map((x) => x.url)).toEqual(['/u1', '/u1', '/u1'])
    expect(retries).toEqual(['server', 'server'])
  })

  it('recovers from a connection reset mid-upload', async () => {
    const s = await storage((n) => (n === 0 ? 'reset-mid' : 'ok'))
    close = s.close
    const result = await uploadFile({
      ...fast,
      file,
      size: data.length,
      target: { uploadUrl: `${s.url}/u`, path: 'p' }
    })
    expect(result.attempts).toBe(2)
    expect(s.seen.at(-1)!.sha256).toBe(sha())
  })

  it('gets a fresh signed URL on 403 and never retries the refused one', async () => {
    const s = await storage((_n, url) => (url.startsWith('/old') ? 403 : 'ok'))
    close = s.close
    let renewed = 0
    const result = await uploadFile({
      ...fast,
      file,
      size: data.length,
      target: { uploadUrl: `${s.url}/old`, path: 'old-path' },
      renewTarget: async () => {
        renewed++
        return { uploadUrl: `${s.url}/new`, path: 'new-path' }
      }
    })
    expect(renewed).toBe(1)
    expect(result).toMatchObject({ path: 'new-path', renewals: 1 })
    expect(s.seen.map((x) => x.url)).toEqual(['/old', '/new'])
  })

  it('fails with upload-expired when no fresh URL can be had', async () => {
    const s = await storage(() => 403)
    close = s.close
    const error = await uploadFile({
      ...fast,
      file,
      size: data.length,
      target: { uploadUrl: `${s.url}/x?sig=secret`, path: 'p' }
    }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(PrintagoError)
    expect((error as PrintagoError).code).toBe('upload-expired')
    expect((error as PrintagoError).message).not.toContain('secret')
  })

  it('does not retry a 413', async () => {
    const s = await storage(() => 413)
    close = s.close
    const error = (await uploadFile({
      ...fast,
      file,
      size: data.length,
      target: { uploadUrl: `${s.url}/x`, path: 'p' }
    }).catch((e: unknown) => e)) as PrintagoError
    expect(error.status).toBe(413)
    expect(s.seen).toHaveLength(1)
  })

  it('refuses a file that changed size since hashing', async () => {
    const s = await storage(() => 'ok')
    close = s.close
    const error = (await uploadFile({
      file,
      size: data.length + 1,
      target: { uploadUrl: `${s.url}/x`, path: 'p' }
    }).catch((e: unknown) => e)) as PrintagoError
    expect(error.code).toBe('file')
    expect(s.seen).toHaveLength(0)
  })

  it('checks the bytes it sends against the recorded hash', async () => {
    const s = await storage(() => 'ok')
    close = s.close
    await uploadFile({
      file,
      size: data.length,
      sha256: sha(),
      target: { uploadUrl: `${s.url}/x`, path: 'p' },
      chunkSize: 4096
    })
    expect(s.seen[0]).toMatchObject({ bytes: data.length, sha256: sha() })
  })

  it('a file edited since it was hashed, or while it is sent, is never stored complete', async () => {
    const s = await storage(() => 'ok')
    close = s.close
    const recorded = sha()
    // Edited before the upload, same size: only the hash can tell.
    const edited = Buffer.from(data)
    edited[150_000] = edited[150_000]! ^ 0xff
    await writeFile(file, edited)
    const before = (await uploadFile({
      ...fast,
      file,
      size: data.length,
      sha256: recorded,
      target: { uploadUrl: `${s.url}/x`, path: 'p' }
    }).catch((e: unknown) => e)) as PrintagoError
    expect(before).toMatchObject({
      code: 'file',
      message: expect.stringContaining('the file changed while it was being sent')
    })
    // Edited while the bytes are on their way.
    await writeFile(file, data)
    let touched = false
    const during = (await uploadFile({
      ...fast,
      file,
      size: data.length,
      sha256: recorded,
      chunkSize: 1000,
      target: { uploadUrl: `${s.url}/x`, path: 'p' },
      onProgress: (p) => {
        if (p.bytesDone > 0 && !touched) {
          touched = true
          writeFileSync(file, edited)
        }
      }
    }).catch((e: unknown) => e)) as PrintagoError
    expect(touched).toBe(true)
    expect(during.code).toBe('file')
    // Storage never received a whole body: every request was cut short of its Content-Length.
    expect(s.seen).toHaveLength(0)
  })

  it('can be cancelled mid-upload', async () => {
    const server = http.createServer((req) => req.pause())
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
    close = () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      })
    const big = join(dir, 'big.stl')
    await writeFile(big, Buffer.alloc(8 * 1024 * 1024))
    const controller = new AbortController()
    const promise = uploadFile({
      file: big,
      size: 8 * 1024 * 1024,
      target: {
        uploadUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/x`,
        path: 'p'
      },
      signal: controller.signal,
      onProgress: (p) => {
        if (p.bytesDone > 0) controller.abort()
      }
    })
    await expect(promise).rejects.toMatchObject({ code: 'cancelled' })
  })
})
