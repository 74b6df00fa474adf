// In-memory state of the sandbox store, with every mutation emitted as an entity event. Creating
// parts and builds and the queue operations live in parts.ts, builds.ts and queue.ts.
import { EventEmitter } from 'node:events'
import type {
  Part,
  PartBuild,
  PartBuildStep,
  PartBuildWithRelation,
  Printer,
  PrintJob,
  Store
} from '../shared/printago/api-types'
import type { EntityClock, Random } from './ids'
import { demoMaterials, slotEntities, type LoadedSlot } from './materials'
import type {
  EntityType,
  FleetSlot,
  PrinterSettings,
  PrinterStatMessage,
  SandboxEntityEvent,
  SandboxEventMap,
  SandboxState
} from './types'

type Entity = Part | PartBuild | Printer | PrintJob

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

const DEFAULT_SETTINGS: PrinterSettings = { requiresApproval: false }

/** What the store is made from. */
export interface StoreSetup {
  storeId: string
  printers: Printer[]
  slots: FleetSlot[]
  settings: Record<string, Partial<PrinterSettings>>
  random: Random
  clock: EntityClock
}

/** The sandbox's entities plus the event stream describing their changes. */
export class SandboxStore {
  readonly state: SandboxState = {
    parts: new Map(),
    partBuilds: new Map(),
    printJobs: new Map(),
    printers: new Map(),
    materials: new Map(),
    materialVariants: new Map(),
    printerSlots: new Map(),
    partMetadata: new Map(),
    uploads: new Map()
  }
  readonly events = new EventEmitter<SandboxEventMap>()
  readonly storeId: string
  readonly random: Random
  readonly clock: EntityClock
  /** Build steps by PartBuild id (returned with the build, not separate entities here). */
  readonly steps = new Map<string, PartBuildStep[]>()
  /** Job ids by PartBuild id, in quantityIndex order. */
  readonly jobsByBuild = new Map<string, string[]>()
  private readonly settings = new Map<string, PrinterSettings>()
  /** Parts whose metadata extraction is due (the scheduler runs it; see parts.ts). */
  readonly pendingAnalysis = new Set<string>()
  /** Next free queueOrder at the back of the queue. */
  queueCounter = 1
  private readonly storeRecord: Store

  constructor(setup: StoreSetup) {
    const { storeId } = setup
    this.storeId = storeId
    this.random = setup.random
    this.clock = setup.clock
    for (const p of setup.printers)
      this.state.printers.set(p.id, { ...structuredClone(p), storeId })
    const { materials, variants } = demoMaterials(storeId)
    for (const m of materials) this.state.materials.set(m.id, m)
    for (const v of variants) this.state.materialVariants.set(v.id, v)
    const slots = setup.slots.filter((s) => this.state.printers.has(s.printerId))
    for (const p of this.state.printers.values()) {
      // A printer nobody configured still has filament: one spool of PLA Basic Black.
      if (!slots.some((s) => s.printerId === p.id)) {
        slots.push({
          printerId: p.id,
          amsIndex: -1,
          slotIndex: 0,
          variantId: 'sbxvariant00000000000002'
        })
      }
    }
    for (const s of slotEntities(storeId, slots, this.state.materialVariants, this.state.materials))
      this.state.printerSlots.set(s.id, s)
    for (const [id, s] of Object.entries(setup.settings))
      this.settings.set(id, { ...DEFAULT_SETTINGS, ...s })
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

  /** Sandbox-only settings of a printer. */
  settingsOf(printerId: string): PrinterSettings {
    return this.settings.get(printerId) ?? DEFAULT_SETTINGS
  }

  /** Changes a printer's sandbox-only settings. */
  setSettings(printerId: string, patch: Partial<PrinterSettings>): void {
    this.settings.set(printerId, { ...this.settingsOf(printerId), ...patch })
  }

  /** A printer's slots with what they hold, loaded ones only. */
  loadedSlots(printerId: string): LoadedSlot[] {
    const out: LoadedSlot[] = []
    for (const slot of this.state.printerSlots.values()) {
      if (slot.printerId !== printerId || (!slot.materialType && !slot.materialId)) continue
      const variant = slot.variantId ? this.state.materialVariants.get(slot.variantId) : undefined
      const material = slot.materialId ? this.state.materials.get(slot.materialId) : undefined
      out.push({ slot, variant, material })
    }
    return out.sort(
      (a, b) => a.slot.amsIndex - b.slot.amsIndex || a.slot.slotIndex - b.slot.slotIndex
    )
  }

  private emit(event: SandboxEntityEvent): void {
    try {
      this.events.emit('entity', event)
    } catch (e) {
      // A faulty listener must not corrupt the request that changed the state.
      console.error('[sandbox] entity listener failed:', e)
    }
  }

  /** Publishes a printer-stats message (telemetry.ts builds them). */
  emitStats(message: PrinterStatMessage): void {
    try {
      this.events.emit('printerStats', message)
    } catch (e) {
      console.error('[sandbox] printer-stats listener failed:', e)
    }
  }

  /** Emits INSERT for a new entity. */
  insert(type: EntityType, entity: Entity): void {
    this.emit({
      entityType: type,
      action: 'INSERT',
      entities: { [entity.id]: structuredClone(entity) }
    })
  }

  /** Emits DELETE for a removed entity. */
  remove(type: EntityType, entity: Entity): void {
    this.emit({
      entityType: type,
      action: 'DELETE',
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

  /** Removes a printer (its slots go too; a job it was running fails). Returns false if unknown. */
  deletePrinter(id: string): boolean {
    const p = this.state.printers.get(id)
    if (!p) return false
    const job = p.printingJobId ? this.state.printJobs.get(p.printingJobId) : undefined
    if (job && !isTerminal(job)) {
      this.patchJob(job, {
        status: 'failed',
        printingCompletedAt: job.printingStartedAt ? this.clock.stamp() : null,
        errorMessage: `Printer ${p.name} was removed from the store`
      })
    }
    this.state.printers.delete(id)
    for (const [slotId, slot] of this.state.printerSlots)
      if (slot.printerId === id) this.state.printerSlots.delete(slotId)
    this.settings.delete(id)
    this.remove('printer', p)
    return true
  }
}
