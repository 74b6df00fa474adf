// "Send it again" after an interruption means "finish it", not "a second copy": a new send whose
// files match files of an unfinished job of this store — same bytes (SHA-256), same routing,
// quantity, label, priority, position, material and printer models — resumes that job for those
// files instead of queuing them again. A deliberate second copy is an explicit choice (`--again`,
// Print again).
import { defaultLabel, type Routing, type SendItem, type SendRequest } from '../../shared/send'
import { hashFile } from '../infra/hash'
import { inspectAndHashFile } from './file-check'
import type { JobRecord } from './state'

/** Files of one unfinished job that a new request's files are. */
export interface JobMatch {
  job: JobRecord
  /** request index → the job's item index */
  items: Map<number, number>
}

function routingKey(r: Routing): string {
  if (r.mode === 'printer') return `printer:${r.printerId}`
  if (r.mode === 'tags') return `tags:${[...r.tags].sort().join('|')}`
  return 'any'
}

function itemKey(sha256: string, item: SendItem, routing: Routing): string {
  return JSON.stringify([
    sha256,
    routingKey(routing),
    item.quantity,
    item.label ?? defaultLabel(item.path),
    item.priority ?? 'normal',
    item.position ?? 'back',
    // What it prints with and where it may go are part of "the same send".
    item.material ?? null,
    [...(item.printerModels ?? [])].sort(),
    // A 3MF's plates and process settings too.
    Object.entries(item.plateQuantities ?? {}).sort(([a], [b]) => Number(a) - Number(b)),
    item.use3MFProcessProfile ?? false
  ])
}

/** The file's SHA-256 (the inspection cache makes a repeat free), or null when unreadable. */
async function sha256Of(
  path: string,
  check: boolean,
  signal?: AbortSignal
): Promise<string | null> {
  try {
    return (check ? await inspectAndHashFile(path, { signal }) : await hashFile(path, { signal }))
      .sha256
  } catch {
    return null
  }
}

/**
 * Match the request's files against the unfinished jobs' files (each file of a job matches at
 * most one file of the request). Jobs that stopped before hashing a file are matched by hashing
 * that file's path now.
 */
export async function matchUnfinished(
  request: SendRequest,
  unfinished: JobRecord[],
  options: { checkFiles: boolean; signal?: AbortSignal }
): Promise<JobMatch[]> {
  if (unfinished.length === 0) return []
  const hashes = new Map<string, string | null>()
  const hash = async (path: string): Promise<string | null> => {
    if (!hashes.has(path))
      hashes.set(path, await sha256Of(path, options.checkFiles, options.signal))
    return hashes.get(path)!
  }
  // Every open file of every unfinished job, by key, oldest job first.
  const open = new Map<string, Array<{ job: JobRecord; index: number }>>()
  for (const job of [...unfinished].sort((a, b) => a.createdAt - b.createdAt)) {
    for (const [index, it] of job.items.entries()) {
      if (it.error || it.reprintOf) continue
      const item = job.request.items[index]!
      const sha = it.sha256 ?? (await hash(item.path))
      if (!sha) continue
      const key = itemKey(sha, item, job.request.routing)
      open.set(key, [...(open.get(key) ?? []), { job, index }])
    }
  }
  const matches = new Map<string, JobMatch>()
  for (const [i, item] of request.items.entries()) {
    const sha = await hash(item.path)
    if (!sha) continue
    const hit = open.get(itemKey(sha, item, request.routing))?.shift()
    if (!hit) continue
    let m = matches.get(hit.job.jobId)
    if (!m) matches.set(hit.job.jobId, (m = { job: hit.job, items: new Map() }))
    m.items.set(i, hit.index)
  }
  return [...matches.values()]
}
