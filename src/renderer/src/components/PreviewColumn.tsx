// The centre column: the selected file in 3D and its mesh report (with how many printers it fits).
import { useMemo, type ReactElement } from 'react'

import type { PrinterList } from '../../../shared/ipc'
import { sizeMm, type LoadedFile } from '../lib/files'
import { printerFit } from '../lib/routing'
import { ReportPanel } from './ReportPanel'
import { Viewer } from './Viewer'

interface PreviewColumnProps {
  files: LoadedFile[]
  selected: LoadedFile | null
  printers: PrinterList | null
  unitScale: number
}

/** Viewer + report of the selected file. */
export function PreviewColumn({
  files,
  selected,
  printers,
  unitScale
}: PreviewColumnProps): ReactElement {
  const fitText = useMemo(() => {
    if (!selected?.report || !printers?.printers.length) return null
    const list = printers.printers
    const fit = list.filter((p) => printerFit(p, [sizeMm(selected, unitScale)!]) === 'fits').length
    return `fits ${fit} of ${list.length} printers`
  }, [selected, printers, unitScale])

  return (
    <main className="center-col">
      <Viewer
        fileKey={selected?.key ?? null}
        fileKeys={files.map((f) => f.key)}
        positions={selected?.positions ?? null}
        bbox={selected?.bbox ?? null}
        size={selected ? sizeMm(selected, unitScale) : null}
        name={selected?.name ?? null}
        placeholder={
          selected?.status === 'parsing'
            ? `Reading ${selected.name}…`
            : selected?.status === 'error'
              ? `${selected.name} cannot be previewed: see below.`
              : null
        }
      />
      <ReportPanel file={selected} fitText={fitText} unitScale={unitScale} />
    </main>
  )
}
