// Push events from main to the renderer wait here until the renderer says it is listening: a
// window that is still loading (or reloading) would drop them, and a send's end or a clicked
// notification would be lost. The queue is bounded: events that carry a whole state keep only
// their latest value, send events are all kept, and past the limit the oldest progress goes first.
import type { EventName, Events } from '../shared/ipc'

/** Events whose payload replaces the previous one's: only the latest matters. */
const LATEST_ONLY: ReadonlySet<EventName> = new Set<EventName>([
  'history:changed',
  'printers:changed',
  'store:changed',
  'history:open',
  'watch:changed'
])

export const DEFAULT_PUSH_LIMIT = 1_000

export type Deliver = <E extends EventName>(event: E, payload: Events[E]) => void

export interface PushQueue {
  /** Delivers at once while the renderer listens, else queues. */
  push<E extends EventName>(event: E, payload: Events[E]): void
  /** The renderer listens: delivers what waited, in order, then every push at once. */
  ready(): void
  /** The renderer is gone or reloading: queue again until it is ready. */
  pause(): void
  readonly isReady: boolean
  /** Events waiting. */
  readonly size: number
  /** Events given up to stay within the limit. */
  readonly dropped: number
}

interface Queued {
  event: EventName
  payload: unknown
}

/** A paused queue in front of `deliver`. */
export function createPushQueue(deliver: Deliver, options: { limit?: number } = {}): PushQueue {
  const limit = Math.max(1, options.limit ?? DEFAULT_PUSH_LIMIT)
  let queue: Queued[] = []
  let ready = false
  let dropped = 0

  const send = (q: Queued): void =>
    (deliver as (event: EventName, payload: unknown) => void)(q.event, q.payload)

  const makeRoom = (): void => {
    if (queue.length < limit) return
    const progress = queue.findIndex((q) => q.event === 'send:progress')
    queue.splice(progress >= 0 ? progress : 0, 1)
    dropped++
  }

  return {
    push(event, payload) {
      if (ready) return send({ event, payload })
      if (LATEST_ONLY.has(event)) queue = queue.filter((q) => q.event !== event)
      else makeRoom()
      queue.push({ event, payload })
    },
    ready() {
      if (ready) return
      ready = true
      const waiting = queue
      queue = []
      for (const q of waiting) send(q)
    },
    pause() {
      ready = false
    },
    get isReady() {
      return ready
    },
    get size() {
      return queue.length
    },
    get dropped() {
      return dropped
    }
  }
}
