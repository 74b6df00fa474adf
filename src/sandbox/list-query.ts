// Printago's list conventions for GET collections: equality and `field.op=` filters, sort, paging,
// projection, and the optional `{data, meta}` envelope.
import { HttpError, nestError } from './http'
import { QUERY_INVALID_MESSAGE } from './validation'

const RESERVED = new Set(['sort', 'limit', 'offset', 'fields', 'include', 'meta', 'hints'])
const OPS = new Set([
  'eq',
  'ne',
  'contains',
  'startsWith',
  'endsWith',
  'gt',
  'gte',
  'lt',
  'lte',
  'between',
  'in',
  'notIn',
  'isNull'
])
export const DEFAULT_LIMIT = 100
export const MAX_LIMIT = 1000

type Row = Record<string, unknown>
type Predicate = (row: Row) => boolean

/** A list response: bare array, or the `meta=true` envelope. */
export type ListResult =
  | Row[]
  | {
      data: Row[]
      meta: {
        total: number
        count: number
        offset: number
        limit: number
        hasMore: boolean
        executionTime: number
      }
      hints?: unknown[]
    }

function queryError(key: string, expected: string, value: unknown): HttpError {
  const path = /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)
    ? `$input.${key}`
    : `$input[${JSON.stringify(key)}]`
  return new HttpError(400, {
    statusCode: 400,
    message: QUERY_INVALID_MESSAGE,
    path,
    reason: `Error on typia.http.assertQuery(): invalid type on ${path}, expect to be ${expected}`,
    expected,
    value
  })
}

function parseIntParam(
  q: URLSearchParams,
  key: string,
  min: number,
  max: number,
  def: number
): number {
  const raw = q.get(key)
  if (raw === null) return def
  const n = Number(raw)
  if (raw.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
    const range = max === Infinity ? `Minimum<${min}>` : `Minimum<${min}> & Maximum<${max}>`
    throw queryError(key, `(number & ${range})`, raw)
  }
  return n
}

function parseBool(q: URLSearchParams, key: string): boolean {
  const raw = q.get(key)
  if (raw === null) return false
  if (raw === 'true' || raw === '1') return true
  if (raw === 'false' || raw === '0') return false
  throw queryError(key, 'boolean', raw)
}

const asDate = (v: unknown): number =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? Date.parse(v) : NaN

/** Compares a field value with a query operand: numbers, then dates, then text. */
function compare(value: unknown, operand: string): number | null {
  if (value === null || value === undefined) return null
  if (typeof value === 'number') {
    const n = Number(operand)
    return Number.isNaN(n) ? null : value - n
  }
  const dv = asDate(value)
  const dq = asDate(operand)
  if (!Number.isNaN(dv) && !Number.isNaN(dq)) return dv - dq
  return String(value).localeCompare(operand)
}

/** Equality of a stored scalar with its query-string spelling. */
function equalsScalar(value: unknown, operand: string): boolean {
  if (value === null || value === undefined) return operand === 'null'
  if (typeof value === 'boolean') return String(value) === operand
  if (typeof value === 'number') return operand.trim() !== '' && Number(operand) === value
  if (typeof value === 'string') return value === operand
  return JSON.stringify(value) === operand
}

const lower = (v: unknown): string =>
  (typeof v === 'string' ? v : (JSON.stringify(v) ?? '')).toLowerCase()

/** Array fields (fileHashes, tags) match when any element matches. */
function any(value: unknown, test: (v: unknown) => boolean): boolean {
  return Array.isArray(value) ? value.some(test) : test(value)
}

function predicate(field: string, op: string, operand: string, rawKey: string): Predicate {
  const list = operand.split(',').map((s) => s.trim())
  switch (op) {
    case 'eq':
      return (r) => any(r[field], (v) => equalsScalar(v, operand))
    case 'ne':
      return (r) => !any(r[field], (v) => equalsScalar(v, operand))
    case 'contains':
      return (r) => any(r[field], (v) => v != null && lower(v).includes(operand.toLowerCase()))
    case 'startsWith':
      return (r) => any(r[field], (v) => v != null && lower(v).startsWith(operand.toLowerCase()))
    case 'endsWith':
      return (r) => any(r[field], (v) => v != null && lower(v).endsWith(operand.toLowerCase()))
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return (r) =>
        any(r[field], (v) => {
          const c = compare(v, operand)
          if (c === null) return false
          return op === 'gt' ? c > 0 : op === 'gte' ? c >= 0 : op === 'lt' ? c < 0 : c <= 0
        })
    case 'between': {
      const [lo, hi] = list
      if (list.length !== 2 || lo === undefined || hi === undefined) {
        throw queryError(rawKey, 'string (two comma-separated values)', operand)
      }
      return (r) =>
        any(r[field], (v) => {
          const a = compare(v, lo)
          const b = compare(v, hi)
          return a !== null && b !== null && a >= 0 && b <= 0
        })
    }
    case 'in':
      return (r) => any(r[field], (v) => list.some((x) => equalsScalar(v, x)))
    case 'notIn':
      return (r) => !any(r[field], (v) => list.some((x) => equalsScalar(v, x)))
    case 'isNull': {
      if (operand !== 'true' && operand !== 'false') throw queryError(rawKey, 'boolean', operand)
      const want = operand === 'true'
      return (r) => (r[field] === null || r[field] === undefined) === want
    }
    default:
      throw nestError(400, `Unknown filter operator "${op}"`)
  }
}

