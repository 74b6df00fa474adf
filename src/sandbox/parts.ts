// Parts: creation from uploaded files, deletion, and the metadata extraction Printago runs after
// an upload (thumbnail, slicing estimate, 3MF metadata), which the scheduler performs a little
// later — on the next tick(), or after a few virtual seconds — like Printago's background job.
import { unzipSync, zipSync } from 'fflate'
import type { Part, PartInsertWithMaterials, PartMetadata } from '../shared/printago/api-types'
import { estimateOf, metadata3mfOf, partMaterialsOf } from './estimate'
import { nestError } from './http'
import { factsOf, partBytes } from './part-facts'
import type { ObjectStorage } from './storage'
import type { SandboxStore } from './store'

/** Creates a part from uploaded files (400 when a file was never uploaded). */
export function createPart(store: SandboxStore, body: PartInsertWithMaterials): Part {
  const id = store.random.id()
  const uploads = body.fileUris.map((uri) => {
    const obj = store.state.uploads.get(uri)
    if (!obj) throw nestError(400, `File ${uri} was not uploaded (unknown storage path)`)
    return { uri, obj }
  })
  // Printago moves uploads under the part: {storeId}/parts/{partId}/{encoded file name}.
  const fileUris = uploads.map(({ uri, obj }) => {
    const moved = `${store.storeId}/parts/${id}/${uri.slice(uri.lastIndexOf('/') + 1)}`
    store.state.uploads.set(moved, obj)
    return moved
  })
  const now = store.clock.stamp()
  const part: Part = {
    name: body.name,
    type: body.type,
    description: body.description ?? '',
    fileUris,
    fileHashes: uploads.map(({ obj }) => obj.sha256),
    thumbnailUri: null,
    parameters: body.parameters,
    printTags: body.printTags ?? {},
    overriddenProcessProfileId: body.overriddenProcessProfileId ?? null,
    folderId: body.folderId ?? null,
    materials: null,
    slicerOverride: body.slicerOverride ?? null,
    metadata: null,
    slicingEstimate: null,
    use3MFProcessProfile: body.use3MFProcessProfile ?? false,
    arrangeable: body.arrangeable ?? true,
    userTags: body.userTags ?? [],
    gcodePlateUris: null,
    uploadedAt: now,
    id,
    storeId: store.storeId,
    createdAt: now,
    updatedAt: now
  }
  store.state.parts.set(id, part)
  store.insert('part', part)
  store.pendingAnalysis.add(id)
  return part
}

/** Deletes a part; builds keep their partCopy. */
export function deletePart(store: SandboxStore, id: string): void {
  const part = store.state.parts.get(id)
  if (!part) throw nestError(404, `Part ${id} not found`)
  store.state.parts.delete(id)
  store.state.partMetadata.delete(id)
  store.pendingAnalysis.delete(id)
  store.remove('part', part)
}

/** Where a part's thumbnail (or a plate's) is stored. */
export function thumbnailPath(part: Part, ext: string, plateId?: number): string {
  const name = plateId === undefined ? 'thumbnail' : `plate_${plateId}`
  return `${part.storeId}/parts/${part.id}/thumbnails/${name}.${ext}`
}

/** Extracts a part's metadata: thumbnails stored, estimate, 3MF metadata and materials set. */
export function analyzePart(store: SandboxStore, storage: ObjectStorage, part: Part): void {
  store.pendingAnalysis.delete(part.id)
  const facts = factsOf(store.state, part)
  const stamp = store.clock.stamp()
  let thumbnailUri: string | null = null
  const plateThumbs = new Map<number, string>()
  if (facts.kind !== 'unreadable') {
    if (facts.thumbnail) {
      thumbnailUri = thumbnailPath(part, facts.thumbnail.ext)
      storage.putSync(thumbnailUri, facts.thumbnail.bytes)
    }
    if (facts.kind !== 'stl') {
      for (const plate of facts.plates) {
        if (!plate.thumbnail) continue
        const path = thumbnailPath(part, plate.thumbnail.ext, plate.id)
        storage.putSync(path, plate.thumbnail.bytes)
        plateThumbs.set(plate.id, path)
      }
    }
  }
  const slicingEstimate = estimateOf(facts, stamp)
  const metadata = metadata3mfOf(facts, (id) => plateThumbs.get(id) ?? null)
  store.patch('part', part, {
    thumbnailUri,
    slicingEstimate,
    metadata,
    materials: partMaterialsOf(facts)
  })
  const previous = store.state.partMetadata.get(part.id)
  const record: PartMetadata = {
    partId: part.id,
    metadata3mf: metadata,
    slicingEstimate,
    inputHash: part.fileHashes[0] ?? null,
    storeId: store.storeId,
    createdAt: previous?.createdAt ?? stamp,
    updatedAt: stamp
  }
  store.state.partMetadata.set(part.id, record)
}

/** The stored thumbnail of a plate of a part, once analysed. */
export function plateThumbnail(part: Part, plateId: number): string | null {
  const plate = part.metadata?.plates?.find((p) => p.id === plateId)
  return plate?.thumbnailUploadedUri ?? null
}

/** Most bytes split-plates inflates (the archive already passed the 3MF engine's bomb checks). */
const MAX_SPLIT_BYTES = 512 * 1024 * 1024

/** Per-plate files of a sliced project: `Metadata/plate_2.gcode`, `top_2.png`, `pick_2.png`… */
const PLATE_FILE = /^Metadata\/(?:plate|plate_no_light|top|pick)_(\d+)\./i

/**
 * POST /v1/parts/{id}/split-plates: one gcode.3mf per sliced plate (the archive without the
 * other plates' G-code and images), stored under the part; `gcodePlateUris` maps plate ids to them.
 */
export function splitPlates(store: SandboxStore, storage: ObjectStorage, id: string): Part {
  const part = store.state.parts.get(id)
  if (!part) throw nestError(404, `Part ${id} not found`)
  if (part.type !== 'gcode3mf') {
    throw nestError(400, `Only gcode3mf parts can be split into plates; part ${id} is ${part.type}`)
  }
  const facts = factsOf(store.state, part)
  const sliced = facts.kind === 'gcode3mf' ? facts.plates.filter((p) => p.sliced) : []
  const bytes = partBytes(store.state, part)
  if (sliced.length === 0 || typeof bytes === 'string') {
    throw nestError(400, `Part ${id} has no sliced plates to split`)
  }
  let inflated = 0
  const entries = unzipSync(bytes, {
    filter: (file) => {
      inflated += file.originalSize
      if (inflated > MAX_SPLIT_BYTES) throw nestError(400, `Part ${id} is too large to split`)
      return true
    }
  })
  const uris: Record<string, string> = {}
  for (const plate of sliced) {
    const keep = Object.fromEntries(
      Object.entries(entries).filter(([name]) => {
        const m = PLATE_FILE.exec(name)
        return !m || Number(m[1]) === plate.id
      })
    )
    const uri = `${store.storeId}/parts/${id}/plates/plate_${plate.id}.gcode.3mf`
    storage.putSync(uri, zipSync(keep, { level: 6 }))
    uris[String(plate.id)] = uri
  }
  store.patch('part', part, { gcodePlateUris: uris })
  return part
}
