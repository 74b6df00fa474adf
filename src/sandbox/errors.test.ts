// Error paths: auth, permissions, body validation, unknown routes/ids, oversized and garbage input.
import { request } from 'node:http'
import { connect } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, makePart, sandbox } from './testing/test-utils'
import type { RunningSandbox } from './types'

let sb: RunningSandbox
let partId: string

beforeAll(async () => {
  sb = await sandbox()
  partId = (await makePart(sb, 'errs')).id
})
afterAll(() => sb.close())

const UNAUTHORIZED = { statusCode: 401, message: 'Unauthorized' }

describe('authentication', () => {
  it('401 without authorization, without store id, with Bearer, wrong store or wrong key', async () => {
    const cases = [
      { key: null },
      { store: null },
      { headers: { authorization: `Bearer ${sb.apiKey}` } },
      { store: 'a'.repeat(24) },
      { key: 'b'.repeat(72) },
      { headers: { authorization: 'ApiKey' } }
    ]
    for (const opts of cases) {
      const r = await call(sb, 'GET', '/v1/printers', undefined, opts)
      expect(r.status, JSON.stringify(opts)).toBe(401)
      expect(r.json).toEqual(UNAUTHORIZED)
    }
  })

  it('accepts header names in any case', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(sb.url + '/v1/stores', {
        headers: { AUTHORIZATION: `ApiKey ${sb.apiKey}`, 'X-Printago-StoreId': sb.storeId }
      })
      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode ?? 0)
      })
      req.on('error', reject)
      req.end()
    })
    expect(status).toBe(200)
  })

  it('403 NestJS-shaped for the limited key on queue.manage only', async () => {
    const opts = { key: sb.limitedApiKey }
    for (const op of ['cancel', 'retry']) {
      const r = await call(sb, 'PATCH', `/v1/print-jobs/${op}`, { printJobIds: [] }, opts)
      expect(r.status).toBe(403)
      expect(r.json).toEqual({ statusCode: 403, message: 'Forbidden resource', error: 'Forbidden' })
    }
    expect((await call(sb, 'GET', '/v1/print-jobs', undefined, opts)).status).toBe(200)
    const b = await call(sb, 'POST', '/v2/builds', { parts: [{ partId, quantity: 1 }] }, opts)
    expect(b.status).toBe(201)
  })
})

