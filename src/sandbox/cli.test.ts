// The standalone CLI, driven like a user with curl would.
import { describe, expect, it } from 'vitest'

import { runScript, startScript } from '../test-support/processes'

const CLI = 'src/sandbox/cli.ts'

describe('cli', () => {
  it('prints --help', async () => {
    const run = await runScript(CLI, ['--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/--rate-per-hour[\s\S]*--speed/)
    expect(run.stdout).toContain('--port')
  })

  it('serves the API on the printed URL with the printed credentials and stops on SIGTERM', async () => {
    const child = startScript(CLI, ['--port', '0', '--speed', '0', '--rate-per-minute', '100'])
    try {
      const out = (await child.waitForOutput(/Limited API key:/)).input
      const url = /Printago sandbox listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1]
      const key = /^API key:\s+([a-z0-9]{72})$/m.exec(out)?.[1]
      const store = /^Store ID:\s+([a-z0-9]{24})$/m.exec(out)?.[1]
      expect(url && key && store).toBeTruthy()
      const headers = { authorization: `ApiKey ${key}`, 'x-printago-storeid': store! }
      const stores = await fetch(`${url}/v1/stores`, { headers })
      expect(stores.status).toBe(200)
      expect(await stores.json()).toEqual([expect.objectContaining({ id: store })])
      const printers = (await (
        await fetch(`${url}/v1/printers?fields=name`, { headers })
      ).json()) as unknown[]
      expect(printers.length).toBeGreaterThanOrEqual(7)
      expect((await fetch(`${url}/v1/printers`)).status).toBe(401)
      // Its test surfaces are on: the admin API answers.
      const state = await fetch(`${url}/_sandbox/state`, { headers: { 'x-sandbox-admin': '1' } })
      expect(state.status).toBe(200)
      // SIGTERM: a clean shutdown, exit code 0.
      expect(await child.stop()).toEqual({ code: 0, signal: null })
    } finally {
      await child.stop()
    }
  })
})
