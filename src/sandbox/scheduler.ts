// A scripted print farm. Jobs go pending → assigned → slicing → [sliced → finalizing] →
// [waiting-for-approval] → [ready-for-printer] → sending-to-printer → printing → completed (or
// failed; paused while paused). Time is virtual: the clock × speed, so speed 0 pauses and tick()
// steps by hand. It also runs part metadata extraction and the printers' own chores.
import type { Printer, PrintJob } from '../shared/printago/api-types'
import { realClock, type SandboxClock, type SandboxTimer } from './clock'
import { assignPending } from './assign'
import { plateOf } from './matching'
import { analyzePart } from './parts'
import { sliceJob } from './slicer'
import type { ObjectStorage } from './storage'
import { isTerminal, withPrintStatus, type SandboxStore } from './store'
import { progressStat, watchPrinters, type PrintProgress } from './telemetry'

/** Virtual milliseconds each state lasts at speed 1 ("realistic-ish", yet a demo keeps moving). */
const STEP_MS: Partial<Record<PrintJob['status'], number>> = {
  assigned: 2_000,
  slicing: 5_000,
  sliced: 1_000,
  finalizing: 2_000,
  'ready-for-printer': 1_000,
  'sending-to-printer': 3_000,
  printing: 30_000
}
const PRINT_MS = STEP_MS.printing!
const BED_CLEAR_MS = 20_000
const EXTERNAL_PRINT_MS = 45_000
const ANALYSIS_MS = 3_000
const PROGRESS_MS = 3_000
const LOOP_MS = 50

/** Scheduler options. */
export interface SchedulerOptions {
  speed: number
  /** Clear every bed on the timer (the old behaviour); otherwise only continuous-print printers. */
  autoClearBeds: boolean
  failureRate: number
  lifecycle: 'compact' | 'full'
  /** Time and timers (default: real). */
  clock?: Required<SandboxClock>
}

/** Drives jobs through their lifecycle on the store's printers. */
export class Scheduler {
  private speed = 0
  private timer: SandboxTimer | undefined
  private virtual = 0
  private readonly clock: Required<SandboxClock>
  private lastReal: number
  private lastLoop = 0
  /** Virtual ms spent in the current (non-printing) state, per job. */
  private readonly inState = new Map<string, { status: string; ms: number }>()
  /** Virtual ms printed, per job (survives a pause). */
  private readonly printed = new Map<string, number>()
  private readonly progressAt = new Map<string, number>()
  private readonly bedDue = new Map<string, number>()
  private readonly externalDue = new Map<string, number>()
  private readonly analysisDue = new Map<string, number>()
  private dirty = true
  private readonly onEntity = (): void => {
    this.dirty = true
  }
  private readonly unwatch: () => void

  constructor(
    private readonly store: SandboxStore,
    private readonly storage: ObjectStorage,
    private readonly opts: SchedulerOptions
  ) {
    this.clock = opts.clock ?? realClock
    this.lastReal = this.clock.now()
    store.events.on('entity', this.onEntity)
    this.unwatch = watchPrinters(
      store,
      (id) => this.progressOf(id),
      () => this.clock.now()
    )
    this.setSpeed(opts.speed)
  }

  /** Changes the speed multiplier; 0 stops the clock. */
  setSpeed(speed: number): void {
    if (!Number.isFinite(speed) || speed < 0) throw new Error('speed must be a finite number ≥ 0')
    this.advanceClock()
    this.speed = speed
    if (speed > 0 && this.timer === undefined) this.schedule()
    else if (speed === 0 && this.timer !== undefined) {
      this.clock.clearTimeout(this.timer)
      this.timer = undefined
    }
  }

