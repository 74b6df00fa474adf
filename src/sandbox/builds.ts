// Build requests (v2, its preview, and the legacy v1): the parts they name, their defaults, the
// errors Printago answers before anything is created, and the PartBuilds and PrintJobs they make —
// one job per copy, or per plate × copy for 3MF projects.
import type {
  BuildConfigV2,
  BuildPreviewV2,
  LegacyBuildConfig,
  Part,
  PartBuild,
  PartParameterOverride,
  PrintJob,
  Tags
} from '../shared/printago/api-types'
import { nestError } from './http'
import { platesOf } from './part-facts'
import { plateThumbnail } from './parts'
import { queueOrders } from './queue'
import type { SandboxStore } from './store'

/** A build request entry after v1/v2 differences are resolved. */
export interface BuildEntry {
  part: Part
  quantity: number
  label?: string
  tags?: Tags
  priority: 100 | 1000
  position: 'front' | 'back'
  parameterOverrides: PartParameterOverride[]
  materials: PrintJob['materialAssignments']
  /** 3MF only: copies of each plate per copy of the part (plates left out print none). */
  plateQuantities?: Record<string, number>
}

/** One job a build entry makes. */
export interface JobPlan {
  plateId: number | null
  plateName: string | null
  gcodeFile: string | null
  thumbnailUri: string | null
}

function partOf(store: SandboxStore, id: string): Part {
  const part = store.state.parts.get(id)
  if (!part) throw nestError(404, `Part ${id} not found`)
  return part
}

/** 404 for material ids the store does not have (material groups are not modelled). */
function checkMaterials(store: SandboxStore, materials: PrintJob['materialAssignments']): void {
  for (const specs of Object.values(materials ?? {})) {
    for (const s of specs) {
      if ('materialId' in s && !store.state.materials.has(s.materialId))
        throw nestError(404, `Material ${s.materialId} not found`)
      if ('variantId' in s && !store.state.materialVariants.has(s.variantId))
        throw nestError(404, `Material variant ${s.variantId} not found`)
      if ('groupId' in s) throw nestError(404, `Material group ${s.groupId} not found`)
    }
  }
}

/** Entries of a v2 build body (404 for an unknown part, material or any SKU; nothing is created). */
export function v2Entries(store: SandboxStore, body: BuildConfigV2): BuildEntry[] {
  for (const sku of body.skus ?? []) {
    const ref = 'skuId' in sku ? sku.skuId : 'sku' in sku ? sku.sku : '?'
    throw nestError(404, `Sku ${String(ref)} not found`)
  }
  return (body.parts ?? []).map((p) => {
    const materials = (p.materials ?? null) as PrintJob['materialAssignments']
    checkMaterials(store, materials)
    const entry: BuildEntry = {
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
            typeof value === 'number'
              ? 'number'
              : typeof value === 'boolean'
                ? 'boolean'
                : 'string',
          value
        })
      ),
      materials
    }
    if (p.plateQuantities) entry.plateQuantities = p.plateQuantities
    planJobs(store, entry) // refuses unknown plates before anything is created
    return entry
  })
}

/** Entries of a legacy v1 build body. */
export function v1Entries(store: SandboxStore, body: LegacyBuildConfig): BuildEntry[] {
  for (const sku of body.skus ?? []) throw nestError(404, `Sku ${sku.skuId} not found`)
  return (body.parts ?? []).map((p) => {
    const materials = (p.materialAssignments ?? null) as PrintJob['materialAssignments']
    checkMaterials(store, materials)
    return {
      part: partOf(store, p.partId),
      quantity: p.quantity,
      label: p.label,
      tags: p.tags,
      priority: p.priority ?? 100,
      position: 'back',
      parameterOverrides: p.parameterOverrides ?? [],
      materials
    }
  })
}

