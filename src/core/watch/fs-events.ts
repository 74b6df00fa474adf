// File-system events for hot folders, from chokidar: well kept, pure JavaScript since v4 (no
// native module to rebuild for Electron), and its `usePolling` mode works on network shares
// (SMB/NFS) where inotify/FSEvents see nothing. The events are only hints — the folder watcher's
// periodic scan is what decides — so a share that drops events delays a file, never loses it.
import { watch } from 'chokidar'

export interface FsEventOptions {
  /** Poll instead of OS events (network shares). */
  usePolling?: boolean
  /** Poll interval. Default 1 s. */
  intervalMs?: number
}

/** Calls `changed` when anything at the top level of `folder` is added, changed or removed. */
export function chokidarEvents(options: FsEventOptions = {}) {
  return (folder: string, changed: () => void): (() => void) => {
    const watcher = watch(folder, {
      depth: 0,
      ignoreInitial: true,
      usePolling: options.usePolling ?? false,
      interval: options.intervalMs ?? 1000,
      // Our own stability check is on the injected clock; chokidar's would only add latency.
      awaitWriteFinish: false
    })
    watcher.on('all', changed)
    // A folder that vanishes or refuses us is reported by the scan, in words.
    watcher.on('error', changed)
    return () => void watcher.close()
  }
}
