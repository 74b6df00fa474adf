// One file's entry of a build request (`PartBuildConfigV2`): its part, label, quantity, routing
// tags (the send's routing plus the file's model allow-list, or for sliced G-code the model and
// nozzle it was sliced for), materials, priority, position and a 3MF's per-plate quantities.
// The send's build (build.ts) and its dry run (build-preview.ts) make the same entry.
import type { PartBuildConfigV2 } from '../../shared/printago/api-types'
import { buildMaterials, itemTags, type Routing, type SendItem } from '../../shared/send'
import { slicedTags, type ProjectFacts } from '../../shared/send-project'

/** The entry for `item` printing `partId` with the label Printago shows. */
export function partBuildEntry(
  item: SendItem,
  routing: Routing,
  partId: string,
  label: string,
  project?: ProjectFacts
): PartBuildConfigV2 {
  // Sliced G-code goes only to its model and nozzle, whatever else the routing allows (a fit
  // allow-list of other models would be wrong for it anyway).
  const sliced = project?.slicedFor ? slicedTags(project.slicedFor) : {}
  const entry: PartBuildConfigV2 = {
    partId,
    quantity: item.quantity,
    label,
    tags: { ...itemTags(routing, item), ...sliced },
    priority: item.priority === 'low' ? 1000 : 100
  }
  if (item.position) entry.position = item.position
  if (project && item.plateQuantities) entry.plateQuantities = { ...item.plateQuantities }
  const materials = buildMaterials(item.material)
  if (materials) entry.materials = materials
  return entry
}
