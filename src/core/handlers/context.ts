// What the per-domain handler modules share: the app core's parts, built once by createAppCore.
import type { Channel, EventName, Events } from '../../shared/ipc'
import type { Result } from '../../shared/result'
import type { Implementations } from '../handler-table'
import type { Clock } from '../infra/clock'
import type { StoreSession } from '../session'
import type { SessionOwner } from '../session-owner'
import type { Preferences } from '../settings'
import type { SavedStores } from '../stores'
import type { WatchService } from '../watch/service'

/** The handlers of one domain of the contract: every `<domain>:*` channel, nothing else. */
export type DomainHandlers<D extends string> = Pick<
  Implementations,
  Extract<Channel, `${D}:${string}`>
>

export type Emit = <E extends EventName>(event: E, payload: Events[E]) => void

export interface CoreContext {
  readonly version: string
  readonly shell: 'electron' | 'web'
  readonly clock: Clock
  readonly prefs: Preferences
  readonly stores: SavedStores
  readonly sessions: SessionOwner
  readonly emit: Emit
  /** Opens the session of a saved store or the demo store; null when its key is gone. */
  openStore(id: string): Promise<StoreSession | null>
  /** Opens a URL in the user's browser (the desktop app only). */
  openExternal?: (url: string) => Promise<void>
  /** Job ids of the sends started by `send:start` that are still running. */
  readonly running: Set<string>
  /** The hot folders. */
  readonly watch: WatchService
}

/** Runs `fn` with the active store's session, or answers "no store". */
export async function withSession<T>(
  ctx: CoreContext,
  fn: (session: StoreSession) => Promise<Result<T>>,
  none: () => Result<T>
): Promise<Result<T>> {
  const session = await ctx.sessions.current()
  return session ? fn(session) : none()
}
