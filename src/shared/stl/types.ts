// Types of the pure STL engine (no DOM, no Node, no three.js). Shared by the renderer's parse
// worker, the main process and the CLI.

export type StlErrorCode =
  | 'empty'
  | 'too-small'
  | 'truncated'
  | 'count-mismatch'
  | 'not-stl'
  | 'nan-coordinates'
  | 'too-large'
  | 'no-triangles'
  | 'unreadable'

export interface StlError {
  code: StlErrorCode
  /** A sentence a user can act on, e.g. "The file ends after 1,204 of 5,000 triangles (truncated)." */
  message: string
}

export interface Bbox {
  min: [number, number, number]
  max: [number, number, number]
}

export interface ParsedStl {
  format: 'binary' | 'ascii'
  /** 9 floats per triangle (x,y,z of 3 vertices), STL coordinates (Z up), no normals. */
  positions: Float32Array
  triangles: number
  bbox: Bbox
  /** The 80-byte header (binary) or the solid name (ASCII), printable characters only. */
  name: string
  /** Vertices with a NaN/±Inf coordinate (kept in `positions`, left out of `bbox`). */
  nonFiniteVertices?: number
  /** Problems the parser tolerated (padding, skipped facets, missing `endsolid`), as sentences. */
  notes?: string[]
  /** Harmless facts worth showing (several solids merged, comment lines skipped). */
  info?: string[]
}

/** The result shape of every engine entry point: a value or a typed error, never a throw. */
export type StlResult<T> = { ok: true; value: T } | { ok: false; error: StlError }

export interface MeshReport {
  format: 'binary' | 'ascii'
  triangles: number
  bbox: Bbox
  /** X, Y, Z extents in the assumed unit (mm). */
  size: [number, number, number]
  surfaceArea: number
  /** mm³; null when the mesh is not closed and consistently oriented. */
  volume: number | null
  /** Why the volume is null, in words. */
  volumeNote: string | null
  closed: boolean
  openEdges: number
  nonManifoldEdges: number
  /** Edges shared by two triangles that traverse them in the same direction (flipped faces). */
  inconsistentEdges: number
  degenerate: number
  nonFiniteVertices: number
  shells: number
  /** All dimensions < 10 mm and ×25.4 plausible: the file is probably in inches. */
  inchSuspect: boolean
  /**
   * Largest side under 1 mm ('m': probably drawn in metres) or over 10 m ('um': micrometres),
   * when the factor (×1000, ÷1000) gives a printable size; null otherwise.
   */
  unitSuspect: 'm' | 'um' | null
  /** 'ok' | 'warning' | 'error' with human reasons, for the file list's health verdict. */
  verdict: 'ok' | 'warning' | 'error'
  notes: string[]
}

export interface ParseLimits {
  /** Bytes; default 2 GiB − 1 (the largest file fs.readFile accepts), binary and ASCII. */
  maxBytes?: number
  /** Default 25 million triangles. */
  maxTriangles?: number
}

export interface ParseOptions {
  /**
   * Binary only: write the positions over the input bytes instead of allocating new memory, so
   * peak memory is 1× the file instead of 1.72×. The input is destroyed and `positions` is a view
   * of its buffer (which stays fully allocated). For a worker that owns a transferred buffer.
   * Ignored for ASCII and for inputs whose byteOffset is not a multiple of 4.
   */
  inPlace?: boolean
}
