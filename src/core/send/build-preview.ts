// The dry run: what a send would create, from Printago itself (`POST /v2/builds/preview`), with
// nothing queued. The preview names parts, so every file needs one first: the part this store
// already has for its bytes (the dedupe cache, else one look-up by hash), or a new one — uploaded
// and created here, then remembered in the dedupe cache, so the send that follows reuses it
// instead of uploading again. A spare part is harmless (nothing prints it); a dry run never
// creates a build. Costs: one preview call, plus per new file one part call (and one signed-URL
// call for them all) that the send then saves.
import { defaultLabel, type SendPreview, type SendRequest } from '../../shared/send'
import type { BuildPreviewV2 } from '../../shared/printago/api-types'
import type { PrintagoClient } from '../printago/client'
import { PrintagoError } from '../printago/errors'
import { uploadFile } from '../printago/upload'
import { partBuildEntry } from './build-entry'
import type { DedupeCache } from './dedupe-cache'
import { inspectAndHashFile } from './file-check'
import { uploadFilename } from './validate'

export interface PreviewDeps {
  client: Pick<
    PrintagoClient,
    'findPartsByHash' | 'getSignedUploadUrls' | 'createPart' | 'previewBuild'
  >
  dedupe: DedupeCache
  signal?: AbortSignal
}

/** Part ids for every file: cached, found by hash, or uploaded now. Returns how many were new. */
async function resolveParts(
  deps: PreviewDeps,
  paths: string[]
): Promise<{ partIds: string[]; uploaded: number }> {
  const { client, dedupe, signal } = deps
  const files = []
  for (const path of paths) files.push({ path, ...(await inspectAndHashFile(path, { signal })) })
  const partIds: Array<string | undefined> = files.map((f) => dedupe.get(f.sha256)?.partId)
  // Parts another run (or client) made for these bytes.
  for (const [i, f] of files.entries()) {
    if (partIds[i]) continue
    const found = (await client.findPartsByHash(f.sha256, { signal }))[0]
    if (found) {
      partIds[i] = found.id
      await dedupe.set(f.sha256, found.id)
    }
  }
  // The same bytes twice in one send: one upload.
  const todo = [...new Map(files.filter((_, i) => !partIds[i]).map((f) => [f.sha256, f])).values()]
  if (todo.length > 0) {
    const urls = await client.getSignedUploadUrls(
      todo.map((f) => uploadFilename(f.path)),
      { signal }
    )
    for (const [k, f] of todo.entries()) {
      const target = urls[k]!
      const put = await uploadFile({ file: f.path, size: f.size, sha256: f.sha256, target, signal })
      const part = await client.createPart(
        {
          name: defaultLabel(f.path),
          description: '',
          type: 'stl',
          fileUris: [put.path],
          parameters: [],
          printTags: {},
          overriddenProcessProfileId: null
        },
        { signal }
      )
      await dedupe.set(f.sha256, part.id)
    }
    for (const [i, f] of files.entries()) partIds[i] ??= dedupe.get(f.sha256)?.partId
  }
  return { partIds: partIds.map((id) => id!), uploaded: todo.length }
}

/**
 * The jobs `request` would create (its files already in millimetres: see files/units.ts). A part
 * the cache named but Printago no longer has is forgotten and the dry run made once more.
 */
export async function previewSend(
  deps: PreviewDeps,
  request: SendRequest,
  /** The paths to report (the files the user chose, before any unit conversion). */
  reportPaths: string[] = request.items.map((i) => i.path)
): Promise<SendPreview> {
  for (let attempt = 1; ; attempt++) {
    const { partIds, uploaded } = await resolveParts(
      deps,
      request.items.map((i) => i.path)
    )
    const labels = request.items.map((i) => i.label ?? defaultLabel(i.path))
    let answer: BuildPreviewV2
    try {
      answer = await deps.client.previewBuild(
        {
          parts: request.items.map((item, i) =>
            partBuildEntry(item, request.routing, partIds[i]!, labels[i]!)
          )
        },
        { signal: deps.signal }
      )
    } catch (error) {
      const gone =
        error instanceof PrintagoError &&
        error.code === 'not-found' &&
        partIds.filter((id) => `${error.serverMessage ?? ''} ${error.message}`.includes(id))
      if (attempt > 1 || !gone || gone.length === 0) throw error
      for (const [i, item] of request.items.entries()) {
        if (!gone.includes(partIds[i]!)) continue
        await deps.dedupe.delete((await inspectAndHashFile(item.path)).sha256)
      }
      continue
    }
    // Part builds come back in request order, one per part entry.
    const files = request.items.map((_, i) => {
      const pb = answer.partBuilds.filter((b) => b.source === 'part')[i]
      return {
        path: reportPaths[i] ?? request.items[i]!.path,
        label: labels[i]!,
        jobs: pb?.jobs.length ?? 0,
        jobLabels: (pb?.jobs ?? []).map((j) => j.label)
      }
    })
    return { files, jobCount: answer.summary.jobCount, uploaded }
  }
}