describe('body validation (Nestia shapes)', () => {
  it('400 for a non-JSON content type', async () => {
    const r = await call(sb, 'POST', '/v2/builds', undefined, {
      raw: 'parts=1',
      headers: { 'content-type': 'multipart/form-data; boundary=x' }
    })
    expect(r.status).toBe(400)
    expect(r.json).toEqual({
      statusCode: 400,
      message: 'Request body type is not "application/json".'
    })
    const none = await call(sb, 'POST', '/v1/parts', undefined, { raw: '{}' })
    expect(none.status).toBe(400)
  })

  it('400 for malformed JSON, never a crash', async () => {
    for (const raw of ['{bad', '', 'nul', '{"a":', '\u0000\u0001']) {
      const r = await call(sb, 'POST', '/v2/builds', undefined, {
        raw,
        headers: { 'content-type': 'application/json; charset=utf-8' }
      })
      expect(r.status).toBe(400)
      expect(r.json).toMatchObject({ statusCode: 400, error: 'Bad Request' })
    }
  })

  it('400 with $input path, expected and value for schema violations', async () => {
    const r = await call(sb, 'POST', '/v2/builds', { parts: [{ partId, quantity: 501 }] })
    expect(r.status).toBe(400)
    expect(r.json).toEqual({
      statusCode: 400,
      message: 'Request body data is not following the promised type.',
      path: '$input.parts[0].quantity',
      reason: expect.stringContaining('$input.parts[0].quantity'),
      expected: '(number & Minimum<0> & Maximum<500>)',
      value: 501
    })
    const missing = await call(sb, 'POST', '/v1/parts', {
      name: 'x',
      type: 'stl',
      fileUris: ['p'],
      parameters: [],
      printTags: {},
      overriddenProcessProfileId: null
    })
    expect(missing.json).toMatchObject({ path: '$input.description', expected: 'string' })
    const badType = await call(sb, 'POST', '/v1/parts', {
      name: 'x',
      description: '',
      type: 'obj',
      fileUris: ['p'],
      parameters: [],
      printTags: {},
      overriddenProcessProfileId: null
    })
    expect(badType.json).toMatchObject({ path: '$input.type', value: 'obj' })
    const notObject = await call(sb, 'POST', '/v2/builds', [1, 2])
    expect(notObject.json).toMatchObject({ path: '$input', expected: 'BuildConfigV2' })
    const priority = await call(sb, 'POST', '/v2/builds', { parts: [{ partId, priority: 5 }] })
    expect(priority.json).toMatchObject({
      path: '$input.parts[0].priority',
      expected: '(100 | 1000)'
    })
  })

  it('validates routing tags: known keys, non-empty string values', async () => {
    const unknown = await call(sb, 'POST', '/v2/builds', {
      parts: [{ partId, tags: { 'printer.color': '=red' } }]
    })
    expect(unknown.status).toBe(400)
    expect(unknown.json).toMatchObject({ path: '$input.parts[0].tags["printer.color"]' })
    const empty = await call(sb, 'POST', '/v2/builds', {
      parts: [{ partId, tags: { 'user.tags': '' } }]
    })
    expect(empty.status).toBe(400)
    expect(empty.json).toMatchObject({ path: '$input.parts[0].tags["user.tags"]' })
    const nonString = await call(sb, 'POST', '/v1/builds', {
      parts: [{ partId, quantity: 1, tags: { 'printer.id': 5 } }]
    })
    expect(nonString.status).toBe(400)
    const printTags = await call(sb, 'POST', '/v1/parts', {
      name: 'x',
      description: '',
      type: 'stl',
      fileUris: ['p'],
      parameters: [],
      printTags: { color: 'red' },
      overriddenProcessProfileId: null
    })
    expect(printTags.json).toMatchObject({ path: '$input.printTags.color' })
  })

  it('400 (not 500) for absurdly deep JSON, echoing no monster value', async () => {
    const deep =
      '{"parts":[{"partId":"' +
      'a'.repeat(24) +
      '","materials":{"0":' +
      '['.repeat(50_000) +
      ']'.repeat(50_000) +
      '}}]}'
    const r = await call(sb, 'POST', '/v2/builds', undefined, {
      raw: deep,
      headers: { 'content-type': 'application/json' }
    })
    expect(r.status).toBe(400)
    expect(r.json).toMatchObject({
      path: '$input.parts[0].materials["0"][0]',
      value: '[array omitted]'
    })
  })

  it('cancel/retry require printJobIds', async () => {
    for (const body of [{ ids: ['x'] }, { printJobId: 'x' }, { printJobIds: 'x' }]) {
      const r = await call(sb, 'PATCH', '/v1/print-jobs/cancel', body)
      expect(r.status).toBe(400)
      expect(r.json).toMatchObject({
        message: 'Request body data is not following the promised type.'
      })
    }
  })

  it('413 for JSON bodies over 1 MiB', async () => {
    const big = JSON.stringify({ filenames: ['x'.repeat(1024)], pad: 'y'.repeat(1_100_000) })
    const r = await call(sb, 'POST', '/v1/storage/signed-upload-urls', undefined, {
      raw: big,
      headers: { 'content-type': 'application/json' }
    })
    expect(r.status).toBe(413)
    expect((await call(sb, 'GET', '/v1/stores')).status).toBe(200)
  })
})

