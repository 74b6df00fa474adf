// The dry run: what a send would create, from Printago itself (`POST /v2/builds/preview`), with
// nothing queued. The preview names parts, so every file needs one first: the part this store
// already has for its bytes (the dedupe cache, else one look-up by hash), or a new one — uploaded
// and created here, then remembered in the dedupe cache, so the send that follows reuses it
// instead of uploading again. A spare part is harmless (nothing prints it); a dry run never
// creates a build. Costs: one preview call, plus per new file one part call (and one signed-URL
// call for them all) that the send then saves.
import { defaultLabel, type SendItem, type SendPreview, type SendRequest } from '../../shared/send'
import type { ProjectFacts } from '../../shared/send-project'
import type { BuildPreviewV2 } from '../../shared/printago/api-types'
import type { PrintagoClient } from '../printago/client'
import { PrintagoError } from '../printago/errors'
import { uploadFile } from '../printago/upload'
import { partBuildEntry } from './build-entry'
import type { DedupeCache } from './dedupe-cache'
import { inspectAndHashFile, type FileInspection } from './file-check'
import { newPartBody, partKey, partServes } from './part'
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
  items: SendItem[]
): Promise<{ partIds: string[]; uploaded: number; files: PreviewFile[] }> {
  const { client, dedupe, signal } = deps
  const files: PreviewFile[] = []
  for (const item of items) {
    const f = await inspectAndHashFile(item.path, { signal })
    files.push({ ...f, item, path: item.path, key: partKey(f.sha256, item, f.project) })
  }
  const partIds: Array<string | undefined> = files.map((f) => dedupe.get(f.key)?.partId)
  // Parts another run (or client) made for these bytes.
  for (const [i, f] of files.entries()) {
    if (partIds[i]) continue
    const found = (await client.findPartsByHash(f.sha256, { signal })).find((p) =>
      partServes(p, f.item, f.project)
    )
    if (found) {
      partIds[i] = found.id
      await dedupe.set(f.key, found.id)
    }
  }
  // The same bytes twice in one send: one upload.
  const todo = [...new Map(files.filter((_, i) => !partIds[i]).map((f) => [f.key, f])).values()]
  if (todo.length > 0) {
    const urls = await client.getSignedUploadUrls(
      todo.map((f) => uploadFilename(f.path)),
      { signal }
    )
    for (const [k, f] of todo.entries()) {
      const target = urls[k]!
      const put = await uploadFile({ file: f.path, size: f.size, sha256: f.sha256, target, signal })
      const part = await client.createPart(newPartBody(f.item, f.project, put.path), { signal })
      await dedupe.set(f.key, part.id)
    }
    for (const [i, f] of files.entries()) partIds[i] ??= dedupe.get(f.key)?.partId
  }
  return { partIds: partIds.map((id) => id!), uploaded: todo.length, files }
}

type PreviewFile = FileInspection & { item: SendItem; path: string; key: string }

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
    const { partIds, uploaded, files: checked } = await resolveParts(deps, request.items)
    const labels = request.items.map((i) => i.label ?? defaultLabel(i.path))
    let answer: BuildPreviewV2
    try {
      answer = await deps.client.previewBuild(
        {
          parts: request.items.map((item, i) =>
            partBuildEntry(item, request.routing, partIds[i]!, labels[i]!, checked[i]!.project)
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
      for (const [i, f] of checked.entries()) {
        if (gone.includes(partIds[i]!)) await deps.dedupe.delete(f.key)
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
        jobLabels: (pb?.jobs ?? []).map((j) => j.label),
        ...(checked[i]!.project
          ? { plates: jobsPerPlate(pb?.jobs ?? [], checked[i]!.project!) }
          : {})
      }
    })
    return { files, jobCount: answer.summary.jobCount, uploaded }
  }
}

/** Jobs per plate of a project, in the project's plate order (plates without jobs included). */
function jobsPerPlate(
  jobs: BuildPreviewV2['partBuilds'][number]['jobs'],
  project: ProjectFacts
): NonNullable<SendPreview['files'][number]['plates']> {
  return project.plates.map((p) => ({
    id: p.id,
    name: p.name,
    jobs: jobs.filter((j) => j.plateId === p.id).length
  }))
}
