// Types of a send: what the user asks for, and the progress the pipeline reports.
// Shared by the main-process pipeline, the CLI and the renderer's send panel.

/** Where Printago may run the job. Tags are exact-case; a job needs printers carrying all of them. */
export type Routing =
  { mode: 'any' } | { mode: 'printer'; printerId: string } | { mode: 'tags'; tags: string[] }

export type Priority = 'normal' | 'low'
export type QueuePosition = 'back' | 'front'

/** One file of a send, with its per-file options. */
export interface SendItem {
  /** Absolute path on disk (main resolves dropped files to paths). */
  path: string
  /** Defaults to the file name without extension. 1–1024 characters. */
  label?: string
  /** 1–500 copies. */
  quantity: number
  priority?: Priority
  position?: QueuePosition
  /** Optional metadata kept in history (from the renderer's mesh report). */
  meta?: {
    size?: [number, number, number]
    triangles?: number
    bytes?: number
    thumbnail?: string
    /** Set by main when the file sent is a scaled copy of this one (see `unit`). */
    original?: SentOriginal
  }
  /**
   * The unit the file's numbers are in (default mm). Anything else is converted by main before
   * the send: the bytes Printago gets are the model in millimetres, a file of their own.
   */
  unit?: ModelUnit
  /** What to print it with (default: any material loaded). */
  material?: MaterialChoice
  /**
   * Only printers of these models may take it (`printer.modelName`): the models of the reachable
   * printers the model fits, so Printago never starts it on a bed too small for it.
   */
  printerModels?: string[]
  /**
   * 3MF and gcode.3mf only (send-project.ts): copies of each plate, by the slicer's plate id
   * (Printago's `plateQuantities`); a plate left out is not printed. Default: one of each plate.
   * `quantity` still multiplies the whole: jobs = quantity × Σ plate quantities.
   */
  plateQuantities?: Record<string, number>
  /** 3MF only: slice with the process settings saved in the project (`use3MFProcessProfile`). */
  use3MFProcessProfile?: boolean
}

/** The units an STL's numbers may be in, and their factor to millimetres. */
export type ModelUnit = 'mm' | 'inch' | 'm' | 'um'
export const UNIT_SCALE: Record<ModelUnit, number> = { mm: 1, inch: 25.4, m: 1000, um: 0.001 }
export const UNIT_WORDS: Record<ModelUnit, string> = {
  mm: 'millimetres',
  inch: 'inches',
  m: 'metres',
  um: 'micrometres'
}

/** The file a scaled copy was made from (history keeps both). */
export interface SentOriginal {
  path: string
  sha256: string
  unit: ModelUnit
}

/**
 * A material requirement. `type`: any colour of a filament type (e.g. PLA); `variant`: one colour
 * of one material of the store's catalogue. The names are kept for the history and the UI.
 */
export type MaterialChoice =
  | { kind: 'type'; type: string }
  | {
      kind: 'variant'
      variantId: string
      materialId: string
      type: string
      name: string
      color?: string | null
    }

/** "PLA (any colour)", "PLA Basic Jade White". */
export function materialWords(m: MaterialChoice | undefined | null): string {
  if (!m) return 'any material'
  return m.kind === 'type' ? `${m.type} (any colour)` : m.name
}

/**
 * The build's `materials` for a choice: channel 0 (an STL has one) accepts the type or the one
 * variant. Chosen over the `filament.type` tag because it both routes (only printers with it
 * loaded) and tells Printago which slot to print from; the tag alone would leave a mixed AMS free
 * to print a PETG job from its PLA slot, and its value syntax is not documented.
 */
export function buildMaterials(
  m: MaterialChoice | undefined | null
): Record<string, Array<{ materialType: string } | { variantId: string }>> | undefined {
  if (!m) return undefined
  return { '0': [m.kind === 'type' ? { materialType: m.type } : { variantId: m.variantId }] }
}

/** Printer models in one `printer.modelName` allow-list, and the length of each. */
export const MAX_PRINTER_MODELS = 50
export const MAX_MODEL_NAME_LENGTH = 128

/** Why a model name cannot go in `printer.modelName`, or null. */
export function modelNameProblem(name: string): string | null {
  if (name.trim() === '') return 'A printer model name cannot be empty.'
  if (name.length > MAX_MODEL_NAME_LENGTH)
    return `A printer model name is at most ${MAX_MODEL_NAME_LENGTH} characters.`
  if (name.includes('|')) return `The printer model "${name}" contains '|'.`
  return null
}

/**
 * The routing tags of one file: the send's routing plus, for a file kept off printers it does not
 * fit, `printer.modelName` = `=A|B` ("is one of A, B"). The spec leaves that key's syntax open;
 * `=` is the operator Printago documents for single-valued keys (`printer.id`) and `|` its operand
 * separator. An allow-list fails safe: if Printago read it differently, the job would wait (and
 * "Why is it waiting?" says so) rather than start on a bed too small for it.
 */
export function itemTags(
  routing: Routing,
  item: Pick<SendItem, 'printerModels'>
): Record<string, string> {
  const tags = routingTags(routing)
  const models = item.printerModels ?? []
  if (models.length > 0 && routing.mode !== 'printer')
    tags['printer.modelName'] = `=${models.join('|')}`
  return tags
}

