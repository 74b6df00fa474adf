// One hot folder: scan → stable? → classify → send once → move, on the injected clock. The scan
// of the folder is the truth and runs every `rescanMs`; file-system events (chokidar, see
// fs-events.ts) only make the next scan come sooner, so a missed event, a network share or a
// restart never loses a file. Each file's fate is journaled (fates.ts) before anything is moved
// or sent, and the send itself is the send service's (journal, label marker, reconcile, dedupe):
// after a kill, a `picked` file is settled from what the send journal says its job did.
// Bounded: one batch of at most `batchSize` files in flight per folder; the client's rate
// limiter paces the calls. Settling results with the send journal is settle.ts.
import { createHash } from 'node:crypto'
import { readdir, realpath, stat } from 'node:fs/promises'
import { basename, join } from 'node:path'

import type { PrinterSummary } from '../../shared/ipc'
import type { SendRequest } from '../../shared/send'
import {
  expandLabel,
  WATCH_LOCK_FILE,
  type WatchEvent,
  type WatchFolderConfig,
  type WatchFolderState,
  type WatchFolderView
} from '../../shared/watch'
import { every, type Clock } from '../infra/clock'
import { diskProblem } from '../infra/fs'
import { JournalLockedError } from '../infra/journal'
import { acquireLock, LockHeldError, type LockHandle } from '../infra/lock'
import { classifyFile } from './classify'
import { fitRule } from './fit-rule'
import { openFateJournal, recordFate, type FateEntry, type FateJournal } from './fates'
import { ignoreReason, isOwnEntry } from './ignore'
import { moveToSent } from './moves'
import { createSettler, type WatchSender } from './settle'
import { createStabilityTracker } from './stable'

export type { WatchSender } from './settle'

export interface FolderWatcherOptions {
  config: WatchFolderConfig
  /** Where this folder's fate journal lives (in the data folder). */
  dataDir: string
  /** The store to send to; null while none is connected. */
  sender: () => Promise<WatchSender | null>
  clock: Clock
  /** Unchanged size and mtime for this long = stable. Default 3 s. */
  stableMs?: number
  /** Scan interval (also how often an error is retried). Default 2 s. */
  rescanMs?: number
  /** Files per send. Default 50. */
  batchSize?: number
  /** Subscribes to the folder's file-system events; returns an unsubscribe. Default: none. */
  watchFs?: (folder: string, changed: () => void) => () => void
  newId: () => string
  onEvent: (event: Omit<WatchEvent, 'id'>) => void
  onChange: () => void
}

export interface FolderWatcher {
  view(): WatchFolderView
  /** Runs one scan now (tests, and after a change of rules). Resolves when it is done. */
  scan(): Promise<void>
  setPaused(paused: boolean): void
  update(config: WatchFolderConfig): void
  /** Send the held files (hold mode), or one of them. */
  release(file?: string): void
  /** Forget what was sent with this file's content, so it is sent again if it is in the folder. */
  sendAgain(file: string): Promise<boolean>
  stop(): Promise<void>
}

/** The fate journal's folder for a watched folder: one per folder per data folder. */
export function fateDir(dataDir: string, folderRealPath: string): string {
  const key = createHash('sha256').update(folderRealPath).digest('hex').slice(0, 16)
  return join(dataDir, 'watch', key)
}

/** A folder problem in words (gone, no permission, disk full, another instance). */
export function folderProblem(folder: string, error: unknown): string {
  if (error instanceof LockHeldError)
    return `Another Printago Send (pid ${error.owner.pid}) is sending from this folder; this one stands by and takes over if it stops.`
  if (error instanceof JournalLockedError)
    return `Another Printago Send (pid ${error.pid}) using the same data folder watches this folder.`
  const disk = diskProblem(error)
  if (disk) return `${disk.message.split(':')[0]}: files are left in place until there is room.`
  const code = (error as NodeJS.ErrnoException).code
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return `The folder ${folder} is not there (moved, deleted or its drive disconnected). Watching again when it is back.`
  if (code === 'EACCES' || code === 'EPERM')
    return `No permission to read or write ${folder}. Fix its permissions; watching again then.`
  return `${folder}: ${(error as Error).message ?? String(error)}`
}

