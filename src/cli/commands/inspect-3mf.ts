// `inspect` on a 3MF project or a sliced gcode.3mf: the 3MF engine's summary, per plate — its
// objects and colours, size, triangles, closed, volume and bed fit, and for a sliced plate the
// printer model, nozzle, print time and filament the slicer wrote.
import type { ThreeMfSummary } from '../../shared/3mf'
import { slicedPlateModels } from '../../shared/3mf/compat'
import { durationWords, formatCount, formatGrams, formatMm } from '../../shared/format'
import { BUILD_VOLUMES, fitsBed, lookupBuildVolume } from '../../shared/printers/build-volumes'

type PlateSummary = ThreeMfSummary['plates'][number]

/** Distinct display colours of a plate's parts, in order of appearance. */
function plateColors(p: PlateSummary): string[] {
  return [
    ...new Set(p.objects.flatMap((o) => o.parts.map((x) => x.color)).filter((c) => c !== null))
  ] as string[]
}

/** Bed fit of a plate: for `--printer` one model, else every model that fits (by id). */
function plateFit(p: PlateSummary, printer: string | null): object {
  if (printer !== null) {
    const volume = lookupBuildVolume(printer)
    return {
      printer: volume?.name ?? printer,
      fit: p.report ? fitsBed(p.report.size, volume) : 'unknown'
    }
  }
  const fits = BUILD_VOLUMES.filter((v) => p.bedFit[v.id] === 'fits').map((v) => v.name)
  return { fitsModels: fits }
}

/** The `--json` shape of a project: stable field names for scripts. */
export function projectJson(s: ThreeMfSummary, printer: string | null): object {
  return {
    format: s.kind,
    unit: s.unit,
    title: s.title,
    application: s.application,
    slicer: s.slicer,
    printerModel: s.printerModel,
    nozzleDiameter: s.nozzleDiameter,
    filaments: s.filaments,
    triangles: s.triangles,
    notes: s.notes,
    plates: s.plates.map((p) => ({
      id: p.id,
      name: p.name,
      objects: p.objects.map((o) => ({
        name: o.name,
        triangles: o.triangles,
        size: o.size,
        closed: o.report.closed,
        colors: [...new Set(o.parts.map((x) => x.color).filter((c) => c !== null))]
      })),
      colors: plateColors(p),
      size: p.report?.size ?? null,
      triangles: p.report?.triangles ?? 0,
      closed: p.report?.closed ?? null,
      volume: p.report?.volume ?? null,
      ...plateFit(p, printer),
      thumbnail: p.thumbnail ? p.thumbnail.path : null,
      sliced: p.sliced
        ? {
            printerModel: p.sliced.printerModel,
            printerModelName: slicedPlateModels(p.sliced)[0]?.name ?? null,
            printerModelId: p.sliced.printerModelId,
            nozzleDiameter: p.sliced.nozzleDiameter,
            printSeconds: p.sliced.printSeconds,
            weightGrams: p.sliced.weightGrams,
            filaments: p.sliced.filaments,
            warnings: p.sliced.warnings
          }
        : null
    }))
  }
}

/** The text report of a project. */
export function projectText(file: string, s: ThreeMfSummary, printer: string | null): string {
  const what = s.kind === 'gcode3mf' ? 'sliced 3MF (G-code)' : '3MF project'
  const plates = s.plates.length === 1 ? '1 plate' : `${s.plates.length} plates`
  const lines = [`${file}: ${what}, ${plates}, ${formatCount(s.triangles)} triangles`]
  if (s.application) lines.push(`  Made with     ${s.application}`)
  for (const p of s.plates) {
    lines.push(`  Plate ${p.id}: ${p.name}`)
    const r = p.report
    if (r) {
      lines.push(`    Size        ${r.size.map(formatMm).join(' × ')} mm`)
      lines.push(`    Triangles   ${formatCount(r.triangles)}`)
      lines.push(`    Closed      ${r.closed ? 'yes' : 'no'}`)
      if (r.volume !== null) lines.push(`    Volume      ${formatCount(Math.round(r.volume))} mm³`)
    }
    if (p.objects.length > 0)
      lines.push(`    Objects     ${p.objects.map((o) => o.name).join(', ')}`)
    const colors = plateColors(p)
    if (colors.length > 0) lines.push(`    Colours     ${colors.join(', ')}`)
    if (printer !== null && r) {
      const volume = lookupBuildVolume(printer)
      lines.push(`    Fits        ${volume?.name ?? printer}: ${fitsBed(r.size, volume)}`)
    }
    const sl = p.sliced
    if (sl) {
      const nozzle = sl.nozzleDiameter !== null ? `, ${sl.nozzleDiameter} mm nozzle` : ''
      const model = slicedPlateModels(sl)[0]?.name ?? sl.printerModel ?? 'an unknown printer'
      lines.push(`    Sliced for  ${model}${nozzle}`)
      if (sl.printSeconds !== null) lines.push(`    Print time  ${durationWords(sl.printSeconds)}`)
      if (sl.weightGrams !== null) lines.push(`    Filament    ${formatGrams(sl.weightGrams)}`)
    }
  }
  if (s.notes.length > 0) {
    lines.push('  Notes')
    for (const n of s.notes) lines.push(`    - ${n}`)
  }
  return lines.join('\n') + '\n'
}
