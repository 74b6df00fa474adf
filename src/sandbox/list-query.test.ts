// Printago's list conventions, as a unit and over HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Part, PartBuild, Printer, PrintJob } from '../shared/printago/api-types'
import { applyListQuery } from './list-query'
import {
  build,
  call,
  expectConforms,
  makePart,
  PRINTER,
  sandbox,
  sha256
} from './testing/test-utils'
import type { RunningSandbox } from './types'

const rows = [
  {
    id: 'a',
    name: 'Alpha',
    n: 3,
    ok: true,
    tags: ['PLA', 'RackA'],
    at: '2026-01-01T00:00:00.000Z',
    x: null
  },
  {
    id: 'b',
    name: 'beta',
    n: 10,
    ok: false,
    tags: ['PETG'],
    at: '2026-02-01T00:00:00.000Z',
    x: 'set'
  },
  { id: 'c', name: 'Gamma', n: 7, ok: true, tags: [], at: '2026-03-01T00:00:00.000Z', x: null }
]
const FIELDS = ['id', 'name', 'n', 'ok', 'tags', 'at', 'x', 'createdAt']
const ids = (q: string): string[] =>
  (applyListQuery(rows, new URLSearchParams(q), FIELDS) as { id: string }[]).map((r) => r.id)

describe('applyListQuery', () => {
  it('filters by equality, booleans, numbers, arrays and null', () => {
    expect(ids('sort=id&name=beta')).toEqual(['b'])
    expect(ids('sort=id&ok=true')).toEqual(['a', 'c'])
    expect(ids('sort=id&n=7')).toEqual(['c'])
    expect(ids('sort=id&tags=PLA')).toEqual(['a'])
    expect(ids('sort=id&tags=pla')).toEqual([])
    expect(ids('sort=id&x=null')).toEqual(['a', 'c'])
    expect(ids('sort=id&unknownParam=1')).toEqual(['a', 'b', 'c'])
  })

  it('supports every operator', () => {
    expect(ids('sort=id&name.eq=Alpha')).toEqual(['a'])
    expect(ids('sort=id&name.ne=Alpha')).toEqual(['b', 'c'])
    expect(ids('sort=id&name.contains=MM')).toEqual(['c'])
    expect(ids('sort=id&name.startsWith=B')).toEqual(['b'])
    expect(ids('sort=id&name.endsWith=A')).toEqual(['a', 'b', 'c'])
    expect(ids('sort=id&n.gt=3')).toEqual(['b', 'c'])
    expect(ids('sort=id&n.gte=7')).toEqual(['b', 'c'])
    expect(ids('sort=id&n.lt=7')).toEqual(['a'])
    expect(ids('sort=id&n.lte=7')).toEqual(['a', 'c'])
    expect(ids('sort=id&n.between=4,10')).toEqual(['b', 'c'])
    expect(ids('sort=id&at.between=2026-01-15T00:00:00Z,2026-02-15T00:00:00Z')).toEqual(['b'])
    expect(ids('sort=id&at.gt=2026-02-01T00:00:00.000Z')).toEqual(['c'])
    expect(ids('sort=id&id.in=a,c,z')).toEqual(['a', 'c'])
    expect(ids('sort=id&id.notIn=a,c')).toEqual(['b'])
    expect(ids('sort=id&x.isNull=true')).toEqual(['a', 'c'])
    expect(ids('sort=id&x.isNull=false')).toEqual(['b'])
    expect(ids('sort=id&tags.contains=rack')).toEqual(['a'])
    expect(ids('sort=id&ok=true&n.gt=5')).toEqual(['c'])
  })

  it('sorts, pages, projects and wraps in meta', () => {
    expect(ids('sort=n:desc')).toEqual(['b', 'c', 'a'])
    expect(ids('sort=ok:desc,n:asc')).toEqual(['a', 'c', 'b'])
    expect(ids('sort=n&limit=1&offset=1')).toEqual(['c'])
    expect(
      applyListQuery(rows, new URLSearchParams('sort=id&fields=id,n,nope&limit=1'), FIELDS)
    ).toEqual([{ id: 'a', n: 3 }])
    const env = applyListQuery(rows, new URLSearchParams('meta=true&limit=2&sort=id'), FIELDS)
    expect(env).toMatchObject({
      data: [{ id: 'a' }, { id: 'b' }],
      meta: {
        total: 3,
        count: 2,
        offset: 0,
        limit: 2,
        hasMore: true,
        executionTime: expect.any(Number)
      }
    })
    const last = applyListQuery(rows, new URLSearchParams('meta=true&offset=2&hints=true'), FIELDS)
    expect(last).toMatchObject({
      meta: { total: 3, count: 1, limit: 100, hasMore: false },
      hints: []
    })
  })

  it('rejects malformed paging/sort/operators with 400', () => {
    for (const q of [
      'limit=0',
      'limit=1001',
      'limit=2.5',
      'offset=-1',
      'meta=yes',
      'sort=n:up',
      'n.between=1',
      'x.isNull=maybe'
    ]) {
      expect(() => ids(q), q).toThrow()
    }
  })
})

