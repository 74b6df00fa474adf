// `app:info`: what the window title and the about line show.
import { ok } from '../../shared/result'
import { NO_STORE } from '../stores'
import type { CoreContext, DomainHandlers } from './context'

export function appHandlers(ctx: CoreContext): DomainHandlers<'app'> {
  return {
    'app:info': async () =>
      ok({
        name: 'Printago Send',
        version: ctx.version,
        shell: ctx.shell,
        store: (await ctx.sessions.current())?.status ?? NO_STORE
      })
  }
}
