// The hot folders of the app: one folder watcher per configured folder, their events (newest
// first, bounded) and one view pushed to the UI whenever something changed. The configuration is
// saved through `save` (the app's settings file); adding a folder checks it exists first.
import { randomUUID } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { homedir } from 'node:os'
import { isAbsolute, resolve, sep } from 'node:path'

import type { Clock } from '../infra/clock'
import type { StoreSession } from '../session'
import {
  MAX_WATCH_EVENTS,
  MAX_WATCH_FOLDERS,
  type WatchEvent,
  type WatchFolderConfig,
  type WatchView
} from '../../shared/watch'
import {
  createFolderWatcher,
  type FolderWatcher,
  type FolderWatcherOptions,
  type WatchSender
} from './folder-watcher'

export interface WatchServiceOptions extends Pick<
  FolderWatcherOptions,
  'stableMs' | 'rescanMs' | 'batchSize' | 'watchFs'
> {
  dataDir: string
  clock: Clock
  configs: WatchFolderConfig[]
  sender: () => Promise<WatchSender | null>
  save: (configs: WatchFolderConfig[]) => void
  onView: (view: WatchView) => void
  onEvent?: (event: WatchEvent) => void
}

/** Why a folder cannot be added, in words (expected errors are data). */
export class WatchConfigError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'WatchConfigError'
  }
}

export interface WatchService {
  view(): WatchView
  add(config: Omit<WatchFolderConfig, 'id' | 'paused'>): Promise<WatchFolderConfig>
  update(id: string, patch: Partial<Omit<WatchFolderConfig, 'id' | 'folder'>>): WatchFolderConfig
  remove(id: string): Promise<void>
  setPaused(id: string, paused: boolean): WatchFolderConfig
  release(id: string, file?: string): void
  sendAgain(id: string, file: string): Promise<boolean>
  close(): Promise<void>
}

/** A store session as a hot folder's sender. */
export function sessionSender(session: StoreSession): WatchSender {
  return {
    storeId: session.storeId,
    // `again`: the watcher settles its own unfinished jobs; never fold a file into another send.
    send: (request, jobId) => session.send(request, { jobId, again: true }),
    job: async (jobId) => (await session.sender()).journal.state.jobs.get(jobId),
    resume: () => session.resumePending(),
    printers: () =>
      session.printers.list().then(
        (list) => list.printers,
        () => null
      )
  }
}

export function createWatchService(opts: WatchServiceOptions): WatchService {
  const watchers = new Map<string, { config: WatchFolderConfig; watcher: FolderWatcher }>()
  const events: WatchEvent[] = []
  let nextEventId = 1
  let pushQueued = false
  let closed = false

  const view = (): WatchView => ({
    folders: [...watchers.values()].map((w) => w.watcher.view()),
    events: [...events]
  })
  const push = (): void => {
    if (pushQueued || closed) return
    pushQueued = true
    queueMicrotask(() => {
      pushQueued = false
      if (!closed) opts.onView(view())
    })
  }
  const save = (): void => opts.save([...watchers.values()].map((w) => w.config))

  const start = (config: WatchFolderConfig): void => {
    const watcher = createFolderWatcher({
      config,
      dataDir: opts.dataDir,
      sender: opts.sender,
      clock: opts.clock,
      ...(opts.stableMs !== undefined ? { stableMs: opts.stableMs } : {}),
      ...(opts.rescanMs !== undefined ? { rescanMs: opts.rescanMs } : {}),
      ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
      ...(opts.watchFs ? { watchFs: opts.watchFs } : {}),
      newId: randomUUID,
      onEvent: (e) => {
        const full = { ...e, id: nextEventId++ }
        events.unshift(full)
        if (events.length > MAX_WATCH_EVENTS) events.length = MAX_WATCH_EVENTS
        opts.onEvent?.(full)
        push()
      },
      onChange: push
    })
    watchers.set(config.id, { config, watcher })
  }
  const get = (id: string): { config: WatchFolderConfig; watcher: FolderWatcher } => {
    const w = watchers.get(id)
    if (!w) throw new WatchConfigError('There is no such hot folder (it was removed).')
    return w
  }
  const change = (id: string, next: WatchFolderConfig): WatchFolderConfig => {
    const w = get(id)
    w.config = next
    save()
    return next
  }

  for (const config of opts.configs) start(config)

  return {
    view,
    async add(input) {
      if (!isAbsolute(input.folder))
        throw new WatchConfigError('Give the folder as a full path (e.g. /home/farm/inbox).')
      const folder = resolve(input.folder)
      if (watchers.size >= MAX_WATCH_FOLDERS)
        throw new WatchConfigError(`At most ${MAX_WATCH_FOLDERS} hot folders.`)
      if ([...watchers.values()].some((w) => w.config.folder === folder))
        throw new WatchConfigError(`${folder} is already a hot folder.`)
      // Whole trees a hot folder would sweep files out of, and the app's own folder.
      const data = resolve(opts.dataDir)
      if (folder === resolve('/') || folder === resolve(homedir()))
        throw new WatchConfigError(`${folder} is too broad: make a folder for the files to send.`)
      if (folder === data || folder.startsWith(`${data}${sep}`))
        throw new WatchConfigError('The app keeps its own data there: choose another folder.')
      const info = await stat(folder).catch(() => null)
      if (!info) throw new WatchConfigError(`There is no folder ${folder}.`)
      if (!info.isDirectory()) throw new WatchConfigError(`${folder} is a file, not a folder.`)
      const config: WatchFolderConfig = { ...input, folder, id: randomUUID(), paused: false }
      start(config)
      save()
      push()
      return config
    },
    update(id, patch) {
      const w = get(id)
      const next = { ...w.config, ...patch }
      w.watcher.update(next)
      return change(id, next)
    },
    async remove(id) {
      const w = get(id)
      watchers.delete(id)
      save()
      push()
      await w.watcher.stop()
    },
    setPaused(id, paused) {
      const w = get(id)
      w.watcher.setPaused(paused)
      return change(id, { ...w.config, paused })
    },
    release: (id, file) => get(id).watcher.release(file),
    sendAgain: (id, file) => get(id).watcher.sendAgain(file),
    async close() {
      closed = true
      await Promise.all([...watchers.values()].map((w) => w.watcher.stop()))
    }
  }
}
