// Which printers have a material loaded: the send panel's read-outs and the app's routing by
// material agree on one rule (types compare case-insensitively, like Printago's `materialType`).
import type { LoadedSlot } from '../ipc'
import type { MaterialChoice } from '../send'

/** True when the slots hold the material: any colour of a type, or the one variant. */
export function hasLoaded(
  slots: readonly LoadedSlot[] | undefined,
  want: MaterialChoice | null | undefined
): boolean {
  if (!want) return true
  return (slots ?? []).some((s) =>
    want.kind === 'type'
      ? s.type.toLowerCase() === want.type.toLowerCase()
      : s.variantId === want.variantId
  )
}
