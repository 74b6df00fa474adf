// The app's store switch while a send runs: the session owner closes the active store's session
// (its send finishes first), opens another store, and switches back — or the app quits (the send
// stops like a crash) and a new app instance opens the store and resumes it.
import { nodeConfFactory } from '../../../src/core/history/store'
import { storeDataDir } from '../../../src/core/infra/data-dir'
import { openStoreSession, type StoreSession } from '../../../src/core/session'
import { createSessionOwner, type SessionOwner } from '../../../src/core/session-owner'
import { SEND_STATES } from '../cli-actor'
import { JournalFollower } from '../journal-files'
import { intend, planSend, transientFaults, type FaultClass, type RunContext } from '../run'
import { claimResult, SETTLE_MS } from '../service-actor'
import { STORE_B, type World } from '../world'

function openStore(world: World, which: 'A' | 'B'): Promise<StoreSession> {
  const storeId = which === 'A' ? world.sandbox.storeId : STORE_B
  return openStoreSession({
    dir: which === 'A' ? world.storeDir : storeDataDir(world.dataDir, STORE_B),
    storeId,
    baseUrl: world.relay.url,
    apiKey: world.sandbox.apiKey,
    createConf: nodeConfFactory,
    clock: world.time.clock,
    historyWriteDelayMs: 0,
    settleMs: SETTLE_MS
  })
}

function owner(world: World, active: { store: 'A' | 'B' }): SessionOwner {
  return createSessionOwner(() => openStore(world, active.store))
}

async function run(ctx: RunContext): Promise<void> {
  const { world, d } = ctx
  const p = await planSend(ctx)
  intend(ctx, p, 'app session')
  if (d.chance(0.4)) for (const f of transientFaults(d, 2)) world.sandbox.injectFault(f)
  const active = { store: 'A' as 'A' | 'B' }
  let app = owner(world, active)
  const session = (await app.current())!
  let settled = false
  const sending = session.send(p.request, { jobId: p.jobId }).finally(() => (settled = true))
  // Switch (or quit) when the send's job reaches a state.
  const state = d.pick(SEND_STATES.slice(0, -1))
  const follower = new JournalFollower(world.journalDir)
  await follower.until(
    (e) => e.jobId === p.jobId && e.type === state,
    sending.catch(() => undefined)
  )
  follower.close()
  const quit = d.chance(0.35)
  if (!settled) ctx.fired(quit ? `quit at ${state}` : `switch away and back at ${state}`)
  if (quit) {
    await app.close()
    claimResult(world, await sending, 'app send (quit)')
    world.sandbox.clearFaults()
    // A new app instance: the store opens again and its unfinished sends are resumed.
    app = owner(world, active)
    const again = (await app.current())!
    for (const r of await again.resumePending()) claimResult(world, r, 'app resume')
  } else {
    active.store = 'B'
    const other = await app.replace(() => openStore(world, 'B'))
    claimResult(world, await sending, 'app send (switched)')
    if (other?.storeId !== STORE_B) world.count('store switch opened the wrong store')
    active.store = 'A'
    const back = (await app.replace(() => openStore(world, 'A')))!
    for (const r of await back.resumePending()) claimResult(world, r, 'app resume')
  }
  await app.close()
}

export const storeSwitch: FaultClass = {
  name: 'store-switch',
  what: "the app's session owner switches to another store and back (or the app quits and starts again) while a send runs",
  run
}
