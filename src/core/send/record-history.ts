// Turns queued files into history entries: one per part build. The send service calls it for
// every job it runs (sends, resumes, Print again), and journals the files it recorded, so a
// history write that failed (disk full) is done again on the next resume instead of a queued job
// silently missing from the history. Shared by the app core and the CLI.
import { statSync } from 'node:fs'
import { basename } from 'node:path'

import { createHistoryEntry, type HistoryStore } from '../history/store'
import type { HistoryEntry } from '../../shared/history'
import { defaultLabel, type SentOriginal } from '../../shared/send'
import type { JobRecord } from './state'

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

function sourceOf(source: SentOriginal): NonNullable<HistoryEntry['original']> {
  return {
    file: source.path,
    fileName: basename(source.path.replace(/\\/g, '/')),
    sha256: source.sha256,
    unit: source.unit
  }
}

/** The history could not be written; `cause` is the file system's error. */
export class HistoryWriteError extends Error {
  constructor(readonly cause: unknown) {
    super(`the job history could not be written: ${(cause as Error)?.message ?? String(cause)}`)
    this.name = 'HistoryWriteError'
  }
}

/**
 * Adds the job's built files at `indices` to the history (idempotent per part build). A reprint
 * copies what its original entry knew (name, size, thumbnail). Throws HistoryWriteError when the
 * history file could not be written: the entries are then only in memory.
 */
export function recordJobFiles(
  history: HistoryStore,
  storeId: string,
  job: JobRecord,
  indices: number[]
): void {
  for (const index of indices) {
    const it = job.items[index]!
    const item = job.request.items[index]!
    if (!it.partBuildId) continue
    const original = it.reprintOf ? history.get(it.reprintOf) : undefined
    // A scaled copy was sent: the entry names the file the user chose and keeps both hashes.
    const source = item.meta?.original
    const converted = original?.original ?? (source ? sourceOf(source) : undefined)
    history.add(
      createHistoryEntry({
        storeId,
        file: original?.file ?? item.path,
        ...(original ? { fileName: original.fileName } : {}),
        ...(!original && converted ? { fileName: converted.fileName } : {}),
        ...(converted ? { original: converted } : {}),
        ...(item.material ? { material: item.material } : {}),
        ...(item.printerModels?.length ? { printerModels: item.printerModels } : {}),
        sha256: it.sha256 ?? original?.sha256 ?? '',
        size: original?.size ?? item.meta?.bytes ?? fileSize(item.path),
        dimensions: original?.dimensions ?? item.meta?.size,
        triangles: original?.triangles ?? item.meta?.triangles,
        thumbnail: original?.thumbnail ?? item.meta?.thumbnail,
        partId: it.partId ?? '',
        partBuildId: it.partBuildId,
        printJobIds: it.printJobIds ?? [],
        routing: job.request.routing,
        label: item.label ?? defaultLabel(item.path),
        quantity: item.quantity,
        priority: item.priority ?? 'normal',
        position: item.position ?? 'back',
        ...(it.reprintOf ? { reprintOf: it.reprintOf } : {}),
        ...(it.project
          ? {
              project: {
                ...it.project,
                ...(item.plateQuantities ? { plateQuantities: item.plateQuantities } : {}),
                ...(item.use3MFProcessProfile !== undefined
                  ? { use3MFProcessProfile: item.use3MFProcessProfile }
                  : {})
              }
            }
          : {})
      })
    )
  }
  if (history.writeError) throw new HistoryWriteError(history.writeError)
}
