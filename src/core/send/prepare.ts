// Everything up to "each live file has a Printago part": check and hash each file, reuse the part
// of a file this store sent before (dedupe cache, or a lookup by hash when the cache can't be
// trusted), then one signed-URL call for the rest, their uploads and part creations (part.ts).
// A file that fails here fails alone; the others go on to the build.
import { PrintagoError, type PrintagoErrorCode } from '../printago/errors'
import { mapLimit } from '../infra/async'
import { hashFile, type HashProgress } from '../infra/hash'
import { beforeUpload, JournalWriteError, live, stopsJob, type SendContext } from './context'
import { partKindOfName, platesProblem } from '../../shared/send-project'
import { FileCheckError, inspectAndHashFile } from './file-check'
import { createPartFor, findPartByHash, partKey, uploadItem } from './part'
import type { JobRecord } from './state'
import { uploadFilename } from './validate'

/** Bring every live file of the job to a part (or a recorded failure). */
export async function prepareParts(
  ctx: SendContext,
  job: JobRecord,
  signal: AbortSignal
): Promise<void> {
  await hashItems(ctx, job, signal)
  await reuseKnownParts(ctx, job, signal)
  // The same file twice in one send: upload it once; the copies reuse the first one's part.
  const leaderOf = new Map<number, number>()
  const firstBySha = new Map<string, number>()
  for (const i of live(job)) {
    const it = job.items[i]!
    if (!it.sha256) continue
    const key = keyOf(job, i)
    const first = firstBySha.get(key)
    if (first === undefined) firstBySha.set(key, i)
    else if (beforeUpload(it)) leaderOf.set(i, first)
  }
  try {
    await requestTargets(ctx, job, signal, new Set(leaderOf.keys()))
  } catch (error) {
    if (stopsJob(error, signal)) throw error
    for (const i of live(job)) {
      if (!leaderOf.has(i) && beforeUpload(job.items[i]!)) await ctx.failItem(job, i, error)
    }
  }
  const todo = live(job).filter((i) => !job.items[i]!.partId && !leaderOf.has(i))
  await mapLimit(todo, ctx.settings.concurrency, async (index) => {
    try {
      await uploadItem(ctx, job, index, signal)
      await createPartFor(ctx, job, index, signal)
    } catch (error) {
      if (stopsJob(error, signal)) throw error
      await ctx.failItem(job, index, error)
    }
  })
  for (const [index, leader] of leaderOf) {
    const first = job.items[leader]!
    if (first.partId) {
      await ctx.write({ type: 'part', jobId: job.jobId, index, partId: first.partId, reused: true })
      ctx.emit(job, index, 'creating-part', { reusedPart: true })
    } else if (first.error) {
      const error = new PrintagoError({
        code: first.error.code as PrintagoErrorCode,
        message: first.error.message
      })
      await ctx.failItem(job, index, error)
    }
  }
}

/** Check and hash each live file not hashed yet; a file that can't be sent fails alone. */
async function hashItems(ctx: SendContext, job: JobRecord, signal: AbortSignal): Promise<void> {
  const todo = live(job).filter((i) => !job.items[i]!.sha256)
  await mapLimit(todo, ctx.settings.hashConcurrency, async (index) => {
    const path = job.request.items[index]!.path
    try {
      let lastFraction = -1
      ctx.emit(job, index, 'hashing', { fraction: 0 })
      const onProgress = ({ bytesDone, bytesTotal }: HashProgress): void => {
        const fraction = bytesTotal > 0 ? bytesDone / bytesTotal : 1
        if (fraction - lastFraction >= 0.01 || fraction === 1) {
          lastFraction = fraction
          ctx.emit(job, index, 'hashing', { fraction, bytesDone, bytesTotal })
        }
      }
      // One read for the check and the hash, none when the file was read unchanged before. A 3MF
      // is always checked: its part type, plates and (sliced) printers come from the check.
      const want = job.request.items[index]!
      const { sha256, size, project } =
        ctx.settings.checkFiles || partKindOfName(path) !== 'stl'
          ? await inspectAndHashFile(path, { signal, onProgress })
          : { ...(await hashFile(path, { signal, onProgress })), project: undefined }
      if (want.plateQuantities) {
        const problem = project
          ? platesProblem(want.plateQuantities, project)
          : 'it is an STL, which has no plates'
        if (problem)
          throw new FileCheckError(path, 'not-3mf', `${path}: per-plate quantities: ${problem}`)
      }
      await ctx.write({
        type: 'hashed',
        jobId: job.jobId,
        index,
        sha256,
        size,
        ...(project ? { project } : {})
      })
    } catch (error) {
      if (signal.aborted || error instanceof JournalWriteError) throw error
      await ctx.failItem(job, index, error)
    }
  })
}

