// Build requests (v2 and the legacy v1) resolved into store entries: the parts they name, their
// defaults, and the errors Printago answers before anything is created.
import type {
  BuildConfigV2,
  LegacyBuildConfig,
  Part,
  PartParameterOverride,
  PrintJob
} from '../shared/printago/api-types'
import { nestError } from './http'
import type { BuildEntry, SandboxStore } from './store'

function partOf(store: SandboxStore, id: string): Part {
  const part = store.state.parts.get(id)
  if (!part) throw nestError(404, `Part ${id} not found`)
  return part
}

/** Entries of a v2 build body (404 for an unknown part or any SKU; nothing is created). */
export function v2Entries(store: SandboxStore, body: BuildConfigV2): BuildEntry[] {
  for (const sku of body.skus ?? []) {
    const ref = 'skuId' in sku ? sku.skuId : 'sku' in sku ? sku.sku : '?'
    throw nestError(404, `Sku ${String(ref)} not found`)
  }
  return (body.parts ?? []).map((p) => ({
    part: partOf(store, p.partId),
    quantity: p.quantity ?? 1,
    label: p.label,
    tags: p.tags,
    priority: p.priority ?? 100,
    position: p.position ?? 'back',
    parameterOverrides: Object.entries(p.parameters ?? {}).map(
      ([name, value]): PartParameterOverride => ({
        name,
        type:
          typeof value === 'number' ? 'number' : typeof value === 'boolean' ? 'boolean' : 'string',
        value
      })
    ),
    materials: (p.materials ?? null) as PrintJob['materialAssignments']
  }))
}

/** Entries of a legacy v1 build body. */
export function v1Entries(store: SandboxStore, body: LegacyBuildConfig): BuildEntry[] {
  for (const sku of body.skus ?? []) throw nestError(404, `Sku ${sku.skuId} not found`)
  return (body.parts ?? []).map((p) => ({
    part: partOf(store, p.partId),
    quantity: p.quantity,
    label: p.label,
    tags: p.tags,
    priority: p.priority ?? 100,
    position: 'back',
    parameterOverrides: p.parameterOverrides ?? [],
    materials: (p.materialAssignments ?? null) as PrintJob['materialAssignments']
  }))
}

/** POST /v2/builds as the API performs it (also used by test tooling for "another client"). */
export function createBuildsV2(
  store: SandboxStore,
  body: BuildConfigV2
): ReturnType<SandboxStore['createBuilds']> {
  return store.createBuilds(v2Entries(store, body))
}

/** POST /v1/builds. */
export function createBuildsV1(
  store: SandboxStore,
  body: LegacyBuildConfig
): ReturnType<SandboxStore['createBuilds']> {
  return store.createBuilds(v1Entries(store, body))
}
