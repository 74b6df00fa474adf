// One file's way to a Printago part: PUT its bytes to the signed URL, then POST /v1/parts.
// Why both are safe to repeat after a crash or an unanswered request: see service.ts.
import { defaultLabel, type SendItem } from '../../shared/send'
import { partKindOfName, type PartKind, type ProjectFacts } from '../../shared/send-project'
import type { Part } from '../../shared/printago/api-types'
import type { CreatePartBody } from '../printago/client'
import { PrintagoError } from '../printago/errors'
import { uploadFile } from '../printago/upload'
import type { SendContext } from './context'
import { forgetFile } from './file-check'
import { describe } from './result'
import type { JobRecord } from './state'
import { uploadFilename } from './validate'

/** Printago's part type for a file: what the check found, else what its name says. */
export function partKindOf(path: string, project: ProjectFacts | undefined): PartKind {
  return project?.kind ?? partKindOfName(path)
}

/** True when a 3MF part slices with the project's own process settings. */
function usesProjectProfile(item: Pick<SendItem, 'use3MFProcessProfile'>, kind: PartKind): boolean {
  return kind === '3mf' && item.use3MFProcessProfile === true
}

/**
 * The dedupe key of a file's part: its SHA-256, except for a 3MF sliced with the project's own
 * settings — that choice is the part's (`use3MFProcessProfile`), so it is another part.
 */
export function partKey(sha256: string, item: SendItem, project: ProjectFacts | undefined): string {
  return usesProjectProfile(item, partKindOf(item.path, project)) ? `${sha256}+3mf-profile` : sha256
}

/** The `POST /v1/parts` body for an uploaded file. */
export function newPartBody(
  item: SendItem,
  project: ProjectFacts | undefined,
  fileUri: string
): CreatePartBody {
  const kind = partKindOf(item.path, project)
  return {
    name: defaultLabel(item.path),
    description: '',
    type: kind,
    fileUris: [fileUri],
    parameters: [],
    printTags: {},
    overriddenProcessProfileId: null,
    ...(kind === '3mf' ? { use3MFProcessProfile: usesProjectProfile(item, kind) } : {})
  }
}

/** True when a part found by hash is the one this file would create (type, process settings). */
export function partServes(part: Part, item: SendItem, project: ProjectFacts | undefined): boolean {
  const kind = partKindOf(item.path, project)
  if (part.type !== kind) return false
  return kind !== '3mf' || (part.use3MFProcessProfile ?? false) === usesProjectProfile(item, kind)
}

/** Parts whose `fileHashes[0]` is this item's SHA-256 and that serve it, newest first: the first one. */
export async function findPartByHash(
  ctx: SendContext,
  job: JobRecord,
  index: number,
  signal: AbortSignal | undefined
): Promise<Part | undefined> {
  const item = job.items[index]!
  const parts = await ctx.client.findPartsByHash(
    item.sha256!,
    ctx.callOptions(job, [index], signal)
  )
  return parts.find((p) => partServes(p, job.request.items[index]!, item.project))
}

/** PUT the file to its signed URL (a fresh one when it expired), checking the bytes' hash. */
export async function uploadItem(
  ctx: SendContext,
  job: JobRecord,
  index: number,
  signal: AbortSignal
): Promise<void> {
  const item = job.items[index]!
  const path = job.request.items[index]!.path
  if (item.uploadedPath || item.partIntent || item.partId) return
  if (!item.target) throw new Error('internal: no upload target')
  let last = -1
  let result
  try {
    result = await uploadFile({
      ...ctx.settings.upload,
      file: path,
      size: item.size!,
      // The bytes uploaded must be the bytes hashed: the part is created from them.
      sha256: item.sha256!,
      target: item.target,
      signal,
      onRequest: () => ctx.uploadRequests++,
      onProgress: ({ bytesDone, bytesTotal }) => {
        const fraction = bytesTotal > 0 ? bytesDone / bytesTotal : 1
        if (fraction - last >= 0.01 || fraction === 1 || bytesDone === 0) {
          last = fraction
          ctx.emit(job, index, 'uploading', { fraction, bytesDone, bytesTotal })
        }
      },
      onRetry: (e) =>
        ctx.emit(job, index, 'retrying', {
          error: { code: e.error.code, message: e.error.message }
        }),
      renewTarget: async (s) => {
        ctx.emit(job, index, 'requesting-upload')
        const [fresh] = await ctx.client.getSignedUploadUrls(
          [uploadFilename(path)],
          ctx.callOptions(job, [index], s)
        )
        await ctx.write({
          type: 'urls',
          jobId: job.jobId,
          targets: [{ index, uploadUrl: fresh!.uploadUrl, path: fresh!.path }]
        })
        return fresh!
      }
    })
  } catch (error) {
    // Changed since it was hashed: whatever was remembered about the file is wrong now.
    if (error instanceof PrintagoError && error.code === 'file') await forgetFile(path)
    throw error
  }
  await ctx.write({ type: 'uploaded', jobId: job.jobId, index, path: result.path })
}

/** POST /v1/parts for an uploaded file, or find the part an unanswered earlier request made. */
export async function createPartFor(
  ctx: SendContext,
  job: JobRecord,
  index: number,
  signal: AbortSignal
): Promise<void> {
  const item = job.items[index]!
  if (item.partId) return
  const want = job.request.items[index]!
  const key = partKey(item.sha256!, want, item.project)
  const found = async (partId: string): Promise<void> => {
    await ctx.write({ type: 'part', jobId: job.jobId, index, partId, reused: false })
    await ctx.remember(key, partId)
  }
  ctx.emit(job, index, 'creating-part')
  if (item.partIntent) {
    // A create may have reached Printago before we stopped: look before creating another.
    const existing = await findPartByHash(ctx, job, index, signal)
    if (existing) return found(existing.id)
  }
  for (let attempt = 1; ; attempt++) {
    // Cancel stops the create until it leaves; once Printago may have it, its answer (the new
    // part's id) is awaited and cached, so sending the file again reuses that part.
    const gate = ctx.untilSent(signal)
    try {
      const part = await ctx.client.createPart(
        newPartBody(want, item.project, item.uploadedPath!),
        {
          ...ctx.callOptions(job, [index], gate.signal),
          beforeSend: async () => {
            signal.throwIfAborted()
            await ctx.write({ type: 'part-intent', jobId: job.jobId, index })
            gate.sent()
          }
        }
      )
      await ctx.write({ type: 'part', jobId: job.jobId, index, partId: part.id, reused: false })
      // Cache under the hash Printago computed when it agrees with ours (it should).
      const serverHash = part.fileHashes?.[0]?.toLowerCase()
      if (!serverHash || serverHash === item.sha256) await ctx.remember(key, part.id)
      return
    } catch (error) {
      if (!(error instanceof PrintagoError) || !error.outcomeUnknown || signal.aborted) throw error
      if (attempt >= ctx.settings.maxPartAttempts) throw error
      ctx.emit(job, index, 'retrying', { error: describe(error) })
      const existing = await findPartByHash(ctx, job, index, signal)
      if (existing) return found(existing.id)
    } finally {
      gate.sent()
    }
  }
}
