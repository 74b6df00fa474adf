// The send panel's rules, pure: which files go, which routing was chosen, each file's verdict
// against the printers that routing reaches (bed fit, material loaded), and every reason the Send
// button is disabled, in words.
import { formatSize } from '../../../../shared/format'
import type { LoadedSlot, PrinterSummary } from '../../../../shared/ipc'
import {
  labelProblem,
  materialWords,
  quantityProblem,
  UNIT_WORDS,
  type Routing
} from '../../../../shared/send'
import { jobsPerFile, plateQuantitiesProblem } from '../../../../shared/send-project'
import { fitSizeMm, unitOf, type FileOptions, type LoadedFile } from '../../lib/files'
import {
  bedWords,
  candidatesFor,
  fileFit,
  printerNames,
  slicedSplit,
  slicedTarget,
  volumeOf,
  type FileFit
} from '../../lib/fit'
import { matchingPrinters, printerFit, sendSummary, type Fit } from '../../lib/routing'

export type Mode = Routing['mode']

/** The first problem of a file's label, quantity or per-plate quantities, or null. */
export function validateOptions(o: FileOptions): string | null {
  return (
    labelProblem(o.label) ??
    quantityProblem(o.quantity) ??
    (o.plateQuantities ? plateQuantitiesProblem(o.plateQuantities) : null)
  )
}

/** The routing the choices make, or null while it is incomplete (no printer, no tag). */
export function routingFor(mode: Mode, printerId: string | null, tags: string[]): Routing | null {
  if (mode === 'any') return { mode }
  if (mode === 'printer') return printerId ? { mode, printerId } : null
  return tags.length ? { mode, tags } : null
}

export interface SendInput {
  files: LoadedFile[]
  unitScale: number
  printers: PrinterSummary[]
  mode: Mode
  printerId: string | null
  tags: string[]
  /** What each printer has loaded; null while unknown (nothing is filtered by material then). */
  loaded?: Record<string, LoadedSlot[]> | null
  /** The file shown in the preview: the Bed column follows it. */
  selectedKey?: string | null
}

/** One file against the printers the routing reaches. */
export interface FileVerdict {
  /** 'ok': goes as it is; 'warn': goes, with something to know; 'blocked': cannot go like this. */
  tone: 'ok' | 'warn' | 'blocked'
  /** "fits 7 of 8 printers" (of the routing's printers with its material). */
  fitText: string
  /** What happens or what is wrong, in one or two sentences; null when all is well. */
  message: string | null
  /** Some of its printers are too small and some fit: the avoid / send-anyway choice applies. */
  fitChoice: FileFit | null
  /** What the send carries for it: the model allow-list (when kept off too-small beds). */
  printerModels?: string[]
  /** How many of the routing's printers have its material loaded (a material was chosen). */
  material: { loaded: number; of: number } | null
}

export interface SendCheck {
  /** Files this send takes (readable, printable, not sent yet, not left out). */
  sendable: LoadedFile[]
  /** Files the user left out (they stay in the list). */
  excluded: LoadedFile[]
  /** Each sendable file's verdict, by key. */
  verdicts: Map<string, FileVerdict>
  /** Bed fit of every printer for the selected file (or all sendable files when none is). */
  fits: Map<string, Fit>
  /** Whose fit the Bed column shows: a file name, or null for all files. */
  fitsFor: string | null
  /** Enabled printers carrying all chosen tags (tag routing only). */
  tagMatches: PrinterSummary[]
  routing: Routing | null
  /** Why Send is disabled; empty when it can go. */
  problems: string[]
  /** Files that cannot go with this routing: named, each can be left out with one click. */
  blocked: Array<{ key: string; name: string; reason: string }>
  /** Files that stay behind, and why (they do not block the send). */
  leftOut: string[]
  /** "2 files, 3 copies, to any printer — …", once the routing is complete. */
  summary: string | null
  /** Copies in all (print jobs when a 3MF is among the files: copies × its plates). */
  copies: number
}

function sentence(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1)
}

