// "Is the server quiet?": the relay's count of requests it holds, plus requests in-process clients
// have started that have not reached the relay yet (a fetch call and its first byte at the relay
// are a few event-loop turns apart). Waiting for quiet is waiting for a state: every request ends.
// In-process code that fetches on its own (app sessions' clients, signed-URL uploads) is counted
// through the global fetch, which this replaces for the soak's process (`restore()` puts it back).
import type { Relay } from './relay'
import { turns } from './time'

export interface Quiet {
  /** A fetch for in-process clients: counted, and detached (see detachedFetch). */
  readonly fetch: typeof fetch
  busy(): boolean
  /** Resolves once nothing is in flight anywhere (checked again after a few turns). */
  settled(): Promise<void>
  restore(): void
}

export function createQuiet(relay: Relay): Quiet {
  const original = globalThis.fetch
  let starting = 0
  const waiters: Array<() => void> = []
  const wake = (): void => {
    for (const w of waiters.splice(0)) w()
  }
  const track = (p: Promise<Response>): Promise<Response> => {
    starting++
    return p.finally(() => {
      starting--
      if (starting === 0) wake()
    })
  }
  globalThis.fetch = (input, init) => track(original(input, init))
  const counted: typeof fetch = (input, init = {}) => {
    const { signal, ...rest } = init
    // The request keeps going when the caller aborts (a timeout, a crash): a real server that has
    // the request acts on it. Counted until it is answered or fails.
    const real = track(original(input, rest))
    let abandoned = false
    // An answer nobody reads any more is thrown away, so its connection is not held open.
    real.then(
      (r) => (abandoned ? r.body?.cancel().catch(() => undefined) : undefined),
      () => undefined
    )
    return new Promise<Response>((resolve, reject) => {
      const abort = (): void => {
        abandoned = true
        reject(signal?.reason ?? new DOMException('aborted', 'AbortError'))
      }
      if (signal?.aborted) abort()
      signal?.addEventListener('abort', abort, { once: true })
      real.then(resolve, reject)
    })
  }
  const busy = (): boolean => starting > 0 || relay.inFlight > 0
  return {
    fetch: counted,
    busy,
    async settled() {
      for (;;) {
        await turns()
        if (!busy()) {
          // Bytes already in a socket buffer are read in the next poll phase: look once more.
          await turns()
          if (!busy()) return
        }
        if (starting > 0) await new Promise<void>((r) => waiters.push(r))
        else await relay.idle()
      }
    },
    restore() {
      globalThis.fetch = original
    }
  }
}
