// One file's way to a Printago part: PUT its bytes to the signed URL, then POST /v1/parts.
// Why both are safe to repeat after a crash or an unanswered request: see service.ts.
import { defaultLabel } from '../../shared/send'
import type { Part } from '../../shared/printago/api-types'
import { PrintagoError } from '../printago/errors'
import { uploadFile } from '../printago/upload'
import type { SendContext } from './context'
import { forgetFile } from './file-check'
import { describe } from './result'
import type { JobRecord } from './state'
import { uploadFilename } from './validate'

/** Parts whose `fileHashes[0]` is this item's SHA-256, newest first: the first one. */
export async function findPartByHash(
  ctx: SendContext,
  job: JobRecord,
  index: number,
  signal: AbortSignal | undefined
): Promise<Part | undefined> {
  const sha = job.items[index]!.sha256!
  const parts = await ctx.client.findPartsByHash(sha, ctx.callOptions(job, [index], signal))
  return parts[0]
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
  const path = job.request.items[index]!.path
  const found = async (partId: string): Promise<void> => {
    await ctx.write({ type: 'part', jobId: job.jobId, index, partId, reused: false })
    await ctx.remember(item.sha256!, partId)
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
        {
          name: defaultLabel(path),
          description: '',
          type: 'stl',
          fileUris: [item.uploadedPath!],
          parameters: [],
          printTags: {},
          overriddenProcessProfileId: null
        },
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
      if (!serverHash || serverHash === item.sha256) await ctx.remember(item.sha256!, part.id)
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
