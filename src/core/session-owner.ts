// The owner of the active store's session. Opening, switching, disconnecting and closing run one
// after another, never interleaved: a call that needs the store while a session is closing (it
// waits for its running sends) waits for that to end and then gets the session opened after it —
// or none — never a second session of the store that is still closing.
import type { StoreSession } from './session'

export interface SessionOwner {
  /** The active store's open session (opened on first use), after any switch or close in progress. */
  current(): Promise<StoreSession | null>
  /** The session as it is now (also while it opens or closes), without waiting. */
  peek(): StoreSession | null
  /**
   * Closes the current session (its running sends finish first), then installs what `next`
   * opens (null: no store). `next` runs in the same turn, so nothing opens in between.
   */
  replace(next: () => Promise<StoreSession | null>): Promise<StoreSession | null>
  /** Closes the current session, stopping its sends like a quit; nothing opens afterwards. */
  close(): Promise<void>
}

/** `openActive` opens the session of the store that is active in the settings (or none). */
export function createSessionOwner(openActive: () => Promise<StoreSession | null>): SessionOwner {
  let session: StoreSession | null = null
  let queue: Promise<unknown> = Promise.resolve()
  let queued = 0
  let closed = false

  /** Runs `step` after every step queued before it. */
  const inTurn = <T>(step: () => Promise<T>): Promise<T> => {
    queued++
    const run = queue.then(step).finally(() => queued--)
    queue = run.catch(() => undefined)
    return run
  }

  const closeCurrent = async (options: { interrupt?: boolean } = {}): Promise<void> => {
    const s = session
    if (!s) return
    try {
      await s.close(options)
    } finally {
      if (session === s) session = null
    }
  }

  return {
    current() {
      if (queued === 0 && session?.state === 'open') return Promise.resolve(session)
      return inTurn(async () => {
        if (closed) return null
        if (session?.state === 'open') return session
        session = await openActive()
        return session
      })
    },
    peek: () => session,
    replace(next) {
      return inTurn(async () => {
        if (closed) return null
        await closeCurrent()
        session = await next()
        return session
      })
    },
    close() {
      return inTurn(async () => {
        closed = true
        await closeCurrent({ interrupt: true })
      })
    }
  }
}