/** The jobs an entry makes: `quantity` copies, each of every plate (× its plateQuantities). */
export function planJobs(store: SandboxStore, e: BuildEntry): JobPlan[] {
  // Only project files have plates; an STL is not even read here.
  const threeMf = e.part.type === '3mf' || e.part.type === 'gcode3mf'
  const plates = threeMf ? platesOf(store.state, e.part) : []
  if (plates.length === 0) {
    return Array.from({ length: e.quantity }, () => ({
      plateId: null,
      plateName: null,
      gcodeFile: null,
      thumbnailUri: e.part.thumbnailUri
    }))
  }
  const known = new Set(plates.map((p) => String(p.id)))
  for (const key of Object.keys(e.plateQuantities ?? {})) {
    if (!known.has(key)) {
      throw nestError(
        400,
        `Plate ${key} is not a plate of part ${e.part.id} (plates: ${[...known].join(', ')})`
      )
    }
  }
  const out: JobPlan[] = []
  for (let copy = 0; copy < e.quantity; copy++) {
    for (const plate of plates) {
      const n = e.plateQuantities ? (e.plateQuantities[String(plate.id)] ?? 0) : 1
      for (let k = 0; k < n; k++) {
        out.push({
          plateId: plate.id,
          plateName: plate.name,
          gcodeFile: plate.gcodePath ?? `Metadata/plate_${plate.id}.gcode`,
          thumbnailUri: plateThumbnail(e.part, plate.id)
        })
      }
    }
  }
  return out
}

/** Creates one PartBuild (and its jobs) per entry; entries were validated by the caller. */
export function createBuilds(store: SandboxStore, entries: BuildEntry[]): PartBuild[] {
  return entries.map((e) => createBuild(store, e))
}

function createBuild(store: SandboxStore, e: BuildEntry): PartBuild {
  const id = store.random.id()
  const now = store.clock.stamp()
  const tags: Tags = { ...(e.part.printTags ?? {}), ...(e.tags ?? {}) }
  const label = e.label ?? e.part.name
  const plans = planJobs(store, e)
  const ext = e.part.type === 'stl' ? 'stl' : e.part.type === 'gcode3mf' ? 'gcode.3mf' : '3mf'
  const threeMf = e.part.type === '3mf' || e.part.type === 'gcode3mf'
  const build: PartBuild = {
    partId: e.part.id,
    skuBuildId: null,
    skuId: null,
    skuName: null,
    label,
    partCopy: structuredClone(e.part) as PartBuild['partCopy'],
    requiredPrinterTags: tags,
    quantity: e.quantity,
    numPartsPerSku: null,
    skuInstanceStart: null,
    parameterOverrides: e.parameterOverrides,
    status: 'queued',
    outputFiles: [`${store.storeId}/part-builds/${id}/${encodeURIComponent(e.part.name)}.${ext}`],
    thumbnailUri: e.part.thumbnailUri,
    assignmentStartedAt: null,
    assignmentCompletedAt: null,
    printingStartedAt: null,
    printingCompletedAt: null,
    printStatus: 'pending',
    extensions: threeMf
      ? {
          '3mf': {
            plateQuantities:
              e.plateQuantities ??
              Object.fromEntries(platesOf(store.state, e.part).map((p) => [String(p.id), 1]))
          }
        }
      : null,
    materialAssignments: (e.materials ?? null) as PartBuild['materialAssignments'],
    priority: e.priority,
    position: e.position,
    orderId: null,
    orderItemId: null,
    linkedPartId: null,
    dismissed: false,
    id,
    storeId: store.storeId,
    createdAt: now,
    updatedAt: now
  }
  // No geometry to build from these files: one pass-through slic3r step, already successful.
  store.steps.set(id, [
    {
      partBuildId: id,
      order: 0,
      builder: 'slic3r',
      inputFiles: [...e.part.fileUris],
      inputHash: e.part.fileHashes[0] ?? null,
      cachedBuildStepId: null,
      cachedOutputFile: null,
      outputFiles: [...(build.outputFiles ?? [])],
      status: 'success',
      logs: [],
      requiresAssignedPrinter: false,
      nextStepId: null,
      startedAt: now,
      completedAt: now,
      id: store.random.id(),
      storeId: store.storeId,
      createdAt: now,
      updatedAt: now
    }
  ])
  store.state.partBuilds.set(id, build)
  store.jobsByBuild.set(id, [])
  store.insert('partBuild', build)
  const orders = queueOrders(store, e.priority, e.position, plans.length)
  plans.forEach((plan, i) => {
    const jobNow = store.clock.stamp()
    const job: PrintJob = {
      partBuildId: id,
      quantityIndex: i + 1,
      quantityTotal: plans.length,
      thumbnailUri: plan.thumbnailUri,
      coloredThumbnailUri: null,
      buildThumbnailUri: null,
      filesToPrint: [],
      slicerInputHash: null,
      isGcodeCached: false,
      slicedGcodeUri: null,
      partId: e.part.id,
      partName: e.part.name,
      skuId: null,
      skuName: null,
      parameterOverrides: structuredClone(e.parameterOverrides),
      orderId: null,
      label,
      orderItemId: null,
      linkedPartId: null,
      skuInstance: null,
      queueOrder: orders[i] ?? store.queueCounter++,
      priority: e.priority,
      requiredPrinterTags: { ...tags },
      overriddenProcessProfileId: e.part.overriddenProcessProfileId,
      taskId: 0,
      profileUris: null,
      assignedPrinterId: null,
      assignmentStartedAt: null,
      assignmentCompletedAt: null,
      printingStartedAt: null,
      printingCompletedAt: null,
      cancelledAt: null,
      status: 'pending',
      errorMessage: null,
      hidden: false,
      logsUri: null,
      extensions:
        plan.plateId === null
          ? null
          : { '3mf': { plateId: plan.plateId, gcodeFile: plan.gcodeFile ?? '' } },
      skipObjectsData: null,
      materialMapping: null,
      materialAssignments: structuredClone(e.materials ?? null),
      gcodeAnalysisSha256: null,
      id: store.random.id(),
      storeId: store.storeId,
      createdAt: jobNow,
      updatedAt: jobNow
    }
    store.state.printJobs.set(job.id, job)
    store.jobsByBuild.get(id)?.push(job.id)
    store.insert('printJob', job)
  })
  store.refreshBuild(id)
  return build
}

