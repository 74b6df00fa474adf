// Test helpers: real HTTP against a sandbox, plus response checks against the OpenAPI subset.
import { createHash } from 'node:crypto'
import type {
  Part,
  PartBuild,
  Printer,
  PrintJob,
  PrintJobMatchingTroubleshoot
} from '../../shared/printago/api-types'
import { responseValidator } from '../spec'
import type { RunningSandbox, SandboxOptions } from '../types'
import { startTestSandbox, type TestSandbox } from './index'

/** A parsed HTTP answer. */
export interface Answer<T = unknown> {
  status: number
  headers: Headers
  text: string
  json: T
}

/** Options for one call. */
export interface CallOptions {
  key?: string | null
  store?: string | null
  headers?: Record<string, string>
  /** Raw body (no JSON encoding, no content-type added). */
  raw?: string | Uint8Array
}

/** Starts a deterministic sandbox (paused scheduler, generous rate limits) unless overridden. */
export function sandbox(opts: SandboxOptions = {}): Promise<TestSandbox> {
  return startTestSandbox({ port: 0, speed: 0, seed: 1, ratePerMinute: 0, ratePerHour: 0, ...opts })
}

/** Calls the API as a client would (ApiKey auth by default). */
export async function call<T = unknown>(
  sb: RunningSandbox,
  method: string,
  path: string,
  body?: unknown,
  opts: CallOptions = {}
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...opts.headers }
  const key = opts.key === undefined ? sb.apiKey : opts.key
  const store = opts.store === undefined ? sb.storeId : opts.store
  if (key !== null) headers.authorization ??= `ApiKey ${key}`
  if (store !== null) headers['x-printago-storeid'] ??= store
  let payload: string | Uint8Array | undefined = opts.raw
  if (payload === undefined && body !== undefined) {
    payload = JSON.stringify(body)
    headers['content-type'] ??= 'application/json'
  }
  const res = await fetch(sb.url + path, { method, headers, body: payload })
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : undefined
  } catch {
    json = undefined
  }
  return { status: res.status, headers: res.headers, text, json: json as T }
}

/** Throws a readable error unless `body` matches the spec's response schema. */
export function expectConforms(
  method: string,
  specPath: string,
  status: number,
  body: unknown
): void {
  const v = responseValidator(method, specPath, status)
  if (!v(body)) {
    const errs = (v.errors ?? [])
      .slice(0, 5)
      .map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
      .join('; ')
    throw new Error(`${method} ${specPath} ${status} does not conform: ${errs}`)
  }
}

/** sha256 hex of bytes. */
export function sha256(bytes: string | Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex')
}

/** Signed upload + PUT; returns the storage path. */
export async function upload(
  sb: RunningSandbox,
  name: string,
  bytes: string | Uint8Array
): Promise<string> {
  const r = await call<{ signedUrls: { uploadUrl: string; path: string }[] }>(
    sb,
    'POST',
    '/v1/storage/signed-upload-urls',
    { filenames: [name] }
  )
  const signed = r.json.signedUrls[0]
  if (r.status !== 201 || !signed) throw new Error(`signed url failed: ${r.status} ${r.text}`)
  const put = await fetch(signed.uploadUrl, { method: 'PUT', body: bytes })
  if (put.status !== 200) throw new Error(`PUT failed: ${put.status}`)
  return signed.path
}

/** Uploads bytes and creates a part from them (an STL unless `type` says otherwise). */
export async function makePart(
  sb: RunningSandbox,
  name = 'benchy',
  bytes: string | Uint8Array = `solid ${name}\nendsolid`,
  type: 'stl' | '3mf' | 'gcode3mf' = 'stl',
  extra: Record<string, unknown> = {}
): Promise<Part> {
  const ext = type === 'stl' ? 'stl' : type === '3mf' ? '3mf' : 'gcode.3mf'
  const path = await upload(sb, `${name}.${ext}`, bytes)
  const r = await call<Part>(sb, 'POST', '/v1/parts', {
    name,
    description: '',
    type,
    ...extra,
    fileUris: [path],
    parameters: [],
    printTags: {},
    overriddenProcessProfileId: null
  })
  if (r.status !== 201) throw new Error(`part failed: ${r.status} ${r.text}`)
  return r.json
}

/** POST /v2/builds with one part entry; returns the PartBuild. */
export async function build(
  sb: RunningSandbox,
  partId: string,
  entry: Record<string, unknown> = {}
): Promise<PartBuild> {
  const r = await call<{ partBuilds: PartBuild[] }>(sb, 'POST', '/v2/builds', {
    parts: [{ partId, quantity: 1, ...entry }]
  })
  const pb = r.json?.partBuilds?.[0]
  if (r.status !== 201 || !pb) throw new Error(`build failed: ${r.status} ${r.text}`)
  return pb
}

/** GET /v1/print-jobs/{id}/matching-troubleshoot: why each printer can or cannot take the job. */
export async function troubleshoot(
  sb: RunningSandbox,
  jobId: string
): Promise<PrintJobMatchingTroubleshoot> {
  const r = await call<PrintJobMatchingTroubleshoot>(
    sb,
    'GET',
    `/v1/print-jobs/${jobId}/matching-troubleshoot`
  )
  return r.json
}

/**
 * What scheduler tests read of a sandbox's state, for the sandbox each test starts (`current`
 * reads the test file's variable when called, so one set serves every test).
 */
export function stateReaders(current: () => RunningSandbox): {
  /** The jobs of a build in quantity order. */
  jobsOf(buildId: string): PrintJob[]
  onlyJob(buildId: string): PrintJob
  printer(id: string): Printer
  /** `n` scheduler steps. */
  ticks(n: number): void
} {
  const jobsOf = (buildId: string): PrintJob[] =>
    [...current().state.printJobs.values()]
      .filter((j) => j.partBuildId === buildId)
      .sort((a, b) => a.quantityIndex - b.quantityIndex)
  return {
    jobsOf,
    onlyJob: (buildId) => jobsOf(buildId)[0]!,
    printer: (id) => current().state.printers.get(id)!,
    ticks: (n) => {
      const sb = current()
      for (let i = 0; i < n; i++) sb.tick()
    }
  }
}

/** Demo fleet ids by name. */
export const PRINTER = {
  a1mini: 'sbxprinter00000000000001',
  a1: 'sbxprinter00000000000002',
  p1s1: 'sbxprinter00000000000003',
  p1s2: 'sbxprinter00000000000004',
  x1c: 'sbxprinter00000000000005',
  h2d: 'sbxprinter00000000000006',
  mk4: 'sbxprinter00000000000007',
  voron: 'sbxprinter00000000000008'
} as const
