// A send request as the renderer makes it may name files read in another unit (`item.unit`); the
// pipeline sends bytes as they are. This turns each such item into its millimetre copy (convert.ts)
// before the request reaches the pipeline, so the journal, the hash, the upload and the history all
// see the file Printago gets, and the history keeps the one the user chose (`meta.original`).
import type { SendRequest } from '../../shared/send'
import { partKindOfName } from '../../shared/send-project'
import { ConvertError, convertToMillimetres } from './convert'

/** The request with every non-millimetre item replaced by its converted copy. */
export async function withMillimetreFiles(
  request: SendRequest,
  storeDir: string
): Promise<SendRequest> {
  if (!request.items.some((i) => i.unit && i.unit !== 'mm')) return request
  const items = []
  for (const item of request.items) {
    const { unit, ...rest } = item
    if (!unit || unit === 'mm') {
      items.push(rest)
      continue
    }
    // A 3MF says its own unit (its `<model unit>`), which the engine already applies: reading it
    // in another one would scale a correct model. Refused, never silently ignored.
    if (partKindOfName(item.path) !== 'stl')
      throw new ConvertError(
        item.path,
        `${item.path} is a 3MF, which carries its own unit; it cannot be read in ${unit}`
      )
    const copy = await convertToMillimetres(item.path, unit, storeDir)
    // The size on disk is the copy's (the renderer's byte count was the source's).
    const { bytes: _bytes, ...meta } = item.meta ?? {}
    items.push({
      ...rest,
      path: copy.path,
      meta: { ...meta, original: { path: item.path, sha256: copy.sourceSha256, unit } }
    })
  }
  return { ...request, items }
}