export function createFolderWatcher(opts: FolderWatcherOptions): FolderWatcher {
  let config = opts.config
  const folder = config.folder
  const stableMs = opts.stableMs ?? 3000
  const batchSize = Math.max(1, opts.batchSize ?? 50)
  const stability = createStabilityTracker(stableMs)
  let state: WatchFolderState = config.paused ? 'paused' : 'starting'
  let message: string | undefined
  let lock: LockHandle | null = null
  let fates: FateJournal | null = null
  let stopped = false
  /** name → what the last classification found, while size and mtime stay the same. */
  const known = new Map<string, { size: number; mtimeMs: number; sha256?: string }>()
  /** Names already reported as ignored (each is said once while it stays). */
  const saidIgnored = new Set<string>()
  const released = new Set<string>()
  let releaseAll = false
  let running: Promise<void> | null = null
  let again = false
  let duplicates = 0
  /** Files picked for another store, waiting until it is connected again. */
  let waitingForStore = 0

  const event = (file: string, fate: WatchEvent['fate'], extra: Partial<WatchEvent> = {}): void =>
    opts.onEvent({ folderId: config.id, at: opts.clock.now(), file, fate, ...extra })
  const setState = (next: WatchFolderState, words?: string): void => {
    if (next === state && words === message) return
    state = next
    message = words
    opts.onChange()
  }
  const record = async (...entries: FateEntry[]): Promise<void> => {
    if (entries.length > 0) await recordFate(fates!, ...entries)
  }

  /** Takes the folder's lock and opens its fate journal (each tried again on every scan). */
  const open = async (): Promise<void> => {
    await stat(folder)
    lock ??= await acquireLock(join(folder, WATCH_LOCK_FILE))
    fates ??= await openFateJournal(fateDir(opts.dataDir, await realpath(folder)), () =>
      opts.clock.now()
    )
  }

  const requestFor = (files: Array<{ name: string; printerModels?: string[] }>): SendRequest => ({
    routing: config.routing,
    items: files.map(({ name, printerModels }) => ({
      path: join(folder, name),
      ...(printerModels ? { printerModels } : {}),
      quantity: config.quantity,
      label: expandLabel(config.labelPattern, name, basename(folder), opts.clock.now()),
      ...(config.priority === 'low' ? { priority: 'low' as const } : {}),
      ...(config.material ? { material: config.material } : {})
    }))
  })

  const { fail, settle, recover } = createSettler({
    folder,
    afterSend: () => config.afterSend,
    record,
    event,
    forget: (name) => void known.delete(name),
    note: (words) => setState('watching', words)
  })

  /** One pass over the folder. */
  const pass = async (): Promise<void> => {
    if (stopped || config.paused) return
    try {
      await open()
    } catch (error) {
      setState('error', folderProblem(folder, error))
      return
    }
    const sender = await opts.sender()
    if (!sender) {
      setState('error', 'No store is connected: files wait here until one is.')
      return
    }
    try {
      waitingForStore = await recover(sender, fates!.state.fates.values())
      const entries = await readdir(folder, { withFileTypes: true })
      const now = opts.clock.now()
      const present = new Set<string>()
      const ready: string[] = []
      for (const entry of entries) {
        const name = entry.name
        present.add(name)
        if (isOwnEntry(name)) continue
        const why = ignoreReason(name, entry.isDirectory())
        if (why) {
          if (!saidIgnored.has(name)) {
            saidIgnored.add(name)
            event(name, 'ignored', { message: `Ignored: ${why}.` })
          }
          continue
        }
        const info = await stat(join(folder, name)).catch(() => null)
        if (!info?.isFile()) continue
        const seen = { size: info.size, mtimeMs: info.mtimeMs }
        const k = known.get(name)
        if (k && k.size === seen.size && k.mtimeMs === seen.mtimeMs) {
          if (releaseAll || released.has(name)) ready.push(name)
          continue
        }
        if (seen.size > 0 && stability.observe(name, seen, now)) ready.push(name)
      }
      stability.keepOnly(present)
      for (const name of saidIgnored) if (!present.has(name)) saidIgnored.delete(name)
      for (const name of known.keys()) if (!present.has(name)) known.delete(name)
      setState(
        'watching',
        waitingForStore > 0
          ? `${waitingForStore} file(s) were being sent to another store: they finish when it is connected again.`
          : undefined
      )
      await handle(ready.slice(0, batchSize), sender)
      if (ready.length > batchSize) again = true
    } catch (error) {
      setState('error', folderProblem(folder, error))
    }
    opts.onChange()
  }

  /** Classifies stable files and sends the new ones as one batch. */
  const handle = async (names: string[], sender: WatchSender): Promise<void> => {
    const batch: Array<{ name: string; sha256: string; printerModels?: string[] }> = []
    // Asked once per batch (the printer cache keeps within its request budget).
    let printers: PrinterSummary[] | null | undefined
    for (const name of names) {
      const path = join(folder, name)
      const info = await stat(path).catch(() => null)
      if (!info) continue
      const c = await classifyFile(path)
      if (c.kind === 'retry') continue
      if (c.kind === 'ignored') {
        known.set(name, { size: info.size, mtimeMs: info.mtimeMs })
        if (!saidIgnored.has(name)) event(name, 'ignored', { message: c.reason })
        saidIgnored.add(name)
        continue
      }
      if (c.kind === 'refused') {
        await fail(name, c.sha256, c.reason)
        continue
      }
      known.set(name, { size: info.size, mtimeMs: info.mtimeMs, sha256: c.sha256 })
      const fate = fates!.state.fates.get(c.sha256)
      if (fate?.state === 'sent') {
        if (fate.name === name && config.afterSend === 'move') {
          // Sent, then killed before the move: finish the move.
          await moveToSent(folder, name).catch(() => undefined)
          known.delete(name)
        } else if (fate.name === name) {
          // Left in place on purpose and remembered: nothing to say after a restart.
        } else {
          duplicates++
          event(name, 'duplicate', {
            message: `Same content as ${fate.name}, sent ${new Date(fate.at).toLocaleString()}: not sent again (Send again sends it).`
          })
        }
        continue
      }
      if (fate?.state === 'picked') continue
      const wasReleased = releaseAll || released.delete(name)
      if (config.mode === 'hold' && !wasReleased) {
        if (fate?.state !== 'held') {
          await record({ type: 'held', sha256: c.sha256, name })
          event(name, 'held', { message: 'Held for review: Send when it looks right.' })
        }
        continue
      }
      printers ??= await sender.printers()
      const fit = fitRule(c.dimensions, printers, config.routing, config.material)
      if ('refuse' in fit) {
        await fail(name, c.sha256, fit.refuse)
        continue
      }
      batch.push({ name, sha256: c.sha256, ...fit })
    }
    releaseAll = false
    if (batch.length === 0) return
    const jobId = opts.newId()
    // Journaled before the send: a kill from here on is settled from the send journal.
    await record({
      type: 'picked',
      files: batch.map(({ name, sha256 }) => ({ name, sha256 })),
      jobId,
      storeId: sender.storeId
    })
    for (const f of batch) event(f.name, 'picked')
    opts.onChange()
    const byPath = new Map(batch.map((f) => [join(folder, f.name), f.sha256]))
    const result = await sender.send(requestFor(batch), jobId)
    await settle(result, byPath)
  }

  const scan = (): Promise<void> => {
    if (running) {
      again = true
      return running
    }
    running = (async () => {
      do {
        again = false
        await pass()
      } while (again && !stopped)
    })().finally(() => (running = null))
    return running
  }

  const stopTimer = every(opts.clock, opts.rescanMs ?? 2000, () => void scan())
  const unwatch = opts.watchFs?.(folder, () => void scan()) ?? (() => undefined)
  void scan()

  return {
    view() {
      const held = [...(fates?.state.fates.values() ?? [])]
        .filter((f) => f.state === 'held')
        .map((f) => f.name)
      const counts = { sent: 0, failed: 0, duplicate: duplicates }
      for (const f of fates?.state.fates.values() ?? []) {
        if (f.state === 'sent') counts.sent++
        if (f.state === 'failed') counts.failed++
      }
      return {
        config,
        state: config.paused ? 'paused' : state,
        ...(message && !config.paused ? { message } : {}),
        settling: stability.settling(opts.clock.now()),
        held,
        counts
      }
    },
    scan,
    setPaused(paused) {
      config = { ...config, paused }
      opts.onChange()
      if (!paused) void scan()
    },
    update(next) {
      config = { ...next, folder }
      opts.onChange()
      void scan()
    },
    release(file) {
      if (file) released.add(file)
      else releaseAll = true
      void scan()
    },
    async sendAgain(file) {
      const sha = known.get(file)?.sha256
      const fate = sha ? fates?.state.fates.get(sha) : undefined
      if (!sha || !fate || fate.state === 'picked') return false
      await record({ type: 'forget', sha256: sha })
      known.delete(file)
      stability.forget(file)
      void scan()
      return true
    },
    async stop() {
      stopped = true
      stopTimer()
      unwatch()
      await running?.catch(() => undefined)
      await fates?.close()
      await lock?.release()
      fates = null
      lock = null
    }
  }
}
