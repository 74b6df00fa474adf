// `store:*`: choose the demo store, connect a Printago store (checked against Printago before it
// is saved), switch, disconnect, forget. Every change of the active store goes through the
// session owner, so the old store's session is closed (its sends finish) before the next opens.
import type { StoreStatus } from '../../shared/ipc'
import { fail, ok, type Result } from '../../shared/result'
import { checkCredentials, DEMO_STORE, maskKey, NO_STORE, verifyStoreAccess } from '../stores'
import type { CoreContext, DomainHandlers } from './context'

export function storeHandlers(ctx: CoreContext): DomainHandlers<'store'> {
  /** Closes the active store's session and opens `id`'s; the active store changes only if it opens. */
  async function activate(id: string): Promise<Result<StoreStatus>> {
    const next = await ctx.sessions.replace(async () => {
      const session = await ctx.openStore(id)
      if (session) ctx.stores.setActive(id)
      return session
    })
    if (!next)
      return fail('no-key', 'The key for this store is not available any more. Connect it again.')
    ctx.emit('store:changed', next.status)
    return ok(next.status)
  }

  async function closeActive(): Promise<void> {
    await ctx.sessions.replace(async () => {
      ctx.stores.setActive(null)
      return null
    })
    ctx.emit('store:changed', NO_STORE)
  }

  return {
    'store:status': async () => ok((await ctx.sessions.current())?.status ?? NO_STORE),
    'store:useDemo': async () => activate(DEMO_STORE),
    'store:connect': async (payload) => {
      const checked = checkCredentials(payload)
      if (!checked.ok) return checked
      const { apiKey, storeId, baseUrl } = checked.value
      const access = await verifyStoreAccess(checked.value)
      if (!access.ok) return access
      const protection = ctx.stores.protection()
      const preferred = ctx.prefs.current().weakKeyStorage
      const choice = payload.weakKeyStorage ?? (preferred === 'ask' ? undefined : preferred)
      if (protection === 'weak' && !choice)
        return fail(
          'weak-key-storage',
          ctx.shell === 'web'
            ? 'This computer has no system keyring: the key would be stored in a file only your account can read. Store it there anyway, or keep it for this session only?'
            : 'This computer can only store the key with weak protection (no system keyring). Store it anyway, or keep it for this session only?'
        )
      const keep = protection === 'weak' && choice === 'session' ? 'session' : 'store'
      const name = access.value.name
      await ctx.stores.save({ storeId, baseUrl, name, keyMasked: maskKey(apiKey) }, apiKey, keep)
      return activate(storeId)
    },
    'store:disconnect': async () => {
      await closeActive()
      return ok(NO_STORE)
    },
    'store:list': async () => ok(ctx.stores.views()),
    'store:switch': async ({ storeId }) => activate(storeId),
    'store:forget': async ({ storeId }) => {
      await ctx.stores.forget(storeId)
      if (ctx.stores.activeId() === storeId) await closeActive()
      return ok(ctx.stores.views())
    }
  }
}