describe('not found', () => {
  it('404 NestJS-shaped for unknown routes and methods, before auth', async () => {
    const r = await call(sb, 'GET', '/v1/nope', undefined, { key: null })
    expect(r.status).toBe(404)
    expect(r.json).toEqual({ statusCode: 404, message: 'Cannot GET /v1/nope', error: 'Not Found' })
    const m = await call(sb, 'PUT', '/v1/printers')
    expect(m.json).toEqual({
      statusCode: 404,
      message: 'Cannot PUT /v1/printers',
      error: 'Not Found'
    })
    expect((await call(sb, 'POST', '/v1/files/upload', {})).status).toBe(404)
  })

  it('404 for unknown ids; GET part-builds/{id} answers 200 with an empty body', async () => {
    const id = 'z'.repeat(24)
    for (const path of [
      `/v1/parts/${id}`,
      `/v1/printers/${id}`,
      `/v1/print-jobs/${id}`,
      `/v1/print-jobs/${id}/matching-troubleshoot`
    ]) {
      const r = await call(sb, 'GET', path)
      expect(r.status, path).toBe(404)
      expect(r.json).toMatchObject({
        statusCode: 404,
        message: expect.stringContaining('not found'),
        error: 'Not Found'
      })
    }
    const pb = await call(sb, 'GET', `/v1/part-builds/${id}`)
    expect(pb.status).toBe(200)
    expect(pb.text).toBe('')
  })

  it('404 for a build of an unknown or deleted part, creating nothing', async () => {
    const before = sb.state.partBuilds.size
    const r = await call(sb, 'POST', '/v2/builds', {
      parts: [{ partId }, { partId: 'q'.repeat(24) }]
    })
    expect(r.status).toBe(404)
    expect(r.json).toEqual({
      statusCode: 404,
      message: `Part ${'q'.repeat(24)} not found`,
      error: 'Not Found'
    })
    expect(sb.state.partBuilds.size).toBe(before)

    const gone = await makePart(sb, 'gone')
    const del = await call(sb, 'DELETE', `/v1/parts/${gone.id}`)
    expect(del.status).toBe(200)
    expect(del.json).toEqual([gone.id])
    expect((await call(sb, 'GET', `/v1/parts/${gone.id}`)).status).toBe(404)
    expect((await call(sb, 'POST', '/v2/builds', { parts: [{ partId: gone.id }] })).status).toBe(
      404
    )
    expect((await call(sb, 'DELETE', `/v1/parts/${gone.id}`)).status).toBe(404)
  })

  it('400 when fileUris[0] was never uploaded', async () => {
    const r = await call(sb, 'POST', '/v1/parts', {
      name: 'ghost',
      description: '',
      type: 'stl',
      fileUris: [`${sb.storeId}/uploads/nothing/ghost.stl`],
      parameters: [],
      printTags: {},
      overriddenProcessProfileId: null
    })
    expect(r.status).toBe(400)
    expect(r.json).toMatchObject({ statusCode: 400, error: 'Bad Request' })
  })
})

describe('robustness', () => {
  it('survives garbage paths, queries and raw HTTP', async () => {
    const paths = [
      '/v1/parts?limit=abc',
      '/v1/parts?limit=0',
      '/v1/parts?limit=1001',
      '/v1/parts?offset=-1',
      '/v1/parts?meta=maybe',
      '/v1/parts?sort=name:sideways',
      '/v1/parts?createdAt.between=1',
      '/v1/parts?name.isNull=perhaps',
      '/v1/parts?%zz=%zz&&&==',
      '/v1/parts/%E0%A4%A',
      '/%00/..//v1',
      '/v1/print-jobs/' + 'x'.repeat(5000)
    ]
    for (const p of paths) {
      const r = await call(sb, 'GET', p)
      expect([200, 400, 404], p).toContain(r.status)
    }
    expect((await call(sb, 'GET', '/v1/parts?limit=abc')).json).toMatchObject({
      statusCode: 400,
      message: 'Request query data is not following the promised type.',
      path: '$input.limit'
    })
    const raw = await new Promise<string>((resolve) => {
      const socket = connect(sb.port, '127.0.0.1', () =>
        socket.write('GARBAGE /\u0000 HTTP/9\r\n\r\n')
      )
      let out = ''
      socket.on('data', (d) => (out += d.toString()))
      socket.on('close', () => resolve(out))
      socket.on('error', () => resolve(out))
    })
    expect(raw).toContain('400')
    expect((await call(sb, 'GET', '/v1/stores')).status).toBe(200)
  })
})
