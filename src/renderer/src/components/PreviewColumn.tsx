// The centre column: the selected file in 3D over the bed of the chosen printer (or the smallest
// one the routing reaches) and its mesh report, with how many of those printers it fits and its
// unit (read as inches, metres… with the fix offered when its size says so).
import { useMemo, type ReactElement } from 'react'

import type { LoadedSlot, PrinterList } from '../../../shared/ipc'
import type { ModelUnit, Routing } from '../../../shared/send'
import { scaleOf, sizeMm, type LoadedFile } from '../lib/files'
import { candidatesFor, fileFit, volumeOf } from '../lib/fit'
import type { BedSize } from '../viewer/protocol'
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
  active = true
}: PreviewColumnProps): ReactElement {
  const { fitText, bed } = useMemo(() => {
    const list = printers?.printers ?? []
    if (!selected?.report || list.length === 0) return { fitText: null, bed: null }
    const { candidates } = candidatesFor(
      list,
      routing ?? { mode: 'any' },
      selected.options.material,
      loaded
    )
    const fit = fileFit(sizeMm(selected, unitScale)!, candidates)
    const where = routing && routing.mode !== 'any' ? ' this routing reaches' : ''
    const text =
      candidates.length === 0
        ? null
        : `fits ${fit.fits.length} of ${candidates.length} printer${candidates.length === 1 ? '' : 's'}${where}`
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

  return (
    <main className="center-col" aria-label="Preview">
      <Viewer
        fileKey={selected?.key ?? null}
        fileKeys={files.map((f) => f.key)}
        positions={selected?.positions ?? null}
        bbox={selected?.bbox ?? null}
        size={selected ? sizeMm(selected, unitScale) : null}
        name={selected?.name ?? null}
        scale={selected ? scaleOf(selected, unitScale) : 1}
        bed={bed}
        active={active}
        placeholder={
          selected?.status === 'parsing'
            ? `Reading ${selected.name}…`
            : selected?.status === 'error'
              ? `${selected.name} cannot be previewed: see below.`
              : null
        }
      />
      <ReportPanel
        file={selected}
        fitText={fitText}
        unitScale={unitScale}
        onUnit={onUnit && selected ? (unit) => onUnit(selected.key, unit) : undefined}
      />
    </main>
  )
}