describe('list conventions over HTTP', () => {
  let sb: RunningSandbox
  let parts: Part[]
  let builds: PartBuild[]

  beforeAll(async () => {
    sb = await sandbox()
    parts = [
      await makePart(sb, 'alpha', 'A bytes'),
      await makePart(sb, 'Beta', 'B bytes'),
      await makePart(sb, 'gamma', 'C')
    ]
    builds = [
      await build(sb, parts[0]!.id, { quantity: 2 }),
      await build(sb, parts[1]!.id, { quantity: 1, tags: { 'printer.id': `=${PRINTER.h2d}` } })
    ]
  })
  afterAll(() => sb.close())

  it('bare arrays by default, newest first; meta envelope on request', async () => {
    const bare = await call<Part[]>(sb, 'GET', '/v1/parts')
    expect(bare.json.map((p) => p.name)).toEqual(['gamma', 'Beta', 'alpha'])
    const env = await call<{ data: Part[]; meta: { total: number; hasMore: boolean } }>(
      sb,
      'GET',
      '/v1/parts?meta=true&limit=2&sort=name:asc'
    )
    expectConforms('GET', '/v1/parts', 200, env.json)
    expect(env.json.meta).toMatchObject({ total: 3, count: 2, hasMore: true, limit: 2, offset: 0 })
    expect(env.json.data.map((p) => p.name)).toEqual(['alpha', 'Beta'])
  })

  it('finds a part by fileHashes=<sha256> (array contains)', async () => {
    const r = await call<Part[]>(
      sb,
      'GET',
      `/v1/parts?fileHashes=${sha256('B bytes')}&fields=id,name,fileHashes`
    )
    expect(r.json).toEqual([{ id: parts[1]!.id, name: 'Beta', fileHashes: [sha256('B bytes')] }])
    expect((await call<Part[]>(sb, 'GET', `/v1/parts?fileHashes=${'0'.repeat(64)}`)).json).toEqual(
      []
    )
  })

  it('filters jobs by partBuildId, status, status.in and paginates', async () => {
    const byBuild = await call<PrintJob[]>(
      sb,
      'GET',
      `/v1/print-jobs?partBuildId=${builds[0]!.id}&sort=quantityIndex:asc`
    )
    expect(byBuild.json.map((j) => j.quantityIndex)).toEqual([1, 2])
    sb.tick()
    const pending = await call<PrintJob[]>(sb, 'GET', '/v1/print-jobs?status=pending')
    const assigned = await call<PrintJob[]>(sb, 'GET', '/v1/print-jobs?status.in=assigned,printing')
    expect(pending.json.length + assigned.json.length).toBe(3)
    expect(assigned.json.every((j) => j.assignedPrinterId !== null)).toBe(true)
    const page = await call<PrintJob[]>(
      sb,
      'GET',
      '/v1/print-jobs?sort=queueOrder:asc&limit=1&offset=2'
    )
    expect(page.json).toHaveLength(1)
    const unassigned = await call<PrintJob[]>(
      sb,
      'GET',
      '/v1/print-jobs?assignedPrinterId.isNull=true'
    )
    expect(unassigned.json.map((j) => j.id).sort()).toEqual(pending.json.map((j) => j.id).sort())
  })

  it('filters printers by booleans, tags and name text ops; projects fields', async () => {
    const offline = await call<Printer[]>(sb, 'GET', '/v1/printers?isOnline=false&fields=id,name')
    expect(offline.json).toEqual([{ id: PRINTER.mk4, name: 'Prusa MK4' }])
    const big = await call<Printer[]>(sb, 'GET', '/v1/printers?tags=Big&sort=name:asc&fields=name')
    expect(big.json).toEqual([{ name: 'H2D' }, { name: 'Voron 2.4 350' }])
    const p1s = await call<Printer[]>(sb, 'GET', '/v1/printers?name.startsWith=p1s&sort=name')
    expect(p1s.json.map((p) => p.name)).toEqual(['P1S #1', 'P1S #2'])
    const builds2 = await call<PartBuild[]>(sb, 'GET', `/v1/part-builds?partId=${parts[1]!.id}`)
    expect(builds2.json.map((b) => b.id)).toEqual([builds[1]!.id])
  })
})