/** One file's verdict (see FileVerdict). */
export function fileVerdict(
  file: LoadedFile,
  input: SendInput,
  routing: Routing | null
): FileVerdict {
  const target = slicedTarget(file.project)
  if (target) return slicedVerdict(file, input, routing, target)
  const size = fitSizeMm(file, input.unitScale)!
  const material = file.options.material ?? null
  const loaded = input.loaded ?? null
  // An incomplete routing (no printer, no tag yet) is judged against every enabled printer.
  const { reach, candidates } = candidatesFor(
    input.printers,
    routing ?? { mode: 'any' },
    material,
    loaded
  )
  const fit = fileFit(size, candidates)
  const known = fit.fits.length + fit.tooBig.length
  const fitText =
    candidates.length === 0
      ? reach.length === 0
        ? 'no printer'
        : 'none has it loaded'
      : `fits ${fit.fits.length} of ${candidates.length} printer${candidates.length === 1 ? '' : 's'}${fit.unknown.length ? ` (${fit.unknown.length} bed size unknown)` : ''}`
  const materialCount = material && loaded ? { loaded: candidates.length, of: reach.length } : null
  const ok = (message: string | null = null): FileVerdict => ({
    tone: message ? 'warn' : 'ok',
    fitText,
    message,
    fitChoice: null,
    material: materialCount
  })
  // Its size says another unit and it is still read in millimetres: worth a word here too.
  const r = file.report
  const suspect =
    unitOf(file, input.unitScale) === 'mm'
      ? (r?.unitSuspect ?? (r?.inchSuspect ? 'inch' : null))
      : null
  const unitNote = suspect
    ? `Only ${formatSize(size)}: probably drawn in ${UNIT_WORDS[suspect]}. Check its units under the preview.`
    : null
  const noMaterial =
    material && loaded && reach.length > 0 && candidates.length === 0
      ? `No printer this routing reaches has ${materialWords(material)} loaded: the job waits in the queue until one has.`
      : unitNote
  if (routing?.mode === 'printer') {
    const chosen = fit.tooBig[0]
    if (chosen)
      return {
        ...ok(),
        tone: 'blocked',
        message: `Too big for ${chosen.name} (${formatSize(size)}; its bed is ${bedWords(chosen)}).`
      }
    return ok(noMaterial)
  }
  if (candidates.length > 0 && known === candidates.length && fit.fits.length === 0) {
    const largest = [...candidates].sort(
      (a, b) =>
        (volumeOf(b)?.x ?? 0) * (volumeOf(b)?.y ?? 0) -
        (volumeOf(a)?.x ?? 0) * (volumeOf(a)?.y ?? 0)
    )[0]!
    return {
      ...ok(),
      tone: 'blocked',
      message: `Too big for every printer ${routing ? 'this routing reaches' : 'in the store'} (${formatSize(size)}; the largest bed is ${largest.name}'s, ${bedWords(largest)}).`
    }
  }
  if (fit.tooBig.length === 0) return ok(noMaterial)
  const small = printerNames(fit.tooBig)
  const choice = file.options.fit ?? 'avoid'
  if (choice === 'anyway')
    return {
      ...ok(),
      tone: 'warn',
      fitChoice: fit,
      message: `Sent to every printer the routing reaches, ${small} included: if Printago starts it there, the job fails at slicing.`
    }
  if (!fit.avoidModels)
    return {
      ...ok(),
      tone: 'blocked',
      fitChoice: fit,
      message:
        fit.fits.length === 0
          ? `Too big for ${small}; only printers of unknown bed size remain (${printerNames(fit.unknown)}). Send it anyway to let Printago try them, or leave it out.`
          : `Too big for ${small}, and the printers it fits report no model Printago can route by. Choose one printer, send it anyway, or leave it out.`
    }
  const lost = fit.lostByAvoid.length
    ? ` ${sentence(printerNames(fit.lostByAvoid))} ${fit.lostByAvoid.length === 1 ? 'is' : 'are'} left out too: ${fit.lostByAvoid.length === 1 ? 'its' : 'their'} model is not one Printago can route by.`
    : ''
  return {
    ...ok(),
    tone: 'warn',
    fitChoice: fit,
    printerModels: fit.avoidModels,
    message: `Too big for ${small}: it goes only to ${fit.avoidModels.join(', ')} printers.${lost}`
  }
}

/**
 * A sliced gcode.3mf: its G-code is for one printer model and nozzle, so only printers of that
 * model take it (core routes it with `printer.modelName` and `printer.nozzleDiameter`); every
 * other printer the routing reaches is excluded, and the verdict says so.
 */
function slicedVerdict(
  file: LoadedFile,
  input: SendInput,
  routing: Routing | null,
  target: NonNullable<ReturnType<typeof slicedTarget>>
): FileVerdict {
  const material = file.options.material ?? null
  const { reach, candidates } = candidatesFor(
    input.printers,
    routing ?? { mode: 'any' },
    material,
    input.loaded ?? null
  )
  const { takes, other } = slicedSplit(candidates, target)
  const nozzle = target.nozzle !== null ? ` with a ${target.nozzle} mm nozzle` : ''
  const base = {
    fitText:
      candidates.length === 0
        ? reach.length === 0
          ? 'no printer'
          : 'none has it loaded'
        : `${takes.length} of ${candidates.length} printer${candidates.length === 1 ? '' : 's'} ${takes.length === 1 ? 'is' : 'are'} its model`,
    fitChoice: null,
    material: material && input.loaded ? { loaded: candidates.length, of: reach.length } : null
  }
  if (target.volumeId === null)
    return {
      ...base,
      tone: 'blocked',
      message: `Sliced for ${target.model}, a printer this app does not know: it cannot keep the G-code off other models, so it is not sent.`
    }
  if (takes.length === 0 && candidates.length > 0)
    return {
      ...base,
      tone: 'blocked',
      message: `Sliced for a ${target.model}${nozzle}: ${routing?.mode === 'printer' ? `${candidates[0]!.name} is another model` : `no printer this routing reaches is one`}. G-code made for one model must never run on another.`
    }
  const excluded = other.length
    ? ` ${sentence(printerNames(other))} ${other.length === 1 ? 'is' : 'are'} excluded: ${other.length === 1 ? 'another model' : 'other models'}.`
    : ''
  return {
    ...base,
    tone: other.length ? 'warn' : 'ok',
    message: `Sliced for a ${target.model}${nozzle}: only those printers take it.${excluded}`
  }
}

