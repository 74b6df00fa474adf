// "Print again": quantity, label and priority of the new copies (one POST /v2/builds, no upload).
import type { FormEvent, ReactElement } from 'react'

import type { Priority } from '../../../../shared/send'
import {
  labelProblem,
  MAX_LABEL_LENGTH,
  MAX_QUANTITY,
  quantityProblem
} from '../../../../shared/send'

/** The form's fields; the detail pane keeps them (they reset when another entry is shown). */
export interface ReprintValues {
  quantity: string
  label: string
  priority: Priority
}

interface ReprintFormProps {
  id: string
  values: ReprintValues
  onChange: (patch: Partial<ReprintValues>) => void
  /** Called with valid values only. */
  onSubmit: (quantity: number, label: string, priority: Priority) => void
  busy: boolean
  queuing: boolean
}

/** The form under the actions, shown while "Print again" is open. */
export function ReprintForm({
  id,
  values,
  onChange,
  onSubmit,
  busy,
  queuing
}: ReprintFormProps): ReactElement {
  const qty = Number(values.quantity)
  const qtyValid = quantityProblem(qty) === null
  const labelValid = labelProblem(values.label) === null
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    if (qtyValid && labelValid) onSubmit(qty, values.label.trim(), values.priority)
  }
  return (
    <form
      id={id}
      className="history-reprint-form"
      onSubmit={submit}
      aria-label="Print again"
      data-testid="history-reprint-form"
    >
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
      <button
        type="submit"
        className="primary"
        disabled={busy || !qtyValid || !labelValid}
        data-testid="history-reprint-submit"
      >
        {queuing ? 'Queuing…' : `Queue ${qtyValid ? qty : ''} ${qty === 1 ? 'copy' : 'copies'}`}
      </button>
    </form>
  )
}
