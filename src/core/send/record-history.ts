// Turns a finished send into history entries: one per queued file (part build). Shared by the
// app core and the CLI, so both write the same history.
import { statSync } from 'node:fs'

import { defaultLabel, type SendRequest, type SentFile } from '../../shared/send'
import { createHistoryEntry, type HistoryStore } from '../history/store'
import type { SendResult, SendService } from './service'

function fileSize(path: string): number {
  try {
    return statSync(path).size
  } catch {
    return 0
  }
}

/** Adds the sent files to the history (idempotent per part build, so a resumed send is safe). */
export function recordSentFiles(
  history: HistoryStore,
  storeId: string,
  request: SendRequest,
  files: SentFile[]
): void {
  for (const f of files) {
    const item = request.items.find((it) => it.path === f.file)
    history.add(
      createHistoryEntry({
        storeId,
        file: f.file,
        sha256: f.sha256,
        size: item?.meta?.bytes ?? fileSize(f.file),
        dimensions: item?.meta?.size,
        triangles: item?.meta?.triangles,
        thumbnail: item?.meta?.thumbnail,
        partId: f.partId,
        partBuildId: f.partBuildId,
        printJobIds: f.printJobIds,
        routing: request.routing,
        label: item?.label ?? defaultLabel(f.file),
        quantity: item?.quantity ?? 1,
        priority: item?.priority ?? 'normal',
        position: item?.position ?? 'back'
      })
    )
  }
}

/**
 * Finishes the sends an earlier run left unfinished (after a crash or quit) and records what they
 * queued in the history, so a resumed job is never missing from it.
 */
export async function resumeIntoHistory(
  service: Pick<SendService, 'pendingJobs' | 'resumePending'>,
  history: HistoryStore,
  storeId: string
): Promise<SendResult[]> {
  const requests = new Map(service.pendingJobs().map((j) => [j.jobId, j.request]))
  const results = await service.resumePending()
  for (const r of results) {
    const request = requests.get(r.jobId)
    if (request && r.files.length > 0) recordSentFiles(history, storeId, request, r.files)
  }
  return results
}
