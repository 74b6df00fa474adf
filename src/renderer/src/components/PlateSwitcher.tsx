// The plates of a 3MF project or sliced gcode.3mf, one tab each (arrow keys, Home and End move
// between them, as in any tab list), and what the plate on view holds: its objects and colours,
// and for a sliced plate the slicer's picture and estimates (printer, nozzle, time, filament).
import { useRef, type KeyboardEvent, type ReactElement } from 'react'

import { slicedPlateModels } from '../../../shared/3mf/compat'
import { durationWords, formatGrams } from '../../../shared/format'
import type { PlateView, ProjectView } from '../lib/project-view'

interface PlateSwitcherProps {
  project: ProjectView
  index: number
  onShow: (index: number) => void
}

/** The slicer's estimates for a sliced plate. */
function SlicedFacts({ plate }: { plate: PlateView }): ReactElement | null {
  const s = plate.sliced
  if (!s) return null
  const model =
    slicedPlateModels(s)[0]?.name ?? s.printerModel ?? 'a printer this app does not know'
  const facts = [
    `Sliced for ${model}${s.nozzleDiameter !== null ? `, ${s.nozzleDiameter} mm nozzle` : ''}`,
    s.printSeconds !== null ? `${durationWords(s.printSeconds)} print` : null,
    s.weightGrams !== null ? `${formatGrams(s.weightGrams)} filament` : null
  ].filter(Boolean)
  return (
    <div className="plate-sliced" data-testid="plate-sliced">
      {plate.thumbnail && (
        <img
          className="plate-thumb"
          src={plate.thumbnail}
          alt={`The slicer's picture of ${plate.name}`}
          data-testid="plate-thumbnail"
        />
      )}
      <div>
        <p>{facts.join(' · ')}</p>
        {s.filaments.length > 0 && (
          <ul className="plate-filaments">
            {s.filaments.map((f) => (
              <li key={f.index}>
                <span
                  className="swatch"
                  style={{ background: f.color ?? 'transparent' }}
                  aria-hidden="true"
                />
                {f.type ?? 'Filament'} {f.index}
                {f.grams !== null ? `: ${formatGrams(f.grams)}` : ''}
              </li>
            ))}
          </ul>
        )}
        {s.warnings.map((w) => (
          <p key={w} className="muted small">
            Slicer: {w}
          </p>
        ))}
      </div>
    </div>
  )
}

/** Tabs for the plates, and the plate on view's contents. */
export function PlateSwitcher({ project, index, onShow }: PlateSwitcherProps): ReactElement {
  const tabs = useRef<Array<HTMLButtonElement | null>>([])
  const count = project.plates.length
  const move = (to: number): void => {
    const next = (to + count) % count
    onShow(next)
    tabs.current[next]?.focus()
  }
  const onKey = (e: KeyboardEvent): void => {
    const to =
      e.key === 'ArrowRight' || e.key === 'ArrowDown'
        ? index + 1
        : e.key === 'ArrowLeft' || e.key === 'ArrowUp'
          ? index - 1
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? count - 1
              : null
    if (to === null) return
    e.preventDefault()
    move(to)
  }
  const plate = project.plates[index]
  const kind = project.kind === 'gcode3mf' ? 'Sliced 3MF' : '3MF project'
  return (
    <section className="plates" aria-label="Plates" data-testid="plates">
      <div className="plates-head">
        <span className="muted small">
          {kind}, {count === 1 ? '1 plate' : `${count} plates`}
        </span>
        <div role="tablist" aria-label="Plate on view" className="plate-tabs" onKeyDown={onKey}>
          {project.plates.map((p, i) => (
            <button
              key={p.id}
              ref={(el) => {
                tabs.current[i] = el
              }}
              type="button"
              role="tab"
              id={`plate-tab-${p.id}`}
              aria-selected={i === index}
              aria-controls="plate-panel"
              tabIndex={i === index ? 0 : -1}
              onClick={() => onShow(i)}
              data-testid={`plate-tab-${p.id}`}
            >
              {p.id}: {p.name}
            </button>
          ))}
        </div>
      </div>
      {plate && (
        <div
          id="plate-panel"
          role="tabpanel"
          aria-labelledby={`plate-tab-${plate.id}`}
          className="plate-panel"
        >
          {plate.objects.length > 0 && (
            <ul className="plate-objects" data-testid="plate-objects">
              {plate.objects.map((o, i) => (
                <li key={`${o.name}-${i}`}>
                  {o.colors.map((c) => (
                    <span
                      key={c}
                      className="swatch"
                      style={{ background: c }}
                      title={c}
                      aria-hidden="true"
                    />
                  ))}
                  {o.name}
                </li>
              ))}
            </ul>
          )}
          <SlicedFacts plate={plate} />
        </div>
      )}
    </section>
  )
}
