// `POST /v1/<entity>/search`: a filter tree (`and`/`or` of `{field: {op: value}}`) over one entity
// type, then the list conventions (sort, paging, projection), always answered as `{data, meta}`.
// The spec's `filter` is `oneOf [LogicalCondition, FieldCondition]`, which plain JSON Schema cannot
// tell apart (both accept any object), so the tree is checked here, with Nestia-shaped errors.
import { HttpError } from './http'
import { finishList, type ListResult } from './list-query'
import { openapi } from './spec'
import { BODY_INVALID_MESSAGE, nestiaError } from './validation'

type Row = Record<string, unknown>
type Test = (row: Row) => boolean

/** The search body schema of an entity with `filter` loosened to "an object" (checked below). */
export function searchBodySchema(dto: string): Record<string, unknown> {
  const schema = structuredClone(openapi.components.schemas[dto] ?? {})
  const props = (schema.properties ?? {}) as Record<string, unknown>
  props.filter = { type: 'object' }
  return { ...schema, properties: props }
}

interface SearchBody {
  filter?: Record<string, unknown>
  sort?: string
  limit?: number
  offset?: number
  fields?: string
  meta?: boolean
  hints?: boolean
}

const OPERATORS = new Set([
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'contains',
  'startsWith',
  'endsWith',
  'in',
  'notIn',
  'isNull',
  'between'
])

function invalid(
  body: unknown,
  segments: string[],
  expected: string,
  superfluous = false
): HttpError {
  return new HttpError(
    400,
    nestiaError(BODY_INVALID_MESSAGE, body, segments, expected, superfluous)
  )
}

const num = (v: unknown): number =>
  typeof v === 'number'
    ? v
    : typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v)
      ? Date.parse(v)
      : NaN

function equal(value: unknown, operand: unknown): boolean {
  if (Array.isArray(value)) return value.some((v) => equal(v, operand))
  if (value === null || value === undefined) return operand === null
  if (typeof value === 'object') return JSON.stringify(value) === JSON.stringify(operand)
  return value === operand
}

function text(value: unknown, operand: string, how: (v: string, o: string) => boolean): boolean {
  const values = Array.isArray(value) ? value : [value]
  return values.some((v) => typeof v === 'string' && how(v.toLowerCase(), operand.toLowerCase()))
}

/** One `{op: operand}` on a field. */
function fieldTest(
  field: string,
  op: string,
  operand: unknown,
  fail: (e: string) => HttpError
): Test {
  const order = (pass: (c: number) => boolean): Test => {
    const o = num(operand)
    if (Number.isNaN(o)) throw fail('(string & Format<"date-time"> | number)')
    return (r) => {
      const v = num(r[field])
      return !Number.isNaN(v) && pass(v - o)
    }
  }
  switch (op) {
    case 'eq':
      return (r) => equal(r[field], operand)
    case 'ne':
      return (r) => !equal(r[field], operand)
    case 'gt':
      return order((c) => c > 0)
    case 'gte':
      return order((c) => c >= 0)
    case 'lt':
      return order((c) => c < 0)
    case 'lte':
      return order((c) => c <= 0)
    case 'contains':
    case 'startsWith':
    case 'endsWith': {
      if (typeof operand !== 'string') throw fail('string')
      const how =
        op === 'contains'
          ? (v: string, o: string) => v.includes(o)
          : op === 'startsWith'
            ? (v: string, o: string) => v.startsWith(o)
            : (v: string, o: string) => v.endsWith(o)
      return (r) => text(r[field], operand, how)
    }
    case 'in':
    case 'notIn': {
      if (!Array.isArray(operand)) throw fail('Array<any>')
      const hit = (r: Row): boolean => operand.some((o) => equal(r[field], o))
      return op === 'in' ? hit : (r) => !hit(r)
    }
    case 'isNull':
      if (typeof operand !== 'boolean') throw fail('boolean')
      return (r) => (r[field] === null || r[field] === undefined) === operand
    default: {
      if (!Array.isArray(operand) || operand.length !== 2) throw fail('[from, to]')
      const lo = num(operand[0])
      const hi = num(operand[1])
      if (Number.isNaN(lo) || Number.isNaN(hi)) throw fail('[from, to]')
      return (r) => {
        const v = num(r[field])
        return !Number.isNaN(v) && v >= lo && v <= hi
      }
    }
  }
}

/** Compiles a filter object; every key must be `and`, `or` or a field of the entity. */
function compile(node: unknown, path: string[], fields: Set<string>, body: unknown): Test {
  if (!node || typeof node !== 'object' || Array.isArray(node)) throw invalid(body, path, 'object')
  const tests: Test[] = []
  for (const [key, value] of Object.entries(node)) {
    const at = [...path, key]
    if (key === 'and' || key === 'or') {
      if (!Array.isArray(value)) throw invalid(body, at, 'Array<Condition>')
      const parts = value.map((v, i) => compile(v, [...at, String(i)], fields, body))
      tests.push(key === 'and' ? (r) => parts.every((t) => t(r)) : (r) => parts.some((t) => t(r)))
      continue
    }
    if (!fields.has(key)) throw invalid(body, at, 'undefined', true)
    if (!value || typeof value !== 'object' || Array.isArray(value))
      throw invalid(body, at, 'FieldOperators')
    for (const [op, operand] of Object.entries(value)) {
      if (!OPERATORS.has(op)) throw invalid(body, [...at, op], 'undefined', true)
      tests.push(fieldTest(key, op, operand, (e) => invalid(body, [...at, op], e)))
    }
  }
  return (r) => tests.every((t) => t(r))
}

/** Runs a search body (already schema-checked) over `rows` whose filterable keys are `fields`. */
export function search(rows: Row[], input: unknown, fields: readonly string[]): ListResult {
  const started = performance.now()
  const body = (input ?? {}) as SearchBody
  const test = body.filter ? compile(body.filter, ['filter'], new Set(fields), input) : () => true
  if (
    body.sort !== undefined &&
    !/^\s*[\w.]+(:(asc|desc))?\s*(,\s*[\w.]+(:(asc|desc))?\s*)*$/i.test(body.sort)
  ) {
    throw invalid(input, ['sort'], 'string ("field:asc,field2:desc")')
  }
  return finishList(rows.filter(test), {
    sort: body.sort,
    limit: body.limit ?? 100,
    offset: body.offset ?? 0,
    projection: body.fields
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    meta: true,
    hints: body.hints ?? false,
    started
  })
}