/** Everything the panel says about a send before it starts. */
export function checkSend(input: SendInput): SendCheck {
  const { files, printers: list, mode, printerId, tags } = input
  // A file the engine judged unprintable (flat, no usable triangles) is never sent.
  // Files already queued are not sent again from here (History → Print again does that), so a
  // retry after a partial failure can never queue a file twice.
  const ready = files.filter(
    (f) => f.status === 'ready' && f.report?.verdict !== 'error' && !f.sent
  )
  const sendable = ready.filter((f) => !f.options.excluded)
  const excluded = ready.filter((f) => f.options.excluded)
  const alreadySent = files.filter((f) => f.sent).length
  const unprintable = files.filter((f) => f.status === 'ready' && f.report?.verdict === 'error')
  const routing = routingFor(mode, printerId, tags)
  const verdicts = new Map(sendable.map((f) => [f.key, fileVerdict(f, input, routing)]))
  // The Bed column: the selected file, or every file at once.
  const selected = sendable.find((f) => f.key === input.selectedKey)
  const sizes = (selected ? [selected] : sendable).flatMap((f) => {
    const size = fitSizeMm(f, input.unitScale)
    return size ? [size] : []
  })
  const targets = (selected ? [selected] : sendable).flatMap((f) => {
    const t = slicedTarget(f.project)
    return t ? [t] : []
  })
  const fits = new Map(
    list.map((p): [string, Fit] => [
      p.id,
      targets.some((t) => slicedSplit([p], t).takes.length === 0)
        ? 'other-model'
        : printerFit(p, sizes)
    ])
  )
  const tagMatches = mode === 'tags' ? matchingPrinters(list, tags) : []

  const problems: string[] = []
  if (sendable.length === 0)
    problems.push(
      excluded.length > 0
        ? 'Every readable file is left out. Put one back to send it.'
        : alreadySent > 0
          ? 'Every file here is already sent. Add files, or use History → Print again.'
          : 'Add at least one readable STL or 3MF file.'
    )
  const leftOut = [
    ...(alreadySent > 0 && sendable.length > 0
      ? [
          `${alreadySent} already sent file${alreadySent === 1 ? ' is' : 's are'} skipped (History → Print again prints more).`
        ]
      : []),
    ...unprintable.map(
      (f) => `${f.name} is left out: ${f.report?.notes[0] ?? 'it cannot be printed'}`
    ),
    ...excluded.map((f) => `${f.name} is left out (your choice).`)
  ]
  for (const f of sendable) {
    const err = validateOptions(f.options)
    if (err) problems.push(`${f.name}: ${err}`)
  }
  const blocked = sendable.flatMap((f) => {
    const v = verdicts.get(f.key)!
    return v.tone === 'blocked' ? [{ key: f.key, name: f.name, reason: v.message ?? '' }] : []
  })
  if (mode === 'printer' && !printerId) problems.push('Choose a printer.')
  if (mode === 'printer' && printerId && !list.some((p) => p.id === printerId))
    problems.push('The chosen printer is no longer in the list.')
  const chosen = mode === 'printer' ? list.find((p) => p.id === printerId) : undefined
  if (chosen && !chosen.enabled)
    problems.push(`${chosen.name} is disabled in Printago: it takes no jobs until it is enabled.`)
  if (mode === 'tags' && tags.length === 0) problems.push('Choose at least one tag.')
  if (mode === 'tags' && tags.length > 0 && tagMatches.length === 0)
    problems.push('No printer carries all of these tags.')

  // A project's jobs: copies × its plates (or the per-plate quantities).
  const copies = sendable.reduce(
    (n, f) =>
      n +
      (Number.isInteger(f.options.quantity)
        ? jobsPerFile(f.options.quantity, f.options.plateQuantities, f.project?.plates.length ?? 1)
        : 0),
    0
  )
  const projects = sendable.some((f) => f.project)
  const summary = routing ? sendSummary(sendable.length, copies, routing, list, projects) : null
  return {
    sendable,
    excluded,
    verdicts,
    fits,
    fitsFor: selected && sendable.length > 1 ? selected.name : null,
    tagMatches,
    routing,
    problems,
    blocked,
    leftOut,
    summary,
    copies
  }
}
