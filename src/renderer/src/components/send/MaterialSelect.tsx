// The material of a file: any material, a filament type (any colour), or one colour of one
// material of the store's catalogue; each choice says how many printers have it loaded.
import type { ReactElement } from 'react'

import type { MaterialsView } from '../../../../shared/ipc'
import { hasLoaded } from '../../../../shared/printers/loaded'
import type { MaterialChoice } from '../../../../shared/send'

/** A choice as a select value: '' any, 'type:PLA', 'variant:<id>'. */
export function materialValue(m: MaterialChoice | null | undefined): string {
  if (!m) return ''
  return m.kind === 'type' ? `type:${m.type}` : `variant:${m.variantId}`
}

/** The choice a select value stands for (null: any material). */
export function materialFromValue(
  value: string,
  materials: MaterialsView | null
): MaterialChoice | null {
  if (value.startsWith('type:')) return { kind: 'type', type: value.slice(5) }
  if (value.startsWith('variant:')) {
    const o = materials?.options.find((x) => x.variantId === value.slice(8))
    if (o)
      return {
        kind: 'variant',
        variantId: o.variantId,
        materialId: o.materialId,
        type: o.type,
        name: o.name,
        color: o.color
      }
  }
  return null
}

interface MaterialSelectProps {
  label: string
  value: MaterialChoice | null | undefined
  materials: MaterialsView | null
  /** null: any material; undefined: "no change" (the placeholder of apply-to-all). */
  onChange: (m: MaterialChoice | null | undefined) => void
  /** First option's text ('Any material', or 'Material…' for apply-to-all). */
  placeholder?: string
  /** With a placeholder, '' means "no change" instead of "any material". */
  allowAny?: boolean
  testId?: string
}

/** A select of the store's materials. */
export function MaterialSelect(props: MaterialSelectProps): ReactElement {
  const { materials } = props
  const count = (m: MaterialChoice): number =>
    materials ? Object.values(materials.loaded).filter((slots) => hasLoaded(slots, m)).length : 0
  const loadedText = (n: number): string => (n === 0 ? 'none loaded' : `${n} loaded`)
  const types = materials?.types ?? []
  const apply = props.placeholder !== undefined && props.allowAny === true
  const value = apply && props.value === null ? 'any' : materialValue(props.value)
  return (
    <select
      aria-label={props.label}
      value={value}
      disabled={!materials && !value}
      title={materials ? undefined : 'The store’s materials are not loaded (yet).'}
      onChange={(e) =>
        props.onChange(
          apply && e.target.value === '' ? undefined : materialFromValue(e.target.value, materials)
        )
      }
      data-testid={props.testId}
    >
      <option value="">{props.placeholder ?? 'Any material'}</option>
      {props.placeholder && props.allowAny && <option value="any">Any material</option>}
      {types.length > 0 && (
        <optgroup label="Any colour">
          {types.map((t) => (
            <option key={t} value={`type:${t}`}>
              {t} ({loadedText(count({ kind: 'type', type: t }))})
            </option>
          ))}
        </optgroup>
      )}
      {types.map((t) => {
        const options = materials!.options.filter((o) => o.type === t)
        return options.length === 0 ? null : (
          <optgroup key={`v-${t}`} label={t}>
            {options.map((o) => (
              <option key={o.variantId} value={`variant:${o.variantId}`}>
                {o.name} (
                {loadedText(
                  count({
                    kind: 'variant',
                    variantId: o.variantId,
                    materialId: o.materialId,
                    type: o.type,
                    name: o.name
                  })
                )}
                )
              </option>
            ))}
          </optgroup>
        )
      })}
      {/* A choice no longer in the catalogue (another store, a deleted colour) stays visible. */}
      {value &&
        value !== 'any' &&
        !types.some((t) => value === `type:${t}`) &&
        !materials?.options.some((o) => value === `variant:${o.variantId}`) && (
          <option value={value}>
            {props.value?.kind === 'variant' ? props.value.name : props.value?.type}
          </option>
        )}
    </select>
  )
}
