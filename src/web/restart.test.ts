// The browser mode as people run it: `node --import tsx src/web/serve.ts` in its own process, on a
// data folder that outlives it. A send interrupted by killing the server (SIGKILL: no clean-up at
// all) is continued by the next start on the same folder, and Printago gets exactly one build.
import { join } from 'node:path'

import { afterEach, beforeEach, describe, expect, it } from 'vitest'

import type { Channel, ChannelResults } from '../shared/ipc'
import type { Result } from '../shared/result'
import { storeDataDir } from '../core/infra/data-dir'
import { startScript, type TestProcess } from '../test-support/processes'
import { boxStl } from '../test-support/stl'
import { tempDir } from '../test-support/temp'
import { userLabel } from '../shared/send'
import { readSendState, unfinishedSendPaths } from './journal-refs'
import { raw } from './test-client'

let dir: string
let cleanup: () => Promise<void>
const started: TestProcess[] = []

beforeEach(async () => ({ dir, cleanup } = await tempDir('printago-restart-')))
afterEach(async () => {
  for (const p of started.splice(0)) await p.stop()
  await cleanup()
})

interface Server {
  process: TestProcess
  origin: string
  token: string
  call<C extends Channel>(channel: C, payload?: unknown): Promise<ChannelResults[C]>
}

async function startServer(): Promise<Server> {
  const p = startScript('src/web/serve.ts', ['--port', '0', '--data-dir', dir, '--keys', 'file'])
  started.push(p)
  const [, origin, token] = (await p.waitForOutput(
    /Open: +(http:\/\/127\.0\.0\.1:\d+)\/#token=(\S+)\n/,
    60_000
  )) as unknown as [string, string, string]
  return {
    process: p,
    origin,
    token,
    async call(channel, payload) {
      const res = await raw(origin, 'POST', `/__bridge/invoke/${encodeURIComponent(channel)}`, {
        headers: { authorization: `Bearer ${token}` },
        body: JSON.stringify(payload ?? null)
      })
      const result = res.json<Result<ChannelResults[typeof channel]>>()
      if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`)
      return result.value
    }
  }
}

interface SandboxState {
  counts: { partBuilds: number; printJobs: number; uploads: number }
  builds: Array<{ label: string; quantity: number }>
}

describe('a send interrupted by killing the server', () => {
  it('resumes on the next start on the same data folder: exactly one build', async () => {
    const sb = startScript('src/sandbox/cli.ts', ['--port', '0', '--speed', '0'])
    started.push(sb)
    const out = (await sb.waitForOutput(/Store ID:\s+\S+\n/, 60_000)).input
    const sandboxUrl = /listening on (http:\/\/\S+)/.exec(out)![1]!
    const admin = async <T>(path: string, body?: unknown): Promise<T> => {
      const res = await fetch(`${sandboxUrl}${path}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { 'x-sandbox-admin': '1', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body)
      })
      if (!res.ok) throw new Error(`${path}: ${res.status}`)
      return (await res.json()) as T
    }

    const storeId = /Store ID:\s+(\S+)/.exec(out)![1]!
    const first = await startServer()
    await first.call('store:connect', {
      apiKey: /API key:\s+(\S+)/.exec(out)![1],
      storeId,
      baseUrl: sandboxUrl,
      weakKeyStorage: 'store'
    })
    const staged = await raw(first.origin, 'POST', '/__bridge/stage', {
      headers: { authorization: `Bearer ${first.token}`, 'x-file-name': 'bracket.stl' },
      body: boxStl(20, 10, 5)
    })
    const path = staged.json<{ path: string }>().path
    // The upload hangs at Printago's storage: the send is under way when the server dies.
    await admin('/_sandbox/faults', {
      kind: 'delay',
      method: 'PUT',
      path: { regex: '^/_storage/' },
      delayMs: 600_000
    })
    await first.call('send:start', { items: [{ path, quantity: 3 }], routing: { mode: 'any' } })
    // Its journal has the signed upload URL and no finished upload: the PUT is next or hanging.
    const journalDir = join(storeDataDir(dir, storeId), 'journal')
    await expect
      .poll(
        async () => {
          const [job] = (await readSendState(journalDir)).jobs.values()
          return job?.items[0]?.target !== undefined
        },
        { timeout: 20_000 }
      )
      .toBe(true)

    process.kill(-first.process.pid, 'SIGKILL')
    expect((await first.process.exited).signal).toBe('SIGKILL')
    await first.process.stop()
    // Whether or not the PUT had reached it, storage answers at once from now on.
    await fetch(`${sandboxUrl}/_sandbox/faults`, {
      method: 'DELETE',
      headers: { 'x-sandbox-admin': '1' }
    })
    // Really interrupted: nothing was built, the journal still holds the send and its file.
    expect((await admin<SandboxState>('/_sandbox/state')).counts.partBuilds).toBe(0)
    expect(await unfinishedSendPaths(dir)).toEqual(new Set([path]))

    const second = await startServer()
    // The new server continues the send on its own (no page is open).
    await expect
      .poll(async () => (await unfinishedSendPaths(dir)).size, { timeout: 30_000 })
      .toBe(0)
    await expect
      .poll(async () => (await second.call('history:list')).entries.length, { timeout: 10_000 })
      .toBe(1)
    const state = await admin<SandboxState>('/_sandbox/state')
    expect(state.counts.partBuilds).toBe(1)
    expect(state.counts.printJobs).toBe(3)
    expect(state.builds.map((b) => [userLabel(b.label), b.quantity])).toEqual([['bracket', 3]])
    const entry = (await second.call('history:list')).entries[0]!
    expect([entry.file, entry.quantity]).toEqual([path, 3])
  }, 120_000)
})
