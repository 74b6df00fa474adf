// "Print again": where (the original routing, editable: any printer, one printer, tags), how
// many, label, priority and material of the new copies — one POST /v2/builds, no upload.
import { useEffect, useState, type FormEvent, type ReactElement } from 'react'

import type { HistoryEntry } from '../../../../shared/history'
import type { MaterialsView, PrinterSummary } from '../../../../shared/ipc'
import {
  labelProblem,
  MAX_LABEL_LENGTH,
  MAX_QUANTITY,
  quantityProblem,
  type MaterialChoice,
  type Priority,
  type Routing
} from '../../../../shared/send'
import { fleetTags, printerFit } from '../../lib/routing'
import { MaterialSelect } from '../send/MaterialSelect'

/** The form's fields; the detail pane keeps them (they reset when another entry is shown). */
export interface ReprintValues {
  quantity: string
  label: string
  priority: Priority
  mode: Routing['mode']
  printerId: string
  tags: string[]
  material: MaterialChoice | null
  /** Keep the model restriction of the original send (a model too big for some beds). */
  keepModels: boolean
}

/** The form's first values: everything as the entry was sent. */
export function reprintValues(entry: HistoryEntry): ReprintValues {
  const r = entry.routing
  return {
    quantity: String(entry.quantity),
    label: entry.label,
    priority: entry.priority,
    mode: r.mode,
    printerId: r.mode === 'printer' ? r.printerId : '',
    tags: r.mode === 'tags' ? r.tags : [],
    material: entry.material ?? null,
    keepModels: true
  }
}

/** What the form sends (valid values only). */
export interface ReprintChoice {
  quantity: number
  label: string
  priority: Priority
  routing: Routing
  material: MaterialChoice | null
  printerModels: string[] | null | undefined
}

interface ReprintFormProps {
  id: string
  entry: HistoryEntry
  printers: PrinterSummary[]
  values: ReprintValues
  onChange: (patch: Partial<ReprintValues>) => void
  onSubmit: (choice: ReprintChoice) => void
  busy: boolean
  queuing: boolean
}

/** The form under the actions, shown while "Print again" is open. */
export function ReprintForm({
  id,
  entry,
  printers,
  values,
  onChange,
  onSubmit,
  busy,
  queuing
}: ReprintFormProps): ReactElement {
  const [materials, setMaterials] = useState<MaterialsView | null>(null)
  useEffect(() => {
    let alive = true
    void window.api.printers.materials({}).then((r) => alive && r.ok && setMaterials(r.value))
    return () => {
      alive = false
    }
  }, [])
  const qty = Number(values.quantity)
  const qtyValid = quantityProblem(qty) === null
  const labelValid = labelProblem(values.label) === null
  const routing: Routing | null =
    values.mode === 'any'
      ? { mode: 'any' }
      : values.mode === 'printer'
        ? values.printerId
          ? { mode: 'printer', printerId: values.printerId }
          : null
        : values.tags.length > 0
          ? { mode: 'tags', tags: values.tags }
          : null
  const chosen = printers.find((p) => p.id === values.printerId)
  const tooBig =
    values.mode === 'printer' && chosen && entry.dimensions
      ? printerFit(chosen, [entry.dimensions]) === 'too-big'
      : false
  const models = entry.printerModels ?? []
  const valid = qtyValid && labelValid && routing !== null && !tooBig
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    if (!valid || !routing) return
    onSubmit({
      quantity: qty,
      label: values.label.trim(),
      priority: values.priority,
      routing,
      material: values.material,
      // Kept (undefined: the original's), or dropped on request.
      printerModels: routing.mode === 'printer' || values.keepModels ? undefined : null
    })
  }
  const allTags = fleetTags(printers).filter((t) => !t.includes('|'))
  return (
    <form
      id={id}
      className="history-reprint-form"
      onSubmit={submit}
      aria-label="Print again"
      data-testid="history-reprint-form"
    >
      <label>
        Where
        <select
          value={values.mode}
          onChange={(e) => onChange({ mode: e.target.value as Routing['mode'] })}
          data-testid="history-reprint-mode"
        >
          <option value="any">Any printer</option>
          <option value="printer">This printer</option>
          <option value="tags">Printers with tags</option>
        </select>
      </label>
      {values.mode === 'printer' && (
        <label className="grow">
          Printer
          <select
            value={values.printerId}
            onChange={(e) => onChange({ printerId: e.target.value })}
            aria-invalid={!values.printerId || tooBig}
            data-testid="history-reprint-printer"
          >
            <option value="">Choose a printer…</option>
            {printers.map((p) => {
              const big = entry.dimensions && printerFit(p, [entry.dimensions]) === 'too-big'
              return (
                <option key={p.id} value={p.id} disabled={!!big}>
                  {p.name}
                  {big ? ' (too small)' : ''}
                </option>
              )
            })}
          </select>
        </label>
      )}
      {values.mode === 'tags' && (
        <fieldset className="grow reprint-tags">
          <legend>Tags (all of them)</legend>
          {allTags.length === 0 && <span className="muted small">The fleet has no tags.</span>}
          {allTags.map((t) => (
            <label key={t} className="check">
              <input
                type="checkbox"
                checked={values.tags.includes(t)}
                onChange={(e) =>
                  onChange({
                    tags: e.target.checked
                      ? [...values.tags, t]
                      : values.tags.filter((x) => x !== t)
                  })
                }
              />{' '}
              {t}
            </label>
          ))}
        </fieldset>
      )}
      <label>
        Quantity
        <input
          type="number"
          min={1}
          max={MAX_QUANTITY}
          step={1}
          value={values.quantity}
          onChange={(e) => onChange({ quantity: e.target.value })}
          aria-invalid={!qtyValid}
          data-testid="history-reprint-quantity"
        />
      </label>
      <label className="grow">
        Label
        <input
          value={values.label}
          maxLength={MAX_LABEL_LENGTH}
          onChange={(e) => onChange({ label: e.target.value })}
          aria-invalid={!labelValid}
          data-testid="history-reprint-label"
        />
      </label>
      <label>
        Material
        <MaterialSelect
          label="Material"
          value={values.material}
          materials={materials}
          onChange={(m) => onChange({ material: m ?? null })}
          testId="history-reprint-material"
        />
      </label>
      <label>
        Priority
        <select
          value={values.priority}
          onChange={(e) => onChange({ priority: e.target.value as Priority })}
          data-testid="history-reprint-priority"
        >
          <option value="normal">Normal</option>
          <option value="low">Low</option>
        </select>
      </label>
      {models.length > 0 && values.mode !== 'printer' && (
        <label className="check grow">
          <input
            type="checkbox"
            checked={values.keepModels}
            onChange={(e) => onChange({ keepModels: e.target.checked })}
          />{' '}
          Only {models.join(', ')} printers (it was too big for others)
        </label>
      )}
      {tooBig && chosen && (
        <p className="error small grow" role="alert">
          The model is too big for {chosen.name}.
        </p>
      )}
      <button
        type="submit"
        className="primary"
        disabled={busy || !valid}
        data-testid="history-reprint-submit"
      >
        {queuing ? 'Queuing…' : `Queue ${qtyValid ? qty : ''} ${qty === 1 ? 'copy' : 'copies'}`}
      </button>
    </form>
  )
}
