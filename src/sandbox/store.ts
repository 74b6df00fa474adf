// In-memory state of the sandbox store, with every mutation emitted as an entity event.
import { EventEmitter } from 'node:events'
import type {
  Part,
  PartBuild,
  PartBuildStep,
  PartBuildWithRelation,
  PartInsertWithMaterials,
  PartParameterOverride,
  Printer,
  PrintJob,
  Store,
  Tags
} from '../shared/printago/api-types'
import { nestError } from './http'
import type { EntityClock, Random } from './ids'
import type { EntityType, SandboxEntityEvent, SandboxEventMap, SandboxState } from './types'

type Entity = Part | PartBuild | Printer | PrintJob

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
}

const TERMINAL = new Set<PrintJob['status']>(['completed', 'failed', 'cancelled'])
const PREPARING = new Set<PrintJob['status']>([
  'assigned',
  'slicing',
  'sliced',
  'finalizing',
  'waiting-for-approval',
  'ready-for-printer'
])

/** Whether a job reached a final state. */
export function isTerminal(job: PrintJob): boolean {
  return TERMINAL.has(job.status)
}

/** Bambu metadata with a new print_status (other providers have none). */
export function withPrintStatus(p: Printer, status: string): Partial<Printer> {
  const m = p.metadata
  if (m && 'dev_id' in m) return { metadata: { ...m, print_status: status } }
  return {}
}

/** The sandbox's entities plus the event stream describing their changes. */
export class SandboxStore {
  readonly state: SandboxState = {
    parts: new Map(),
    partBuilds: new Map(),
    printJobs: new Map(),
    printers: new Map(),
    uploads: new Map()
  }
  readonly events = new EventEmitter<SandboxEventMap>()
  private readonly steps = new Map<string, PartBuildStep[]>()
  private readonly jobsByBuild = new Map<string, string[]>()
  private queueCounter = 1
  private readonly storeRecord: Store

  constructor(
    readonly storeId: string,
    printers: Printer[],
    readonly random: Random,
    readonly clock: EntityClock
  ) {
    for (const p of printers) this.state.printers.set(p.id, { ...structuredClone(p), storeId })
    this.storeRecord = {
      id: storeId,
      name: 'Sandbox Print Farm',
      timezone: 'UTC',
      country: null,
      logoLightUrl: null,
      logoDarkUrl: null,
      websiteUrl: null,
      auditEnabled: false,
      createdAt: '2025-09-01T08:00:00.000Z',
      updatedAt: '2025-09-01T08:00:00.000Z'
    }
    this.events.setMaxListeners(50)
  }

  /** The one store the sandbox serves. */
  store(): Store {
    return { ...this.storeRecord }
  }

  private emit(event: SandboxEntityEvent): void {
    try {
      this.events.emit('entity', event)
    } catch (e) {
      // A faulty listener must not corrupt the request that changed the state.
      console.error('[sandbox] entity listener failed:', e)
    }
  }

  private insert(type: EntityType, entity: Entity): void {
    this.emit({
      entityType: type,
      action: 'INSERT',
      entities: { [entity.id]: structuredClone(entity) }
    })
  }

  /** Applies a patch, bumps updatedAt and emits UPDATE with the changed fields (if any). */
  patch<T extends Entity>(type: EntityType, entity: T, patch: Partial<T>): boolean {
    const changes: Record<string, unknown> = {}
    const target = entity as Record<string, unknown>
    for (const [k, v] of Object.entries(patch)) {
      if (v === undefined || k === 'id' || k === 'storeId') continue
      if (JSON.stringify(target[k]) !== JSON.stringify(v)) {
        target[k] = v
        changes[k] = structuredClone(v)
      }
    }
    if (Object.keys(changes).length === 0) return false
    entity.updatedAt = this.clock.stamp()
    changes.updatedAt = entity.updatedAt
    this.emit({
      entityType: type,
      action: 'UPDATE',
      entities: { [entity.id]: structuredClone(entity) },
      changes: { [entity.id]: changes }
    })
    return true
  }

  // ---- parts -------------------------------------------------------------------------------

  /** Creates a part from uploaded files (400 when a file was never uploaded). */
  createPart(body: PartInsertWithMaterials): Part {
    const id = this.random.id()
    const uploads = body.fileUris.map((uri) => {
      const obj = this.state.uploads.get(uri)
      if (!obj) throw nestError(400, `File ${uri} was not uploaded (unknown storage path)`)
      return { uri, obj }
    })
    // Printago moves uploads under the part: {storeId}/parts/{partId}/{encoded file name}.
    const fileUris = uploads.map(({ uri, obj }) => {
      const moved = `${this.storeId}/parts/${id}/${uri.slice(uri.lastIndexOf('/') + 1)}`
      this.state.uploads.set(moved, obj)
      return moved
    })
    const now = this.clock.stamp()
    const part: Part = {
      name: body.name,
      type: body.type,
      description: body.description ?? '',
      fileUris,
      fileHashes: uploads.map(({ obj }) => obj.sha256),
      thumbnailUri: null,
      parameters: body.parameters,
      printTags: body.printTags ?? {},
      overriddenProcessProfileId: body.overriddenProcessProfileId ?? null,
      folderId: body.folderId ?? null,
      materials: null,
      slicerOverride: body.slicerOverride ?? null,
      metadata: null,
      slicingEstimate: null,
      use3MFProcessProfile: body.use3MFProcessProfile ?? false,
      arrangeable: body.arrangeable ?? true,
      userTags: body.userTags ?? [],
      gcodePlateUris: null,
      uploadedAt: now,
      id,
      storeId: this.storeId,
      createdAt: now,
      updatedAt: now
    }
    this.state.parts.set(id, part)
    this.insert('part', part)
    return part
  }