/**
 * Give hashed files not yet past upload the part this store already has for their bytes: from
 * the dedupe cache, or by one lookup by hash when the cache can't be trusted for that file.
 */
async function reuseKnownParts(
  ctx: SendContext,
  job: JobRecord,
  signal: AbortSignal
): Promise<void> {
  const reuse = async (index: number, partId: string): Promise<void> => {
    await ctx.write({ type: 'part', jobId: job.jobId, index, partId, reused: true })
    ctx.emit(job, index, 'creating-part', { reusedPart: true })
  }
  for (const index of live(job)) {
    const item = job.items[index]!
    if (!item.sha256 || item.noReuse || !beforeUpload(item)) continue
    const hit = ctx.dedupe.get(keyOf(job, index))
    if (hit) await reuse(index, hit.partId)
  }
  // Items whose cached part vanished: one lookup by hash before uploading again.
  for (const index of live(job)) {
    const item = job.items[index]!
    if (item.noReuse && beforeUpload(item)) {
      const found = await findPartByHash(ctx, job, index, signal)
      if (found) {
        await ctx.write({ type: 'part', jobId: job.jobId, index, partId: found.id, reused: true })
        await ctx.remember(keyOf(job, index), found.id)
      }
    }
  }
  // A part an ended job may have created without learning its id: one lookup by hash before
  // uploading the file again (each such file once; the cache then knows the part).
  const looked = new Map<string, string | null>()
  for (const index of live(job)) {
    const item = job.items[index]!
    if (
      !item.sha256 ||
      item.noReuse ||
      !beforeUpload(item) ||
      !unresolvedPartIntent(ctx, job, item.sha256)
    ) {
      continue
    }
    const key = keyOf(job, index)
    let partId = looked.get(key)
    if (partId === undefined) {
      partId = (await findPartByHash(ctx, job, index, signal))?.id ?? null
      looked.set(key, partId)
      if (partId) await ctx.remember(key, partId)
    }
    if (partId) await reuse(index, partId)
  }
}

/** The dedupe key of a hashed file's part (part.ts: a 3MF's process-settings choice is its own). */
function keyOf(job: JobRecord, index: number): string {
  const item = job.items[index]!
  return partKey(item.sha256!, job.request.items[index]!, item.project)
}

/**
 * True when an earlier job, now ended (cancelled, or the file failed), sent POST /v1/parts for
 * this hash and never learnt the answer: Printago may hold a part for it that the cache lacks.
 */
function unresolvedPartIntent(ctx: SendContext, job: JobRecord, sha256: string): boolean {
  for (const other of ctx.journal.state.jobs.values()) {
    if (other === job || other.status === 'active') continue
    if (other.items.some((it) => it.sha256 === sha256 && it.partIntent && !it.partId)) return true
  }
  return false
}

/** One signed-upload-URLs call for every hashed file that still needs an upload. */
async function requestTargets(
  ctx: SendContext,
  job: JobRecord,
  signal: AbortSignal,
  skip: Set<number>
): Promise<void> {
  const need = live(job).filter((i) => {
    const it = job.items[i]!
    return !skip.has(i) && it.sha256 && beforeUpload(it)
  })
  if (need.length === 0) return
  for (const i of need) ctx.emit(job, i, 'requesting-upload')
  const urls = await ctx.client.getSignedUploadUrls(
    need.map((i) => uploadFilename(job.request.items[i]!.path)),
    ctx.callOptions(job, need, signal)
  )
  await ctx.write({
    type: 'urls',
    jobId: job.jobId,
    targets: need.map((index, k) => ({
      index,
      uploadUrl: urls[k]!.uploadUrl,
      path: urls[k]!.path
    }))
  })
}
