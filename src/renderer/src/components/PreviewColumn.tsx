// The centre column: the selected file in 3D over the bed of the chosen printer (or the smallest
// one the routing reaches) and its mesh report, with how many of those printers it fits and its
// unit (read as inches, metres… with the fix offered when its size says so).
import { useMemo, type ReactElement } from 'react'

import type { LoadedSlot, PrinterList } from '../../../shared/ipc'
import type { ModelUnit, Routing } from '../../../shared/send'
import {
  fitSizeMm,
  plateOnView,
  scaleOf,
  sizeMm,
  viewKey,
  viewKeys,
  type LoadedFile
} from '../lib/files'
import { candidatesFor, fileFit, slicedSplit, slicedTarget, volumeOf } from '../lib/fit'
import type { BedSize } from '../viewer/protocol'
import { PlateSwitcher } from './PlateSwitcher'
import { ReportPanel } from './ReportPanel'
import { Viewer } from './Viewer'

interface PreviewColumnProps {
  files: LoadedFile[]
  selected: LoadedFile | null
  printers: PrinterList | null
  unitScale: number
  /** The send panel's routing (null while incomplete: every printer counts). */
  routing?: Routing | null
  loaded?: Record<string, LoadedSlot[]> | null
  onUnit?: (key: string, unit: ModelUnit | undefined) => void
  /** Shows another plate of a project file. */
  onPlate?: (key: string, index: number) => void
  /** False while another tab is shown. */
  active?: boolean
}

/** Viewer + report of the selected file. */
export function PreviewColumn({
  files,
  selected,
  printers,
  unitScale,
  routing = null,
  loaded = null,
  onUnit,
  onPlate,
  active = true
}: PreviewColumnProps): ReactElement {
  const { fitText, bed } = useMemo(() => {
    const list = printers?.printers ?? []
    const need = selected ? fitSizeMm(selected, unitScale) : null
    const target = slicedTarget(selected?.project)
    if (!selected || (!need && !target) || list.length === 0) return { fitText: null, bed: null }
    const { candidates: all } = candidatesFor(
      list,
      routing ?? { mode: 'any' },
      selected.options.material,
      loaded
    )
    // Sliced G-code goes only to its model: the bed shown is one of those.
    const candidates = target ? slicedSplit(all, target).takes : all
    const where = routing && routing.mode !== 'any' ? ' this routing reaches' : ''
    const fit = need ? fileFit(need, candidates) : null
    const plural = (n: number): string => `${n} printer${n === 1 ? '' : 's'}`
    const text =
      all.length === 0
        ? null
        : target
          ? `${candidates.length} of ${plural(all.length)}${where} ${candidates.length === 1 ? 'is' : 'are'} a ${target.model}`
          : `fits ${fit!.fits.length} of ${plural(candidates.length)}${where}${selected.project && selected.project.plates.length > 1 ? ' (every plate)' : ''}`
    // The chosen printer's bed, else the smallest known one it may land on.
    const known = candidates
      .map((p) => ({ p, v: volumeOf(p) }))
      .filter(
        (x): x is { p: (typeof list)[number]; v: NonNullable<ReturnType<typeof volumeOf>> } => !!x.v
      )
      .sort((a, b) => a.v.x * a.v.y - b.v.x * b.v.y)
    const pick = known[0]
    const size: BedSize | null = pick ? { x: pick.v.x, y: pick.v.y, z: pick.v.z } : null
    const label = pick
      ? `${routing?.mode === 'printer' ? pick.p.name : `smallest: ${pick.p.name}`}, ${pick.v.x} × ${pick.v.y} × ${pick.v.z} mm`
      : ''
    return { fitText: text, bed: size ? { size, label } : null }
  }, [selected, printers, unitScale, routing, loaded])

  const plate = selected ? plateOnView(selected) : null
  return (
    <main className="center-col" aria-label="Preview">
      <Viewer
        fileKey={selected ? viewKey(selected) : null}
        fileKeys={files.flatMap(viewKeys)}
        positions={selected?.positions ?? null}
        bbox={selected?.bbox ?? null}
        groups={plate?.groups}
        picture={plate && !plate.positions ? plate.thumbnail : null}
        size={selected ? sizeMm(selected, unitScale) : null}
        name={
          selected
            ? plate
              ? `${selected.name} — plate ${plate.id}: ${plate.name}`
              : selected.name
            : null
        }
        scale={selected ? scaleOf(selected, unitScale) : 1}
        bed={bed}
        active={active}
        placeholder={
          selected?.status === 'parsing'
            ? `Reading ${selected.name}…`
            : selected?.status === 'error'
              ? `${selected.name} cannot be previewed: see below.`
              : plate && !plate.positions
                ? plate.thumbnail
                  ? `Plate ${plate.id} is sliced G-code: no 3D model to show. This is the slicer's picture of it.`
                  : `Plate ${plate.id} has nothing to show.`
                : null
        }
      />
      {selected?.project && (
        <PlateSwitcher
          project={selected.project}
          index={selected.plateIndex ?? 0}
          onShow={(i) => onPlate?.(selected.key, i)}
        />
      )}
      <ReportPanel
        file={selected}
        fitText={fitText}
        unitScale={unitScale}
        onUnit={onUnit && selected ? (unit) => onUnit(selected.key, unit) : undefined}
      />
    </main>
  )
}
