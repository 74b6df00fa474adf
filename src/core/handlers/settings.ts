// `settings:*`: the preferences and the facts the settings screen shows.
import { ok } from '../../shared/result'
import type { CoreContext, DomainHandlers } from './context'

export function settingsHandlers(ctx: CoreContext): DomainHandlers<'settings'> {
  const view = (): ReturnType<typeof ctx.prefs.view> => ctx.prefs.view(ctx.stores.protection())
  return {
    'settings:get': async () => ok(view()),
    'settings:set': async (patch) => {
      ctx.prefs.update(patch)
      // An open store applies a smaller history size at once; the next one opens with it.
      const session = ctx.sessions.peek()
      if (patch.historySize && session?.state === 'open')
        session.history.setMaxEntries(patch.historySize)
      return ok(view())
    }
  }
}
