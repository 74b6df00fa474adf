// What a route is and the helpers every route module uses.
import { nestError } from './http'
import { applyListQuery, type ListResult } from './list-query'
import { search } from './search'
import { schemaFields } from './spec'
import type { ObjectStorage } from './storage'
import type { SandboxStore } from './store'

/** What a handler gets. */
export interface RouteContext {
  params: Record<string, string>
  query: URLSearchParams
  body: unknown
  store: SandboxStore
  storage: ObjectStorage
  baseUrl: string
}

/** A handler's result: status + JSON body (`undefined` = empty body). */
export interface RouteResult {
  status: number
  body: unknown
}

/** One API route. `specPath` names the operation in the OpenAPI subset (for body schema/permission). */
export interface Route {
  method: string
  pattern: string
  specPath?: string
  /** Request body schema (component name) when not taken from the spec. */
  bodySchema?: string
  inlineBodySchema?: Record<string, unknown>
  permission?: string
  handler(ctx: RouteContext): RouteResult
}

export const ok = (body: unknown): RouteResult => ({ status: 200, body })
export const created = (body: unknown): RouteResult => ({ status: 201, body })

/** GET list conventions over `rows` of a component schema. */
export function list(rows: object[], ctx: RouteContext, schema: string): ListResult {
  return applyListQuery(rows as Record<string, unknown>[], ctx.query, schemaFields(schema))
}

/** POST …/search over `rows` of a component schema. */
export function searched(rows: object[], ctx: RouteContext, schema: string): RouteResult {
  return created(search(rows as Record<string, unknown>[], ctx.body, schemaFields(schema)))
}

/** The value, or NestJS's 404 `<what> <id> not found`. */
export function need<T>(value: T | undefined, what: string, id: string): T {
  if (value === undefined) throw nestError(404, `${what} ${id} not found`)
  return value
}

/** A path parameter (always present once the route matched). */
export const param = (ctx: RouteContext, name: string): string => ctx.params[name] ?? ''
