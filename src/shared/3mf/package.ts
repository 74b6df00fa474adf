// The OPC package around the model: `_rels/.rels` names the root 3D model part (and the package
// thumbnail); model parts that the root references with the production extension's `p:path`
// (Bambu Studio and OrcaSlicer keep each object's mesh in `3D/Objects/object_N.model`) are read
// too, each once (one level only, as the production extension requires). Model parts are streamed
// through the XML reader, never held whole.

import { parseXml, childrenNamed, type XNode } from './dom'
import { fail, ThreeMfFailure } from './errors'
import { ModelReader, type MeshBudget, type ModelPart } from './model'
import type { ThreeMfLimits } from './types'
import { findEntry, normalizePath, readEntry, streamEntry, type ZipArchive } from './zip'

const REL_MODEL = 'http://schemas.microsoft.com/3dmanufacturing/2013/01/3dmodel'
const REL_THUMBNAIL =
  'http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail'
const DEFAULT_MODEL = '3D/3dmodel.model'

export interface LoadedModel {
  /** Normalized path of the root model part. */
  root: string
  parts: Map<string, ModelPart>
  /** Package thumbnail path from the root relationships, if any. */
  thumbnailPath: string | null
  notes: string[]
}

/** Reads a small XML entry into a tree, or null (with a note) when it is absent or unusable. */
export function readXmlEntry(zip: ZipArchive, path: string, notes: string[]): XNode | null {
  const entry = findEntry(zip, path)
  if (!entry) return null
  try {
    return parseXml(readEntry(zip, entry, zip.limits.maxMetadataEntryBytes), entry.name)
  } catch (e) {
    // A damaged side file costs its information, not the model; a ZIP bomb stops everything.
    if (!(e instanceof ThreeMfFailure) || e.code === 'zip-bomb') throw e
    notes.push(`${e.message} It was ignored.`)
    return null
  }
}

function relationships(rels: XNode | null): Array<{ type: string; target: string }> {
  if (!rels) return []
  return childrenNamed(rels, 'Relationship').map((r) => ({
    type: (r.attrs['Type'] ?? '').trim(),
    target: (r.attrs['Target'] ?? '').trim()
  }))
}

/** Finds, streams and parses the root model part and every part it references. */
export function loadModel(zip: ZipArchive, limits: Required<ThreeMfLimits>): LoadedModel {
  const notes: string[] = []
  const rels = relationships(readXmlEntry(zip, '_rels/.rels', notes))
  let rootTarget = rels.find((r) => r.type === REL_MODEL)?.target ?? null
  const thumbnailPath = rels.find((r) => r.type === REL_THUMBNAIL)?.target ?? null
  if (rootTarget === null || !findEntry(zip, rootTarget)) {
    if (!findEntry(zip, DEFAULT_MODEL)) {
      const hasModel = zip.entries.some((e) => /\.model$/i.test(e.name))
      fail(
        'missing-model',
        rootTarget !== null
          ? `The 3MF file names '${rootTarget}' as its 3D model, but the archive does not contain it.`
          : hasModel
            ? 'The 3MF file does not say which of its model parts is the 3D model (_rels/.rels is missing or has no 3D model relationship).'
            : 'The archive has no 3D model part (3D/3dmodel.model); it is not a 3MF file.'
      )
    }
    if (rootTarget !== null || rels.length > 0 || findEntry(zip, '_rels/.rels')) {
      notes.push(`The package relationships do not name the 3D model; '${DEFAULT_MODEL}' was used.`)
    }
    rootTarget = DEFAULT_MODEL
  }
  const budget: MeshBudget = {
    maxElements: limits.maxMeshElements,
    maxInstances: limits.maxInstances,
    elements: 0,
    resources: 0
  }
  const root = normalizePath(rootTarget)
  const parts = new Map<string, ModelPart>()
  const queue = [rootTarget]
  while (queue.length > 0) {
    const target = queue.shift()!
    const key = normalizePath(target)
    if (parts.has(key)) continue
    const entry = findEntry(zip, target)
    if (!entry) {
      fail(
        'missing-object',
        `The 3D model refers to the model part '${target}', which the archive does not contain.`
      )
    }
    const reader = new ModelReader(entry.name, budget)
    streamEntry(zip, entry, limits.maxModelEntryBytes, (chunk) => reader.push(chunk))
    const part = reader.finish()
    parts.set(key, part)
    const isRoot = key === root
    for (const o of part.objects.values()) {
      for (const c of o.components) {
        if (!c.path) continue
        // Production extension §3.2: only the root model may point into other parts (one level,
        // so no cycles across files); a consumer MUST refuse a path in a non-root part.
        if (!isRoot) {
          fail(
            'invalid-model',
            `'${entry.name}' refers to another model part ('${c.path}'); only the root model may do that.`
          )
        }
        queue.push(c.path)
      }
    }
    if (isRoot) for (const item of part.build) if (item.path) queue.push(item.path)
  }
  return { root, parts, thumbnailPath, notes }
}
