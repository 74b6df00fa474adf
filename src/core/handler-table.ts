// The handler table: one async function per IPC channel. The same table serves Electron IPC,
// the browser test bridge and tests. Every payload is validated against the contract's schema
// before a service sees it; expected failures come back as `{ ok: false, error }`.
import {
  channels,
  type CallContext,
  type Channel,
  type ChannelResults,
  type HandlerTable,
  type Payload
} from '../shared/ipc'
import { fail, type Result } from '../shared/result'
import { createLogger } from './infra/log'

const log = createLogger('handlers')

/** What a handler learns about its call; `signal` aborts when the caller has gone away. */
export interface HandlerCall {
  signal: AbortSignal
}

export type Implementations = {
  [C in Channel]: (payload: Payload<C>, call: HandlerCall) => Promise<Result<ChannelResults[C]>>
}

/** A signal that never aborts, for calls whose transport cannot tell when the caller is gone. */
const NEVER = new AbortController().signal

/**
 * Wraps implementations with payload validation and a last-resort error boundary. Every channel
 * needs its implementation: a missing one is a compile error, and a table built around the
 * types (a cast) fails here at start-up rather than on the first call.
 */
export function createHandlerTable(impl: Implementations): HandlerTable {
  const table = {} as Record<
    Channel,
    (payload: unknown, call?: CallContext) => Promise<Result<unknown>>
  >
  for (const channel of Object.keys(channels) as Channel[]) {
    const schema = channels[channel]
    const fn = impl[channel] as (payload: unknown, call: HandlerCall) => Promise<Result<unknown>>
    if (typeof fn !== 'function') throw new Error(`No implementation for ${channel}`)
    table[channel] = async (payload: unknown, call?: CallContext) => {
      const parsed = schema.safeParse(payload)
      if (!parsed.success) {
        const issue = parsed.error.issues[0]
        const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
        return fail(
          'invalid-payload',
          `Invalid request for ${channel}${where}: ${issue?.message ?? 'bad payload'}`
        )
      }
      try {
        return await fn(parsed.data, { signal: call?.signal ?? NEVER })
      } catch (err) {
        // Only bugs get here; report them as data so the renderer can show them and carry on.
        log.error(`${channel} threw`, err)
        return fail(
          'internal',
          `Something went wrong in ${channel}: ${(err as Error)?.message ?? err}`
        )
      }
    }
  }
  return table as HandlerTable
}

/** True when `name` is a channel of the contract (the bridge and IPC reject anything else). */
export function isChannel(name: string): name is Channel {
  return Object.prototype.hasOwnProperty.call(channels, name)
}