  /** Deletes a part; builds keep their partCopy. */
  deletePart(id: string): void {
    const part = this.state.parts.get(id)
    if (!part) throw nestError(404, `Part ${id} not found`)
    this.state.parts.delete(id)
    this.emit({ entityType: 'part', action: 'DELETE', entities: { [id]: structuredClone(part) } })
  }

  // ---- builds ------------------------------------------------------------------------------

  /** Queue positions for `n` new jobs: appended, or ahead of every pending job of the tier. */
  private queueOrders(priority: number, position: 'front' | 'back', n: number): number[] {
    const tier = [...this.state.printJobs.values()].filter(
      (j) => j.status === 'pending' && j.priority === priority
    )
    if (position === 'back' || tier.length === 0) {
      const base = this.queueCounter
      this.queueCounter += n
      return Array.from({ length: n }, (_, i) => base + i)
    }
    const first = Math.min(...tier.map((j) => j.queueOrder))
    for (const j of tier.sort((a, b) => b.queueOrder - a.queueOrder)) {
      if (j.queueOrder >= first) this.patch('printJob', j, { queueOrder: j.queueOrder + n })
    }
    this.queueCounter = Math.max(this.queueCounter, ...tier.map((j) => j.queueOrder + 1))
    return Array.from({ length: n }, (_, i) => first + i)
  }

  /** Creates one PartBuild (and its jobs) per entry; entries were validated by the caller. */
  createBuilds(entries: BuildEntry[]): PartBuild[] {
    return entries.map((e) => this.createBuild(e))
  }