export function sorter(spec: string | null): (a: Row, b: Row) => number {
  const keys = (spec ?? 'createdAt:desc')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => {
      const [field = '', dir = 'asc'] = s.split(':')
      const d = dir.toLowerCase()
      if (d !== 'asc' && d !== 'desc')
        throw queryError('sort', 'string ("field:asc,field2:desc")', spec)
      return { field, sign: d === 'desc' ? -1 : 1 }
    })
  return (a, b) => {
    for (const { field, sign } of keys) {
      const x = a[field]
      const y = b[field]
      if (x === y) continue
      // Nulls sort last whatever the direction, like Postgres' NULLS LAST default for asc.
      if (x === null || x === undefined) return 1
      if (y === null || y === undefined) return -1
      const c =
        typeof x === 'number' && typeof y === 'number'
          ? x - y
          : String(typeof x === 'object' ? JSON.stringify(x) : x).localeCompare(
              String(typeof y === 'object' ? JSON.stringify(y) : y)
            )
      if (c !== 0) return c * sign
    }
    return 0
  }
}

/** Applies the list conventions to `rows` (entities of one type whose filterable keys are `fields`). */
export function applyListQuery(
  rows: Row[],
  query: URLSearchParams,
  fields: readonly string[]
): ListResult {
  const started = performance.now()
  const known = new Set(fields)
  const limit = parseIntParam(query, 'limit', 1, MAX_LIMIT, DEFAULT_LIMIT)
  const offset = parseIntParam(query, 'offset', 0, Infinity, 0)
  const hints = parseBool(query, 'hints')
  const meta = parseBool(query, 'meta') || hints
  const predicates: Predicate[] = []
  for (const [key, value] of query) {
    if (RESERVED.has(key)) continue
    if (known.has(key)) {
      predicates.push(predicate(key, 'eq', value, key))
      continue
    }
    const dot = key.lastIndexOf('.')
    const field = key.slice(0, dot)
    const op = key.slice(dot + 1)
    // Unknown parameters are ignored, as Nestia's query decoding ignores extra properties.
    if (dot > 0 && known.has(field) && OPS.has(op))
      predicates.push(predicate(field, op, value, key))
  }
  const projection = query
    .get('fields')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const matched = rows.filter((r) => predicates.every((p) => p(r)))
  return finishList(matched, {
    sort: query.get('sort'),
    limit,
    offset,
    projection,
    meta,
    hints,
    started
  })
}

/** How a filtered list is sorted, paged, projected and wrapped. */
export interface ListShape {
  sort: string | null | undefined
  limit: number
  offset: number
  projection: string[] | undefined
  meta: boolean
  hints: boolean
  /** performance.now() when the query started (for meta.executionTime). */
  started: number
}

/** Sorts, pages and projects matched rows; wraps them in `{data, meta}` when asked. */
export function finishList(matched: Row[], shape: ListShape): ListResult {
  const sorted = [...matched].sort(sorter(shape.sort ?? null))
  let page = sorted.slice(shape.offset, shape.offset + shape.limit)
  const projection = shape.projection
  if (projection?.length) {
    page = page.map((r) =>
      Object.fromEntries(projection.filter((f) => f in r).map((f) => [f, r[f]]))
    )
  }
  if (!shape.meta && !shape.hints) return page
  const result: ListResult = {
    data: page,
    meta: {
      total: matched.length,
      count: page.length,
      offset: shape.offset,
      limit: shape.limit,
      hasMore: shape.offset + page.length < matched.length,
      executionTime: Math.round((performance.now() - shape.started) * 1000) / 1000
    }
  }
  if (shape.hints) result.hints = []
  return result
}
