// The oracle: the driver's own list of what it asked for, judged against the sandbox's state alone
// (never the pipeline's journal or answers). Each intended file copy — one file of one send, as a
// user label and the file's SHA-256 — must map to exactly one build of ours; duplicates and lost
// jobs are counted per intent, never netted against each other.
//   - "ours" = every build except the look-alikes the driver created as another client (known by
//     id), so a look-alike is excluded by construction and can never satisfy an intent;
//   - an intent is found by its user label (the marker stripped) and the SHA-256 of the build's
//     part; intents that share both (a Print again, a deliberate second copy) are told apart by
//     the marker of the job the driver started for them;
//   - a build of ours that no intent explains is a duplicate; an intent with none is lost;
//   - a look-alike the pipeline reports or records as its own build is "adopted": counted as lost
//     (the user's send was answered with someone else's build).
import type { PartBuild } from '../../src/shared/printago/api-types'
import { markerOf, userLabel } from '../../src/core/send/marker'

export interface Intent {
  run: number
  /** The fault class of the run that sent it. */
  cls: string
  label: string
  sha256: string
  quantity: number
  /** The marker of the job the driver started for it, when only that job may build it. */
  marker?: string
  /** How it was sent, for the report. */
  via: string
}

export interface Verdict {
  duplicates: number
  lost: number
  /** Look-alikes the pipeline took for its own (included in `lost`). */
  adopted: number
  /** Builds of ours with a quantity the intent did not ask for. */
  wrongQuantity: number
  /** One line per problem, for the report. */
  problems: string[]
}

export interface SandboxView {
  builds: Iterable<PartBuild>
  /** part id → SHA-256 of its file (parts deleted by a fault included). */
  shaOfPart(partId: string): string | undefined
}

export class Ledger {
  readonly intents: Intent[] = []
  /** Ids of builds created by "another client". */
  readonly lookalikes = new Set<string>()
  /** Build ids the pipeline reported or recorded, with where they were seen. */
  private readonly claims: Array<{ buildId: string; where: string }> = []

  add(intent: Intent): void {
    this.intents.push(intent)
  }

  lookalike(build: PartBuild): void {
    this.lookalikes.add(build.id)
  }

  /** A build id the pipeline says is ours (a send's answer, a CLI's output, a journal record). */
  claim(buildId: string | undefined, where: string): void {
    if (buildId) this.claims.push({ buildId, where })
  }

  judge(view: SandboxView): Verdict {
    const v: Verdict = { duplicates: 0, lost: 0, adopted: 0, wrongQuantity: 0, problems: [] }
    const byKey = new Map<string, PartBuild[]>()
    for (const b of view.builds) {
      if (this.lookalikes.has(b.id)) continue
      const part = b.partId ?? 'none'
      const key = keyOf(userLabel(b.label ?? ''), view.shaOfPart(part) ?? `part:${part}`)
      byKey.set(key, [...(byKey.get(key) ?? []), b])
    }
    const intentsByKey = new Map<string, Intent[]>()
    for (const i of this.intents) {
      const key = keyOf(i.label, i.sha256)
      intentsByKey.set(key, [...(intentsByKey.get(key) ?? []), i])
    }
    const name = (i: Intent): string => `run ${i.run} (${i.cls}, ${i.via}) "${i.label}"`
    for (const [key, intents] of intentsByKey) {
      let builds = byKey.get(key) ?? []
      byKey.delete(key)
      const check = (i: Intent, mine: PartBuild[]): void => {
        if (mine.length === 0) {
          v.lost++
          v.problems.push(`lost: ${name(i)} has no build`)
        } else if (mine.length > 1) {
          v.duplicates += mine.length - 1
          v.problems.push(
            `duplicate: ${name(i)} has ${mine.length} builds: ${mine.map(describe).join(', ')}`
          )
        }
        for (const b of mine) {
          if (b.quantity !== i.quantity) {
            v.wrongQuantity++
            v.problems.push(`quantity: ${name(i)} asked ${i.quantity}, build ${describe(b)}`)
          }
        }
      }
      // Intents with a known job first: each takes the builds carrying its marker.
      for (const i of intents.filter((x) => x.marker)) {
        const mine = builds.filter((b) => markerOf(b.label) === i.marker)
        builds = builds.filter((b) => markerOf(b.label) !== i.marker)
        check(i, mine)
      }
      // The others (normally one) share what is left, one build each.
      const open = intents.filter((x) => !x.marker)
      open.forEach((i, k) => {
        const mine = k === open.length - 1 ? builds : builds.slice(0, 1)
        builds = builds.slice(mine.length)
        check(i, mine)
      })
      if (builds.length > 0) {
        v.duplicates += builds.length
        v.problems.push(`duplicate: ${builds.length} extra build(s) for ${key}`)
      }
    }
    for (const [key, builds] of byKey) {
      v.duplicates += builds.length
      v.problems.push(`duplicate: builds no send asked for (${key}): ${builds.map(describe)}`)
    }
    const seen = new Set<string>()
    for (const c of this.claims) {
      if (!this.lookalikes.has(c.buildId) || seen.has(c.buildId)) continue
      seen.add(c.buildId)
      v.adopted++
      v.lost++
      v.problems.push(`adopted: look-alike ${c.buildId} was taken as ours (${c.where})`)
    }
    return v
  }
}

function keyOf(label: string, sha: string): string {
  return `${label}|${sha.slice(0, 12)}`
}

function describe(b: PartBuild): string {
  return `${b.id} "${b.label}" ×${b.quantity}`
}
