// The marker that tells our builds apart from look-alikes. Printago has no idempotency key, so a
// build whose answer was lost is found again by reading Printago's part builds — and only a value
// Printago stores and returns can prove which one is ours. Of the three candidates in
// `PartBuildConfigV2`:
//   - `label`: stored as `PartBuild.label` and on every `PrintJob.label`, returned by every read,
//     free text (1–1024 characters), routes nothing and never reaches the slicer. Chosen.
//   - `parameters`: stored as `parameterOverrides`, but meant for parametric parts: Printago may
//     refuse it for an STL or hand it to the slicer.
//   - a tag: `Tags` allows only six routing keys, so a marker there would constrain routing.
// So every label we send ends with ` [ps:xxxxxxxx]`: 8 base-32 characters (40 bits) derived from
// the job id and the file's index, the same for every attempt of that file (a late build of an
// earlier attempt is still recognised as ours). The user's label is cut to fit Printago's 1024
// characters with the marker, and shown without it everywhere in the app and the CLI.
import { createHash } from 'node:crypto'

import { LABEL_MARKER as MARKER_TAIL, MAX_LABEL_LENGTH } from '../../shared/send'

export { userLabel } from '../../shared/send'

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567'
/** Characters the marker adds to a label. */
export const MARKER_LENGTH = ' [ps:xxxxxxxx]'.length

/** The marker of file `index` of job `jobId` (stable: every attempt and resume sends the same). */
export function markerFor(jobId: string, index: number): string {
  const digest = createHash('sha256').update(`${jobId}\0${index}`).digest()
  let out = ''
  for (let i = 0; i < 8; i++) out += ALPHABET[digest[i]! & 31]
  return out
}

/** The label Printago gets: the user's label (cut to fit, never mid-character) plus the marker. */
export function markLabel(label: string, marker: string): string {
  const room = MAX_LABEL_LENGTH - MARKER_LENGTH
  let cut = label
  if (cut.length > room) {
    cut = cut.slice(0, room)
    // Do not leave half of a surrogate pair at the end.
    if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1)
  }
  return `${cut} [ps:${marker}]`
}

/** The marker a label carries, if it is one of ours. */
export function markerOf(label: string | null | undefined): string | undefined {
  return label ? MARKER_TAIL.exec(label)?.[1] : undefined
}
