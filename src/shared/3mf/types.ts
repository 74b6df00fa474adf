// Types of the pure 3MF engine (no DOM, no Node, no three.js). Shared by the renderer's parse
// worker, the main process and the CLI, like the STL engine's (../stl/types.ts).

import type { BedFit } from '../printers/build-volumes'
import type { Bbox, MeshReport } from '../stl/types'

export type ThreeMfErrorCode =
  | 'empty'
  | 'too-large'
  | 'not-zip'
  | 'truncated'
  | 'corrupt'
  | 'encrypted'
  | 'unsupported-compression'
  | 'zip-bomb'
  | 'entry-too-large'
  | 'missing-model'
  | 'malformed-xml'
  | 'invalid-model'
  | 'missing-object'
  | 'component-cycle'
  | 'non-finite'
  | 'over-budget'
  | 'no-geometry'
  | 'unreadable'

export interface ThreeMfError {
  code: ThreeMfErrorCode
  /** A sentence a user can act on, e.g. "Object 7 uses object 12, which the file does not define." */
  message: string
}

/** The result shape of every entry point: a value or a typed error, never a throw. */
export type ThreeMfResult<T> = { ok: true; value: T } | { ok: false; error: ThreeMfError }

/** Limits that bound time and memory whatever the input says. Every field has a default. */
export interface ThreeMfLimits {
  /** Bytes of the whole file; default 2 GiB − 1. */
  maxBytes?: number
  /** Files in the archive; default 20,000. */
  maxEntries?: number
  /** Uncompressed bytes of one model part (streamed, never held whole); default 4 GiB. */
  maxModelEntryBytes?: number
  /** Uncompressed bytes of a metadata file, thumbnail or G-code header read; default 64 MiB. */
  maxMetadataEntryBytes?: number
  /** Uncompressed bytes of everything the engine inflates; default 8 GiB. */
  maxTotalBytes?: number
  /** Largest uncompressed/compressed ratio of an entry over 1 MiB; default 1000 (deflate's max is ~1032). */
  maxRatio?: number
  /** Triangles after instancing (what is drawn and measured); default 25 million, as for STL. */
  maxTriangles?: number
  /** Vertices and triangles read from all meshes together; default 25 million each. */
  maxMeshElements?: number
  /** Objects, components and build items together, and instances after expansion; default 1 million. */
  maxInstances?: number
}

/** The 3MF units (3MF Core §3.4 `unit`) and their size in millimetres. */
export type ThreeMfUnit = 'micron' | 'millimeter' | 'centimeter' | 'inch' | 'foot' | 'meter'

export type SlicerName = 'bambu-studio' | 'orcaslicer' | 'prusaslicer' | 'superslicer' | 'other'

/** A thumbnail the producer embedded (PNG or JPEG bytes, checked by signature only). */
export interface Thumbnail {
  /** The archive path, e.g. `Metadata/plate_1.png`. */
  path: string
  mime: 'image/png' | 'image/jpeg'
  bytes: Uint8Array
}

/** A filament slot of the project (1-based, as slicers number them). */
export interface Filament {
  index: number
  /** `#RRGGBB`, or null when the project does not say. */
  color: string | null
  /** `PLA`, `PETG`… or null. */
  type: string | null
}

/**
 * One printed part of one placed object, in plate coordinates (mm, Z up): 9 floats per triangle,
 * like `ParsedStl.positions`, ready for the viewer. Each array owns its buffer (transferable).
 */
export interface MeshPart {
  name: string
  /** 1-based filament slot, or null when the file does not assign one. */
  filament: number | null
  /** `#RRGGBB` for display: the filament's colour, else the 3MF material colour, else null. */
  color: string | null
  positions: Float32Array
  triangles: number
}

/**
 * The STL engine's mesh report, for a 3MF object or plate (`format: '3mf'`). The fields mean the
 * same as for STL; a plate's are summed over its objects (each object is measured on its own, as
 * a slicer treats them), and its size is the plate's bounding box.
 */
export type ThreeMfReport = Omit<MeshReport, 'format'> & { format: '3mf' }

/** One build item (an object instance) on a plate. */
export interface PlacedObject {
  name: string
  /** The `<object id>` the build item references (in the root model part). */
  objectId: number
  /** 0-based instance of that object (the n-th build item that references it). */
  instance: number
  triangles: number
  bbox: Bbox
  size: [number, number, number]
  /** The STL engine's report for this instance (its printed parts measured together). */
  report: ThreeMfReport
  parts: MeshPart[]
}

/** What a slicer wrote about a sliced plate (slice_info.config and the G-code header). */
export interface SlicedPlate {
  /** Archive path of the plate's G-code, e.g. `Metadata/plate_1.gcode`. */
  gcodePath: string
  gcodeBytes: number
  /** The printer the G-code was made for, as the slicer wrote it (`C12`, `Bambu Lab X1 Carbon`). */
  printerModel: string | null
  /** Our build-volume id for it (`bambu-p1s`), or null when the name is unknown to us. */
  printerModelId: string | null
  /** mm, e.g. 0.4; null when unknown. */
  nozzleDiameter: number | null
  /** Seconds the slicer predicts; null when not written. */
  printSeconds: number | null
  /** Grams of filament, all slots; null when not written. */
  weightGrams: number | null
  filaments: SlicedFilament[]
  /** Slicer warnings for the plate, as sentences. */
  warnings: string[]
}

export interface SlicedFilament {
  index: number
  type: string | null
  color: string | null
  grams: number | null
  meters: number | null
}

export interface Plate {
  /** The slicer's plate id (1-based; Printago's `plateQuantities` key). */
  id: number
  /** The name the user gave the plate, or "Plate N". */
  name: string
  objects: PlacedObject[]
  /** The whole plate as one report (sizes of the plate's bounding box), or null without geometry. */
  report: ThreeMfReport | null
  /** Bed fit of the plate's bounding box, per build-volume id (see printers/build-volumes). */
  bedFit: Record<string, BedFit>
  thumbnail: Thumbnail | null
  /** Present when the plate is sliced (a `.gcode.3mf`). */
  sliced: SlicedPlate | null
}

export interface ThreeMfProject {
  /** `gcode3mf` when the archive carries sliced G-code plates. */
  kind: '3mf' | 'gcode3mf'
  /** The unit of the root model part; every coordinate here is already in mm. */
  unit: ThreeMfUnit
  title: string | null
  /** `Application` metadata, e.g. `BambuStudio-02.01.01.52`. */
  application: string | null
  slicer: SlicerName | null
  /** The printer the project was set up for (project settings), or null. */
  printerModel: string | null
  nozzleDiameter: number | null
  filaments: Filament[]
  plates: Plate[]
  /** The package thumbnail (`Metadata/thumbnail.png` or the root thumbnail relationship). */
  thumbnail: Thumbnail | null
  /** Triangles over all plates, after instancing. */
  triangles: number
  /** Problems tolerated and facts worth showing, as sentences. */
  notes: string[]
}
