// `shell:openExternal`: only https links to Printago's own hosts leave the app.
import { fail, ok } from '../../shared/result'
import { allowedExternalUrl } from '../infra/external-links'
import type { CoreContext, DomainHandlers } from './context'

export function shellHandlers(ctx: CoreContext): DomainHandlers<'shell'> {
  return {
    'shell:openExternal': async ({ url }) => {
      const allowed = allowedExternalUrl(url)
      if (!allowed)
        return fail('blocked-url', 'Only https links to Printago can be opened from the app.')
      if (!ctx.openExternal) return ok({ opened: false })
      // electronegativity OPEN_EXTERNAL_JS_CHECK: only allowedExternalUrl() output (https, Printago hosts) reaches this.
      await ctx.openExternal(allowed)
      return ok({ opened: true })
    }
  }
}