  private createBuild(e: BuildEntry): PartBuild {
    const id = this.random.id()
    const now = this.clock.stamp()
    const tags: Tags = { ...(e.part.printTags ?? {}), ...(e.tags ?? {}) }
    const label = e.label ?? e.part.name
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
      outputFiles: [`${this.storeId}/part-builds/${id}/${encodeURIComponent(e.part.name)}.stl`],
      thumbnailUri: null,
      assignmentStartedAt: null,
      assignmentCompletedAt: null,
      printingStartedAt: null,
      printingCompletedAt: null,
      printStatus: 'pending',
      extensions: null,
      materialAssignments: (e.materials ?? null) as PartBuild['materialAssignments'],
      priority: e.priority,
      position: e.position,
      orderId: null,
      orderItemId: null,
      linkedPartId: null,
      dismissed: false,
      id,
      storeId: this.storeId,
      createdAt: now,
      updatedAt: now
    }
    // STL needs no geometry build: one pass-through slic3r step, already successful.
    this.steps.set(id, [
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
        id: this.random.id(),
        storeId: this.storeId,
        createdAt: now,
        updatedAt: now
      }
    ])
    this.state.partBuilds.set(id, build)
    this.jobsByBuild.set(id, [])
    this.insert('partBuild', build)
    const orders = this.queueOrders(e.priority, e.position, e.quantity)
    for (let i = 0; i < e.quantity; i++) {
      const jobNow = this.clock.stamp()
      const job: PrintJob = {
        partBuildId: id,
        quantityIndex: i + 1,
        quantityTotal: e.quantity,
        thumbnailUri: null,
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
        queueOrder: orders[i] ?? this.queueCounter++,
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
        extensions: null,
        skipObjectsData: null,
        materialMapping: null,
        materialAssignments: structuredClone(e.materials ?? null),
        gcodeAnalysisSha256: null,
        id: this.random.id(),
        storeId: this.storeId,
        createdAt: jobNow,
        updatedAt: jobNow
      }
      this.state.printJobs.set(job.id, job)
      this.jobsByBuild.get(id)?.push(job.id)
      this.insert('printJob', job)
    }
    this.refreshBuild(id)
    return build
  }

  /** Jobs of a build, in quantityIndex order. */
  jobsOf(buildId: string): PrintJob[] {
    return (this.jobsByBuild.get(buildId) ?? [])
      .map((id) => this.state.printJobs.get(id))
      .filter((j): j is PrintJob => j !== undefined)
  }

  /** PartBuild + steps + printJobs, as GET /v1/part-builds returns it. */
  withRelations(build: PartBuild): PartBuildWithRelation {
    return {
      ...build,
      steps: structuredClone(this.steps.get(build.id) ?? []),
      printJobs: this.jobsOf(build.id)
    }
  }

  /** Re-derives a build's status and timestamps from its jobs. */
  refreshBuild(buildId: string): void {
    const build = this.state.partBuilds.get(buildId)
    if (!build) return
    const jobs = this.jobsOf(buildId)
    const has = (...s: PrintJob['status'][]): boolean => jobs.some((j) => s.includes(j.status))
    const allTerminal = jobs.every(isTerminal)
    let status: PartBuild['status']
    let printStatus: PartBuild['printStatus']
    if (allTerminal) {
      if (jobs.length > 0 && jobs.every((j) => j.status === 'cancelled')) status = 'cancelled'
      else if (has('failed')) status = 'error'
      else status = 'success'
      printStatus = status === 'success' ? 'success' : status === 'error' ? 'error' : 'cancelled'
    } else {
      const started = has('printing', 'paused', 'completed', 'failed')
      if (has('printing', 'paused')) status = 'printing'
      else if (has('sending-to-printer')) status = 'sending-to-printer'
      else if (jobs.some((j) => PREPARING.has(j.status))) status = 'preparing'
      else status = started ? 'printing' : 'queued'
      printStatus = started ? 'printing' : 'pending'
    }
    const min = (xs: (string | null)[]): string | null =>
      xs.filter((x): x is string => !!x).sort()[0] ?? null
    const max = (xs: (string | null)[]): string | null =>
      xs
        .filter((x): x is string => !!x)
        .sort()
        .at(-1) ?? null
    this.patch('partBuild', build, {
      status,
      printStatus,
      assignmentStartedAt: min(jobs.map((j) => j.assignmentStartedAt)),
      assignmentCompletedAt: max(jobs.map((j) => j.assignmentCompletedAt)),
      printingStartedAt: min(jobs.map((j) => j.printingStartedAt)),
      printingCompletedAt: allTerminal ? max(jobs.map((j) => j.printingCompletedAt)) : null
    })
  }

  // ---- jobs & printers ---------------------------------------------------------------------

  /** Patches a job and keeps its build's derived fields current. */
  patchJob(job: PrintJob, patch: Partial<PrintJob>): void {
    if (this.patch('printJob', job, patch)) this.refreshBuild(job.partBuildId)
  }

  /** Patches a printer (keeping Bambu metadata.online in step with isOnline). */
  patchPrinter(p: Printer, patch: Partial<Printer>): void {
    const next = { ...patch }
    if (patch.isOnline !== undefined && p.metadata && 'dev_id' in p.metadata && !patch.metadata) {
      next.metadata = { ...p.metadata, online: patch.isOnline }
    }
    this.patch('printer', p, next)
  }

  /** Frees the printer running `job` (bed needs clearing if something was printed). */
  releasePrinter(job: PrintJob, bedDirty: boolean, printStatus: string): void {
    const p = job.assignedPrinterId ? this.state.printers.get(job.assignedPrinterId) : undefined
    if (!p || p.printingJobId !== job.id) return
    this.patchPrinter(p, {
      printingJobId: null,
      isAvailable: true,
      confirmedReady: bedDirty ? false : p.confirmedReady,
      ...withPrintStatus(p, printStatus)
    })
  }

  /** PATCH /v1/print-jobs/cancel: cancels queued or running jobs; returns the affected ids. */
  cancelJobs(ids: string[]): string[] {
    const done: string[] = []
    for (const id of new Set(ids)) {
      const job = this.state.printJobs.get(id)
      if (!job || isTerminal(job)) continue
      const wasPrinting = job.status === 'printing' || job.status === 'paused'
      this.releasePrinter(job, wasPrinting, wasPrinting ? 'FAILED' : 'IDLE')
      this.patchJob(job, { status: 'cancelled', cancelledAt: this.clock.stamp() })
      done.push(id)
    }
    return done
  }

  /** PATCH /v1/print-jobs/retry: failed/cancelled jobs back to pending; returns the affected ids. */
  retryJobs(ids: string[]): string[] {
    const done: string[] = []
    for (const id of new Set(ids)) {
      const job = this.state.printJobs.get(id)
      if (!job || (job.status !== 'failed' && job.status !== 'cancelled')) continue
      const [queueOrder = this.queueCounter++] = this.queueOrders(job.priority, 'back', 1)
      this.patchJob(job, {
        status: 'pending',
        queueOrder,
        assignedPrinterId: null,
        assignmentStartedAt: null,
        assignmentCompletedAt: null,
        printingStartedAt: null,
        printingCompletedAt: null,
        cancelledAt: null,
        errorMessage: null,
        slicedGcodeUri: null,
        filesToPrint: [],
        taskId: 0
      })
      done.push(id)
    }
    return done
  }
}