/** POST /v2/builds as the API performs it (also used by test tooling for "another client"). */
export function createBuildsV2(store: SandboxStore, body: BuildConfigV2): PartBuild[] {
  return createBuilds(store, v2Entries(store, body))
}

/** POST /v1/builds. */
export function createBuildsV1(store: SandboxStore, body: LegacyBuildConfig): PartBuild[] {
  return createBuilds(store, v1Entries(store, body))
}

/** POST /v2/builds/preview: what POST /v2/builds would create, creating nothing. */
export function previewBuildsV2(store: SandboxStore, body: BuildConfigV2): BuildPreviewV2 {
  const partBuilds = v2Entries(store, body).map((e) => {
    const label = e.label ?? e.part.name
    const plans = planJobs(store, e)
    const threeMf = e.part.type === '3mf' || e.part.type === 'gcode3mf'
    return {
      source: 'part' as const,
      partId: e.part.id,
      partName: e.part.name,
      partThumbnailUri: e.part.thumbnailUri,
      label,
      quantity: e.quantity,
      sku: null,
      materials: (e.materials ?? null) as BuildPreviewV2['partBuilds'][number]['materials'],
      plateQuantities: threeMf
        ? (e.plateQuantities ??
          Object.fromEntries(platesOf(store.state, e.part).map((p) => [String(p.id), 1])))
        : null,
      jobs: plans.map((plan, i) => ({
        label,
        quantityIndex: i + 1,
        quantityTotal: plans.length,
        plateId: plan.plateId,
        plateName: plan.plateName,
        thumbnailUri: plan.thumbnailUri
      }))
    }
  })
  return {
    partBuilds,
    summary: {
      partBuildCount: partBuilds.length,
      skuBuildCount: 0,
      jobCount: partBuilds.reduce((n, b) => n + b.jobs.length, 0)
    }
  }
}
