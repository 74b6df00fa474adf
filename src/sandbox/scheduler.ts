// A scripted print farm: pending → assigned → slicing → sending-to-printer → printing → completed
// (or failed). Time is virtual: real time × speed, so speed 0 pauses and tick() steps by hand.
import type { Printer, PrintJob } from '../shared/printago/api-types'
import { realClock, type SandboxClock, type SandboxTimer } from './clock'
import { canRun } from './matching'
import { isTerminal, withPrintStatus, type SandboxStore } from './store'

/** Virtual milliseconds each state lasts at speed 1 ("realistic-ish", yet a demo keeps moving). */
const STEP_MS: Partial<Record<PrintJob['status'], number>> = {
  assigned: 2_000,
  slicing: 5_000,
  'sending-to-printer': 3_000,
  printing: 30_000
}
const BED_CLEAR_MS = 20_000
const EXTERNAL_PRINT_MS = 45_000
const LOOP_MS = 50

/** Scheduler options. */
export interface SchedulerOptions {
  speed: number
  autoClearBeds: boolean
  failureRate: number
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
  private readonly due = new Map<string, { status: string; at: number }>()
  private readonly bedDue = new Map<string, number>()
  private readonly externalDue = new Map<string, number>()
  private dirty = true
  private readonly onEntity = (): void => {
    this.dirty = true
  }

  constructor(
    private readonly store: SandboxStore,
    private readonly opts: SchedulerOptions
  ) {
    this.clock = opts.clock ?? realClock
    this.lastReal = this.clock.now()
    store.events.on('entity', this.onEntity)
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
  }

  /** One deterministic step: every running job moves once, then pending jobs get printers. */
  tick(): void {
    for (const job of this.activeJobs()) this.step(job)
    this.assignPending()
  }

  private advanceClock(): void {
    const now = this.clock.now()
    this.virtual += (now - this.lastReal) * this.speed
    this.lastReal = now
  }

  private loop(): void {
    try {
      this.advanceClock()
      for (const job of this.activeJobs()) {
        // Several steps may fall due within one loop at high speeds.
        for (let guard = 0; guard < 8 && !isTerminal(job); guard++) {
          const duration = STEP_MS[job.status] ?? 1_000
          let entry = this.due.get(job.id)
          if (!entry || entry.status !== job.status) {
            entry = { status: job.status, at: this.virtual + duration }
            this.due.set(job.id, entry)
          }
          if (entry.at > this.virtual) break
          const at = entry.at
          this.step(job)
          this.due.set(job.id, { status: job.status, at: at + (STEP_MS[job.status] ?? 1_000) })
        }
        if (isTerminal(job)) this.due.delete(job.id)
      }
      this.printerChores()
      if (this.dirty) this.assignPending()
    } catch (e) {
      console.error('[sandbox] scheduler loop failed:', e)
    }
  }

  /** Timer-only housekeeping: finish external prints and clear beds so the demo keeps flowing. */
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
      const dirtyBed = this.opts.autoClearBeds && p.isOnline && p.isAvailable && !p.confirmedReady
      if (dirtyBed) {
        const at = this.bedDue.get(p.id) ?? this.virtual + BED_CLEAR_MS
        this.bedDue.set(p.id, at)
        if (at <= this.virtual) {
          this.bedDue.delete(p.id)
          this.store.patchPrinter(p, { confirmedReady: true, ...withPrintStatus(p, 'IDLE') })
        }
      } else this.bedDue.delete(p.id)
    }
  }

  /** Jobs currently holding a printer. */
  private activeJobs(): PrintJob[] {
    const out: PrintJob[] = []
    for (const p of this.store.state.printers.values()) {
      const job = p.printingJobId ? this.store.state.printJobs.get(p.printingJobId) : undefined
      if (job && !isTerminal(job) && job.status !== 'pending' && job.status !== 'paused')
        out.push(job)
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

  /** Moves a job one state forward. */
  private step(job: PrintJob): void {
    const s = this.store
    const p = this.printerOf(job)
    const now = (): string => s.clock.stamp()
    switch (job.status) {
      case 'assigned':
        s.patchJob(job, { status: 'slicing' })
        break
      case 'slicing': {
        const gcode = `${s.storeId}/print-jobs/${job.id}/plate_1.gcode.3mf`
        s.patchJob(job, {
          status: 'sending-to-printer',
          slicedGcodeUri: gcode,
          filesToPrint: [gcode],
          slicerInputHash: s.random.token(40),
          assignmentCompletedAt: now()
        })
        break
      }
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
          const hours = Math.round((STEP_MS.printing! / 3_600_000) * 1000) / 1000
          s.releasePrinter(job, true, fail ? 'FAILED' : 'FINISH')
          s.patchPrinter(p, {
            lastPrintedAt: at,
            lifetimeJobCount: p.lifetimeJobCount + 1,
            lifetimePrintHours: Math.round((p.lifetimePrintHours + hours) * 1000) / 1000
          })
        }
        break
      }
    }
  }

  /** Gives ready printers to pending jobs by priority tier, then queue order. */
  private assignPending(): void {
    this.dirty = false
    const s = this.store
    let free = [...s.state.printers.values()].filter(
      (p) => p.isAvailable && p.isOnline && p.confirmedReady
    )
    if (free.length === 0) return
    const pending = [...s.state.printJobs.values()]
      .filter((j) => j.status === 'pending')
      .sort(
        (a, b) =>
          a.priority - b.priority ||
          a.queueOrder - b.queueOrder ||
          a.createdAt.localeCompare(b.createdAt)
      )
    for (const job of pending) {
      const p = free.find((x) => canRun(x, job))
      if (!p) continue
      free = free.filter((x) => x !== p)
      s.patchPrinter(p, {
        isAvailable: false,
        printingJobId: job.id,
        ...withPrintStatus(p, 'PREPARE')
      })
      s.patchJob(job, {
        status: 'assigned',
        assignedPrinterId: p.id,
        assignmentStartedAt: s.clock.stamp()
      })
      if (free.length === 0) break
    }
    // Our own patches set dirty again; nothing more can be assigned until something else changes.
    this.dirty = false
  }
}
