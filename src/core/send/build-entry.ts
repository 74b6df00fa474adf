// One file's entry of a build request (`PartBuildConfigV2`): its part, label, quantity, routing
// tags (the send's routing plus the file's model allow-list), materials, priority and position.
// The send's build (build.ts) and its dry run (build-preview.ts) make the same entry.
import type { PartBuildConfigV2 } from '../../shared/printago/api-types'
import { buildMaterials, itemTags, type Routing, type SendItem } from '../../shared/send'

/** The entry for `item` printing `partId` with the label Printago shows. */
export function partBuildEntry(
  item: SendItem,
  routing: Routing,
  partId: string,
  label: string
): PartBuildConfigV2 {
  const entry: PartBuildConfigV2 = {
    partId,
    quantity: item.quantity,
    label,
    tags: itemTags(routing, item),
    priority: item.priority === 'low' ? 1000 : 100
  }
  if (item.position) entry.position = item.position
  const materials = buildMaterials(item.material)
  if (materials) entry.materials = materials
  return entry
}