export interface SendRequest {
  items: SendItem[]
  routing: Routing
}

/** What `POST /v2/builds/preview` says a send would create (the dry run). */
export interface SendPreview {
  files: Array<{
    /** The request's path (the original file, not a converted copy). */
    path: string
    label: string
    jobs: number
    /** The jobs' labels as Printago would queue them (without this app's marker). */
    jobLabels: string[]
    /** A 3MF's jobs per plate (plates with 0 jobs included), in the project's order. */
    plates?: Array<{ id: number; name: string; jobs: number }>
  }>
  jobCount: number
  /** Files uploaded for the dry run (the send then reuses their parts). */
  uploaded: number
}

export type SendStep =
  | 'queued-locally'
  | 'hashing'
  | 'requesting-upload'
  | 'uploading'
  | 'creating-part'
  | 'queuing'
  | 'waiting-rate-limit'
  | 'retrying'
  | 'done'
  | 'failed'
  | 'cancelled'

/** Progress of one file of a send job. Pushed to the renderer as `send:progress`. */
export interface SendProgress {
  jobId: string
  /** Index of the item in the send request. */
  index: number
  path: string
  step: SendStep
  /** 0..1 for hashing/uploading. */
  fraction?: number
  bytesDone?: number
  bytesTotal?: number
  /** True when an already-uploaded part is reused (no upload). */
  reusedPart?: boolean
  /** Seconds until a rate-limited request may go (step 'waiting-rate-limit'). */
  waitSeconds?: number
  sha256?: string
  partId?: string
  partBuildId?: string
  error?: { code: string; message: string }
  /**
   * This job is an unfinished send being continued — after a crash or quit, or because the same
   * files were sent again — not a new one: "resumed your unfinished send of X".
   */
  resumed?: boolean
}

/** Final result of one file of a send job. */
export interface SentFile {
  file: string
  sha256: string
  partId: string
  partBuildId: string
  printJobIds: string[]
  reusedPart: boolean
}

// Printago's limits on a build entry (BuildConfigV2), and ours on one send. The one source for
// the IPC schema, the pipeline's validation, the renderer's forms and the CLI.
export const MAX_QUANTITY = 500
export const MAX_LABEL_LENGTH = 1024
/** Files in one send request. */
export const MAX_FILES_PER_SEND = 200
/** Tags in one tag routing, and the length of each. */
export const MAX_TAGS = 20
export const MAX_TAG_LENGTH = 256

/** Why a quantity is not acceptable, or null. */
export function quantityProblem(quantity: number): string | null {
  return Number.isInteger(quantity) && quantity >= 1 && quantity <= MAX_QUANTITY
    ? null
    : `Quantity must be a whole number from 1 to ${MAX_QUANTITY}.`
}

/** Why a label is not acceptable, or null (blank labels are refused: Printago needs 1 character). */
export function labelProblem(label: string): string | null {
  return label.trim().length >= 1 && label.length <= MAX_LABEL_LENGTH
    ? null
    : `Label must be 1–${MAX_LABEL_LENGTH} characters.`
}

/** Why a tag cannot be sent, or null. A tag containing '|' cannot be expressed in `&=A|B`. */
export function tagProblem(tag: string): string | null {
  if (tag.trim() === '') return 'A tag cannot be empty.'
  if (tag.length > MAX_TAG_LENGTH) return `A tag is at most ${MAX_TAG_LENGTH} characters.`
  if (tag.includes('|'))
    return `The tag "${tag}" contains '|', which Printago's tag syntax cannot express.`
  return null
}

/**
 * The label Printago gets when the user gives none: the file name without its extension, cut to
 * Printago's limit ("model" when nothing is left). The UI prefills it, the CLI and the pipeline
 * fall back to it, and reconciliation compares against it, so it must be this one function.
 */
export function defaultLabel(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path
  const dot = base.lastIndexOf('.')
  return (dot > 0 ? base.slice(0, dot) : base).slice(0, MAX_LABEL_LENGTH) || 'model'
}

/** Printago's `&=` rule: a printer matches when it carries every tag, exact case. */
export function carriesAllTags(printerTags: readonly string[], tags: readonly string[]): boolean {
  return tags.every((t) => printerTags.includes(t))
}

/** A tag containing '|' cannot be expressed in Printago's `&=A|B` syntax. */
export function routingTags(routing: Routing): Record<string, string> {
  switch (routing.mode) {
    case 'any':
      return {}
    case 'printer':
      return { 'printer.id': `=${routing.printerId}` }
    case 'tags':
      return { 'user.tags': `&=${routing.tags.join('|')}` }
  }
}

/** The marker every label this app sends ends with (see core/send/marker.ts): ` [ps:xxxxxxxx]`. */
export const LABEL_MARKER = / \[ps:([a-z2-7]{8})\]$/

/**
 * A label read back from Printago (a part build's or a print job's) as the user chose it: without
 * the marker this app adds to tell its builds apart. Use it wherever such a label is shown.
 */
export function userLabel(label: string): string {
  return label.replace(LABEL_MARKER, '')
}
