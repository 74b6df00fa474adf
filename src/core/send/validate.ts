// Is a send request one Printago can take? The limits are the shared rules of src/shared/send.ts
// (also used by the IPC schema, the renderer's forms and the CLI).
import { basename } from 'node:path'
import {
  labelProblem,
  MAX_FILES_PER_SEND,
  MAX_PRINTER_MODELS,
  modelNameProblem,
  MAX_TAGS,
  quantityProblem,
  tagProblem,
  type SendRequest
} from '../../shared/send'
import { partKindOfName, plateQuantitiesProblem } from '../../shared/send-project'

/** A send request that can't be run (bad quantity, label, tags…). */
export class SendRequestError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SendRequestError'
  }
}

/** Check a request against Printago's limits; the first problem in words, or null. */
export function validateSendRequest(request: SendRequest): string | null {
  if (!request || !Array.isArray(request.items) || request.items.length === 0)
    return 'nothing to send'
  if (request.items.length > MAX_FILES_PER_SEND)
    return `at most ${MAX_FILES_PER_SEND} files in one send`
  for (const item of request.items) {
    if (typeof item.path !== 'string' || item.path === '') return 'a file path is missing'
    const problem =
      quantityProblem(item.quantity) ?? (item.label !== undefined ? labelProblem(item.label) : null)
    if (problem) return `${item.path}: ${problem}`
    if (item.priority !== undefined && item.priority !== 'normal' && item.priority !== 'low') {
      return `${item.path}: priority must be normal or low`
    }
    if (item.position !== undefined && item.position !== 'front' && item.position !== 'back') {
      return `${item.path}: position must be front or back`
    }
    const models = item.printerModels ?? []
    if (models.length > MAX_PRINTER_MODELS)
      return `${item.path}: at most ${MAX_PRINTER_MODELS} printer models`
    for (const m of models) {
      const problem = modelNameProblem(m)
      if (problem) return `${item.path}: ${problem}`
    }
    if (item.plateQuantities !== undefined) {
      if (typeof item.plateQuantities !== 'object' || item.plateQuantities === null)
        return `${item.path}: per-plate quantities must be a map of plate → quantity`
      const problem = plateQuantitiesProblem(item.plateQuantities)
      if (problem) return `${item.path}: ${problem}`
    }
    // A millimetre copy is made of an STL read in another unit; a 3MF carries its own unit.
    if (item.unit !== undefined && item.unit !== 'mm' && partKindOfName(item.path) !== 'stl')
      return `${item.path}: a 3MF says its own unit; it cannot be read in ${item.unit}`
    const material = item.material
    if (material?.kind === 'type' && (material.type.trim() === '' || material.type.includes('|')))
      return `${item.path}: the material type must be a name without '|'`
    if (material?.kind === 'variant' && !material.variantId)
      return `${item.path}: the material has no variant id`
  }
  const r = request.routing
  if (!r || (r.mode !== 'any' && r.mode !== 'printer' && r.mode !== 'tags'))
    return 'unknown routing'
  if (r.mode === 'printer' && !r.printerId) return 'no printer chosen'
  if (r.mode === 'tags') {
    if (r.tags.length === 0) return 'no tags chosen'
    if (r.tags.length > MAX_TAGS) return `at most ${MAX_TAGS} tags`
    for (const t of r.tags) {
      const problem = tagProblem(t)
      if (problem) return problem
    }
  }
  return null
}

/** Name sent to signed-upload-urls: the base name, ≤ 64 chars (older API limit), extension kept. */
export function uploadFilename(path: string): string {
  // Control characters and path separators have no business in a storage object name.
  const base = [...(basename(path.replace(/\\/g, '/')) || 'model.stl')]
    .map((c) => (c.charCodeAt(0) < 0x20 || c === '/' || c === '\\' ? '_' : c))
    .join('')
  if (base.length <= 64) return base
  const dot = base.lastIndexOf('.')
  const ext = dot > 0 && base.length - dot <= 10 ? base.slice(dot) : ''
  return base.slice(0, 64 - ext.length) + ext
}