  /** A chain of timeouts, not an interval: a virtual clock sees one pending timer, a stop is final. */
  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined
      if (this.speed === 0) return
      this.loop()
      if (this.speed > 0 && this.timer === undefined) this.schedule()
    }, LOOP_MS)
  }

  /** Current speed. */
  getSpeed(): number {
    return this.speed
  }

  /** Stops the timer and detaches from the store. */
  stop(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer)
    this.timer = undefined
    this.speed = 0
    this.store.events.off('entity', this.onEntity)
    this.unwatch()
  }

  /** Where a printing (or paused) job is; null for other jobs. */
  progressOf(jobId: string): PrintProgress | null {
    const job = this.store.state.printJobs.get(jobId)
    if (!job || (job.status !== 'printing' && job.status !== 'paused')) return null
    const done = Math.min(PRINT_MS, this.printed.get(jobId) ?? 0)
    return { percent: (done / PRINT_MS) * 100, remainingMs: PRINT_MS - done }
  }

  /**
   * One deterministic step: pending part analyses finish, continuous-print printers clear beds
   * left from earlier steps, every running job moves one state, then pending jobs get printers.
   */
  tick(): void {
    for (const id of [...this.store.pendingAnalysis]) this.analyze(id)
    for (const p of this.store.state.printers.values()) if (this.clearsItself(p)) this.clearBed(p)
    for (const job of this.activeJobs()) if (this.moves(job)) this.step(job)
    this.assignPending()
  }

  private advanceClock(): void {
    const now = this.clock.now()
    this.virtual += (now - this.lastReal) * this.speed
    this.lastReal = now
  }

  private analyze(partId: string): void {
    this.analysisDue.delete(partId)
    const part = this.store.state.parts.get(partId)
    if (part) analyzePart(this.store, this.storage, part)
    else this.store.pendingAnalysis.delete(partId)
  }

  /** Jobs that advance on their own (paused and waiting-for-approval jobs wait for a person). */
  private moves(job: PrintJob): boolean {
    return job.status !== 'paused' && job.status !== 'waiting-for-approval'
  }

  private loop(): void {
    try {
      this.advanceClock()
      const delta = Math.max(0, this.virtual - this.lastLoop)
      this.lastLoop = this.virtual
      for (const id of this.store.pendingAnalysis) {
        const due = this.analysisDue.get(id) ?? this.virtual + ANALYSIS_MS
        this.analysisDue.set(id, due)
        if (due <= this.virtual) this.analyze(id)
      }
      for (const job of this.activeJobs()) this.run(job, delta)
      this.printerChores()
      if (this.dirty) this.assignPending()
    } catch (e) {
      console.error('[sandbox] scheduler loop failed:', e)
    }
  }

  /** Spends `budget` virtual ms on a job: several steps may fall due within one loop. */
  private run(job: PrintJob, budget: number): void {
    for (let guard = 0; guard < 12 && !isTerminal(job) && this.moves(job); guard++) {
      if (job.status === 'printing') {
        const done = this.printed.get(job.id) ?? 0
        const need = PRINT_MS - done
        if (budget < need) {
          this.printed.set(job.id, done + budget)
          this.reportProgress(job)
          return
        }
        this.printed.set(job.id, PRINT_MS)
        budget -= need
      } else {
        let rec = this.inState.get(job.id)
        if (!rec || rec.status !== job.status)
          this.inState.set(job.id, (rec = { status: job.status, ms: 0 }))
        const need = (STEP_MS[job.status] ?? 1_000) - rec.ms
        if (budget < need) {
          rec.ms += budget
          return
        }
        budget -= need
      }
      this.step(job)
    }
  }

  private reportProgress(job: PrintJob): void {
    const last = this.progressAt.get(job.id) ?? -Infinity
    if (this.virtual - last < PROGRESS_MS) return
    this.progressAt.set(job.id, this.virtual)
    const p = this.printerOf(job)
    const progress = this.progressOf(job.id)
    if (p && progress)
      this.store.emitStats(progressStat(this.store, p, job, progress, this.clock.now()))
  }

  /** Whether a printer clears its own bed (continuous print, or every printer with autoClearBeds). */
  private clearsItself(p: Printer): boolean {
    return p.isOnline && p.isAvailable && !p.confirmedReady && p.continuousPrint
  }

  private clearBed(p: Printer): void {
    const patch: Partial<Printer> = { confirmedReady: true, ...withPrintStatus(p, 'IDLE') }
    // A FabMatic job limit counts down with each automatic clear; at 0 continuous print stops.
    if (p.continuousPrint && typeof p.fabmaticRemainingJobs === 'number') {
      const left = Math.max(0, p.fabmaticRemainingJobs - 1)
      patch.fabmaticRemainingJobs = left
      if (left === 0) patch.continuousPrint = false
    }
    this.store.patchPrinter(p, patch)
  }

  /** Timer-only housekeeping: external prints finish, beds clear where something clears them. */
  private printerChores(): void {
    for (const p of this.store.state.printers.values()) {
      const external = p.isOnline && !p.isAvailable && !p.printingJobId
      if (external) {
        const at = this.externalDue.get(p.id) ?? this.virtual + EXTERNAL_PRINT_MS
        this.externalDue.set(p.id, at)
        if (at <= this.virtual) {
          this.externalDue.delete(p.id)
          this.store.patchPrinter(p, {
            isAvailable: true,
            confirmedReady: false,
            lastPrintedAt: this.store.clock.stamp(),
            ...withPrintStatus(p, 'FINISH')
          })
        }
      } else this.externalDue.delete(p.id)
      const dirtyBed =
        this.clearsItself(p) ||
        (this.opts.autoClearBeds && p.isOnline && p.isAvailable && !p.confirmedReady)
      if (dirtyBed) {
        const at = this.bedDue.get(p.id) ?? this.virtual + BED_CLEAR_MS
        this.bedDue.set(p.id, at)
        if (at <= this.virtual) {
          this.bedDue.delete(p.id)
          this.clearBed(p)
        }
      } else this.bedDue.delete(p.id)
    }
  }

  /** Jobs currently holding a printer. */
  private activeJobs(): PrintJob[] {
    const out: PrintJob[] = []
    for (const p of this.store.state.printers.values()) {
      const job = p.printingJobId ? this.store.state.printJobs.get(p.printingJobId) : undefined
      if (job && !isTerminal(job) && job.status !== 'pending') out.push(job)
    }
    return out
  }

  private printerOf(job: PrintJob): Printer | undefined {
    return job.assignedPrinterId ? this.store.state.printers.get(job.assignedPrinterId) : undefined
  }

  private shouldFail(job: PrintJob): boolean {
    if (job.label.includes('[fail]')) return true
    return this.opts.failureRate > 0 && this.store.random.next() < this.opts.failureRate
  }

  /** Where a job goes once it is sliced (or needs no slicing). */
  private afterSlicing(p: Printer | undefined): PrintJob['status'] {
    if (this.opts.lifecycle === 'full') return 'sliced'
    return this.approval(p) ? 'waiting-for-approval' : 'sending-to-printer'
  }

  private approval(p: Printer | undefined): boolean {
    return !!p && this.store.settingsOf(p.id).requiresApproval
  }

  /** Moves a job one state forward. */
  private step(job: PrintJob): void {
    const s = this.store
    const p = this.printerOf(job)
    const now = (): string => s.clock.stamp()
    const forget = (): void => {
      this.inState.delete(job.id)
      this.printed.delete(job.id)
      this.progressAt.delete(job.id)
    }
    switch (job.status) {
      case 'assigned': {
        const plate = plateOf(s, job)
        const part = job.partId ? s.state.parts.get(job.partId) : undefined
        if (plate?.sliced && part) {
          // Already sliced (gcode3mf): nothing to slice, the plate's G-code is sent as it is.
          const file = part.gcodePlateUris?.[String(plate.id)] ?? part.fileUris[0] ?? ''
          s.patchJob(job, {
            status: this.opts.lifecycle === 'full' ? 'finalizing' : this.afterSlicing(p),
            slicedGcodeUri: file,
            filesToPrint: [file],
            isGcodeCached: true,
            assignmentCompletedAt: now()
          })
        } else s.patchJob(job, { status: 'slicing' })
        break
      }
      case 'slicing': {
        if (!p) break
        const result = sliceJob(s, this.storage, job, p, now())
        if (!result.ok) {
          s.patchJob(job, {
            status: 'failed',
            errorMessage: result.errorMessage,
            logsUri: result.logsUri,
            assignmentCompletedAt: now()
          })
          s.releasePrinter(job, false, 'IDLE')
          forget()
          break
        }
        const part = job.partId ? s.state.parts.get(job.partId) : undefined
        s.patchJob(job, {
          status: this.afterSlicing(p),
          slicedGcodeUri: result.gcodeUri,
          filesToPrint: [result.gcodeUri],
          slicerInputHash: s.random.token(40),
          logsUri: result.logsUri,
          thumbnailUri: job.thumbnailUri ?? part?.thumbnailUri ?? null,
          assignmentCompletedAt: now()
        })
        break
      }
      case 'sliced':
        s.patchJob(job, { status: 'finalizing' })
        break
      case 'finalizing':
        s.patchJob(job, { status: this.approval(p) ? 'waiting-for-approval' : 'ready-for-printer' })
        break
      case 'ready-for-printer':
        s.patchJob(job, { status: 'sending-to-printer' })
        break
      case 'sending-to-printer':
        s.patchJob(job, {
          status: 'printing',
          printingStartedAt: now(),
          taskId: 100_000_000 + Math.floor(s.random.next() * 900_000_000)
        })
        if (p) s.patchPrinter(p, withPrintStatus(p, 'RUNNING'))
        break
      case 'printing': {
        const fail = this.shouldFail(job)
        const at = now()
        s.patchJob(
          job,
          fail
            ? {
                status: 'failed',
                printingCompletedAt: at,
                errorMessage: 'Printer halted: spaghetti detected (HMS_0C00-0300-0001-0001)'
              }
            : { status: 'completed', printingCompletedAt: at }
        )
        if (p) {
          const hours = Math.round((PRINT_MS / 3_600_000) * 1000) / 1000
          s.releasePrinter(job, true, fail ? 'FAILED' : 'FINISH')
          s.patchPrinter(p, {
            lastPrintedAt: at,
            lifetimeJobCount: p.lifetimeJobCount + 1,
            lifetimePrintHours: Math.round((p.lifetimePrintHours + hours) * 1000) / 1000
          })
        }
        forget()
        break
      }
    }
  }

  private assignPending(): void {
    assignPending(this.store)
    // Our own patches set dirty again; nothing more can be assigned until something else changes.
    this.dirty = false
  }
}
