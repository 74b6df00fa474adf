// Realtime events for part builds the history does not know yet, held for a while: the send
// pipeline creates the build (and Printago emits the job INSERTs) before the entry is added, so
// the events are replayed when it appears. Bounded in age and in number of builds.
import type { Clock } from '../infra/clock'
import type { JobFacts } from './sync-apply'

export const BUFFER_BUILDS = 500
export const BUFFER_MS = 10 * 60_000

export interface EventBuffer {
  /** Holds the facts of one job of `partBuildId` (merged with earlier facts of that job). */
  hold(partBuildId: string, facts: JobFacts): void
  /** The held facts of `partBuildId`, removed from the buffer. */
  take(partBuildId: string): JobFacts[] | undefined
}

export function createEventBuffer(clock: Clock): EventBuffer {
  const builds = new Map<string, { at: number; jobs: Map<string, JobFacts> }>()

  const prune = (): void => {
    const cutoff = clock.now() - BUFFER_MS
    for (const [id, b] of builds) if (b.at < cutoff) builds.delete(id)
    while (builds.size > BUFFER_BUILDS) builds.delete(builds.keys().next().value!)
  }

  return {
    hold(partBuildId, facts) {
      prune()
      const b = builds.get(partBuildId) ?? { at: clock.now(), jobs: new Map() }
      b.at = clock.now()
      b.jobs.set(facts.id, { ...b.jobs.get(facts.id), ...facts })
      builds.set(partBuildId, b)
    },
    take(partBuildId) {
      const b = builds.get(partBuildId)
      if (!b) return undefined
      builds.delete(partBuildId)
      return [...b.jobs.values()]
    }
  }
}
