// Request validation in the shape of Nestia's assert mode (Printago's spec is Nestia-generated):
// 400 {message, path: "$input.a[0].b", reason, expected, value}, plus NestJS's statusCode.
import type { ErrorObject, ValidateFunction } from 'ajv'
import { openapi } from './spec'

export const BODY_TYPE_MESSAGE = 'Request body type is not "application/json".'
export const BODY_INVALID_MESSAGE = 'Request body data is not following the promised type.'
export const QUERY_INVALID_MESSAGE = 'Request query data is not following the promised type.'

/** Nestia assert-mode 400 body (statusCode added as NestJS would). */
export interface NestiaError {
  statusCode: 400
  message: string
  path: string
  reason: string
  expected: string
  value?: unknown
}

/** Keys the Tags schema allows; the schema itself does not forbid others, Printago does. */
const TAG_KEYS = new Set(Object.keys(openapi.components.schemas.Tags?.properties ?? {}))

let schemaNames: Map<object, string> | undefined
function nameOf(schema: object): string | undefined {
  schemaNames ??= new Map(Object.entries(openapi.components.schemas).map(([k, v]) => [v, k]))
  return schemaNames.get(schema)
}

/** A typia-like type expression for a JSON schema, e.g. `(number & Minimum<0>)`. */
export function describeSchema(schema: unknown): string {
  if (!schema || typeof schema !== 'object') return 'any'
  const s = schema as Record<string, unknown>
  if (typeof s.$ref === 'string') return s.$ref.slice(s.$ref.lastIndexOf('/') + 1)
  const named = nameOf(s)
  if (named) return named
  if ('const' in s) return JSON.stringify(s.const)
  const union = (s.oneOf ?? s.anyOf) as unknown[] | undefined
  if (Array.isArray(union)) return '(' + union.map(describeSchema).join(' | ') + ')'
  const tags: string[] = []
  const tag = (key: string, label: string): void => {
    if (s[key] !== undefined) tags.push(`${label}<${JSON.stringify(s[key])}>`)
  }
  let base: string
  switch (s.type) {
    case 'string':
      base = 'string'
      tag('minLength', 'MinLength')
      tag('maxLength', 'MaxLength')
      tag('pattern', 'Pattern')
      tag('format', 'Format')
      break
    case 'number':
    case 'integer':
      base = 'number'
      tag('minimum', 'Minimum')
      tag('maximum', 'Maximum')
      if (s.type === 'integer') tags.push('Type<"int32">')
      break
    case 'array':
      base = `Array<${describeSchema(s.items)}>`
      tag('minItems', 'MinItems')
      tag('maxItems', 'MaxItems')
      break
    case 'object':
      base =
        s.additionalProperties && typeof s.additionalProperties === 'object'
          ? `Record<string, ${describeSchema(s.additionalProperties)}>`
          : 'object'
      break
    case 'boolean':
    case 'null':
      base = s.type
      break
    default:
      base = 'any'
  }
  return tags.length ? `(${base} & ${tags.join(' & ')})` : base
}

/** `$input.parts[0]["printer.id"]` from pointer segments, using the data to tell arrays apart. */
export function formatPath(data: unknown, segments: string[]): string {
  let out = '$input'
  let cur: unknown = data
  for (const seg of segments) {
    if (Array.isArray(cur) && /^\d+$/.test(seg)) out += `[${seg}]`
    else out += /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(seg) ? '.' + seg : `[${JSON.stringify(seg)}]`
    cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined
  }
  return out
}

function pointerSegments(pointer: string): string[] {
  if (!pointer) return []
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function valueAt(data: unknown, segments: string[]): unknown {
  let cur = data
  for (const seg of segments) {
    if (!cur || typeof cur !== 'object') return undefined
    cur = (cur as Record<string, unknown>)[seg]
  }
  return cur
}

/** The offending value as echoed back, unless it is too deep or too big to serialise sensibly. */
function echo(value: unknown): unknown {
  if (!value || typeof value !== 'object') return value
  try {
    if (JSON.stringify(value).length <= 16_384) return value
  } catch {
    // Deeply nested input overflows JSON.stringify; fall through to a summary.
  }
  return Array.isArray(value) ? '[array omitted]' : '[object omitted]'
}

/** Builds the Nestia-shaped error for a failed path. */
export function nestiaError(
  message: string,
  data: unknown,
  segments: string[],
  expected: string,
  superfluous = false
): NestiaError {
  const path = formatPath(data, segments)
  const value = echo(valueAt(data, segments))
  const reason = superfluous
    ? `Error on typia.assertEquals(): superfluous property on ${path}, expect to be undefined`
    : `Error on typia.assert(): invalid type on ${path}, expect to be ${expected}`
  return { statusCode: 400, message, path, reason, expected, value }
}

/** Picks the most telling ajv error: the deepest, preferring a union over its failed branches. */
function pickError(errors: ErrorObject[]): ErrorObject | undefined {
  const depth = (e: ErrorObject): number =>
    pointerSegments(e.instancePath).length + (e.keyword === 'required' ? 1 : 0)
  let best: ErrorObject | undefined
  for (const e of errors) {
    if (!best || depth(e) > depth(best)) best = e
    else if (depth(e) === depth(best) && (e.keyword === 'oneOf' || e.keyword === 'anyOf')) {
      if (e.instancePath === best.instancePath && best.keyword !== 'oneOf') best = e
    }
  }
  return best
}

function checkTags(tags: unknown, segments: string[], data: unknown): NestiaError | null {
  if (!tags || typeof tags !== 'object' || Array.isArray(tags)) return null
  for (const key of Object.keys(tags)) {
    if (!TAG_KEYS.has(key)) {
      return nestiaError(BODY_INVALID_MESSAGE, data, [...segments, key], 'undefined', true)
    }
  }
  return null
}

/** Extra rules Printago enforces beyond the schema: routing tag keys must be known. */
function checkTagKeys(body: unknown): NestiaError | null {
  if (!body || typeof body !== 'object') return null
  const b = body as Record<string, unknown>
  const err = checkTags(b.printTags, ['printTags'], body)
  if (err) return err
  for (const list of ['parts', 'skus']) {
    const items = b[list]
    if (!Array.isArray(items)) continue
    for (let i = 0; i < items.length; i++) {
      const item = items[i] as Record<string, unknown> | null
      const e =
        item && typeof item === 'object'
          ? checkTags(item.tags, [list, String(i), 'tags'], body)
          : null
      if (e) return e
    }
  }
  return null
}

/** Validates a parsed body; null when valid, else the Nestia 400 body. */
export function assertBody(validate: ValidateFunction, body: unknown): NestiaError | null {
  if (!validate(body)) {
    const e = pickError(validate.errors ?? [])
    if (!e) return nestiaError(BODY_INVALID_MESSAGE, body, [], 'unknown')
    const segments = pointerSegments(e.instancePath)
    let expected: string
    if (e.keyword === 'required') {
      const missing = String((e.params as { missingProperty?: string }).missingProperty)
      segments.push(missing)
      const props = (e.parentSchema as { properties?: Record<string, unknown> } | undefined)
        ?.properties
      expected = describeSchema(props?.[missing])
    } else {
      expected = describeSchema(e.parentSchema)
    }
    return nestiaError(BODY_INVALID_MESSAGE, body, segments, expected)
  }
  return checkTagKeys(body)
}
