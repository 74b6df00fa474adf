// The contract: Printago's OpenAPI subset compiled once with ajv (JSON Schema 2020-12, as OAS 3.1).
// The server validates requests with it and the tests validate responses with the same compile.
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020'
import addFormats from 'ajv-formats'
import spec from '../shared/printago/openapi.subset.json'

const SPEC_ID = 'printago-openapi'

/** The OpenAPI subset document. */
export const openapi = spec as unknown as {
  paths: Record<string, Record<string, OperationObject>>
  components: { schemas: Record<string, Record<string, unknown>> }
}

interface OperationObject {
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> }
  responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }>
  'x-permission'?: string
}

let ajvInstance: Ajv2020 | undefined
const cache = new Map<string, ValidateFunction>()

function ajv(): Ajv2020 {
  if (!ajvInstance) {
    // strict:false tolerates x-* and OpenAPI-only keywords; verbose gives errors their schema/data.
    ajvInstance = new Ajv2020({ strict: false, allErrors: false, verbose: true })
    addFormats(ajvInstance)
    ajvInstance.addSchema({ $id: SPEC_ID, components: openapi.components })
  }
  return ajvInstance
}

/** Rewrites local refs so an inline schema taken from the spec resolves against it. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase)
  if (!schema || typeof schema !== 'object') return schema
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === '$ref' && typeof v === 'string' && v.startsWith('#/') ? SPEC_ID + v : rebase(v)
  }
  return out
}

/** Compiled validator for `#/components/schemas/<name>`. */
export function schemaValidator(name: string): ValidateFunction {
  const key = 'schema:' + name
  let v = cache.get(key)
  if (!v) {
    if (!openapi.components.schemas[name]) throw new Error(`unknown schema ${name}`)
    v = ajv().compile({ $ref: `${SPEC_ID}#/components/schemas/${name}` })
    cache.set(key, v)
  }
  return v
}

/** Compiled validator for an ad-hoc schema (for sandbox-only endpoints not in the spec). */
export function inlineValidator(key: string, schema: Record<string, unknown>): ValidateFunction {
  let v = cache.get('inline:' + key)
  if (!v) {
    v = ajv().compile(rebase(schema) as Record<string, unknown>)
    cache.set('inline:' + key, v)
  }
  return v
}

/** Compiled validator for the documented response of `method path` with `status`. */
export function responseValidator(method: string, path: string, status: number): ValidateFunction {
  const key = `response:${method.toLowerCase()} ${path} ${status}`
  let v = cache.get(key)
  if (!v) {
    const op = openapi.paths[path]?.[method.toLowerCase()]
    const schema = op?.responses[String(status)]?.content?.['application/json']?.schema
    if (!schema) throw new Error(`no ${status} response schema for ${method} ${path}`)
    v = ajv().compile(rebase(schema) as Record<string, unknown>)
    cache.set(key, v)
  }
  return v
}

/** The component name of an operation's JSON request body, e.g. 'BuildConfigV2'. */
export function requestSchemaName(method: string, path: string): string | undefined {
  const op = openapi.paths[path]?.[method.toLowerCase()]
  const ref = op?.requestBody?.content['application/json']?.schema.$ref
  return typeof ref === 'string' ? ref.replace('#/components/schemas/', '') : undefined
}

/** An operation's request body schema when the spec writes it inline (not a component). */
export function inlineRequestSchema(
  method: string,
  path: string
): Record<string, unknown> | undefined {
  const op = openapi.paths[path]?.[method.toLowerCase()]
  const schema = op?.requestBody?.content['application/json']?.schema
  return schema && typeof schema.$ref !== 'string' ? schema : undefined
}

/** The `x-permission` of an operation, if the spec names one. */
export function permissionOf(method: string, path: string): string | undefined {
  return openapi.paths[path]?.[method.toLowerCase()]?.['x-permission']
}

/** Property names of a component schema (used as the filterable fields of a list). */
export function schemaFields(name: string): string[] {
  const props = openapi.components.schemas[name]?.properties
  return props && typeof props === 'object' ? Object.keys(props) : []
}
