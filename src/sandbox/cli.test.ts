// The standalone CLI, driven like a user with curl would.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

const root = join(fileURLToPath(import.meta.url), '../../..')
const tsx = join(root, 'node_modules/.bin/tsx')
const cli = join(root, 'src/sandbox/cli.ts')

function run(args: string[]): ChildProcessWithoutNullStreams {
  return spawn(tsx, [cli, ...args], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' } })
}

function waitFor(child: ChildProcessWithoutNullStreams, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = ''
    const timer = setTimeout(() => reject(new Error(`timeout; output so far:\n${out}`)), 10_000)
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString()
      if (pattern.test(out)) {
        clearTimeout(timer)
        resolve(out)
      }
    })
    child.stderr.on('data', (d: Buffer) => (out += d.toString()))
    child.on('exit', () => {
      clearTimeout(timer)
      if (pattern.test(out)) resolve(out)
      else reject(new Error(`exited; output:\n${out}`))
    })
  })
}

describe('cli', () => {
  it('prints --help', async () => {
    const out = await waitFor(run(['--help']), /--rate-per-hour[\s\S]*--speed/)
    expect(out).toContain('--port')
  })

  it('serves the API on the printed URL with the printed credentials and stops on SIGTERM', async () => {
    const child = run(['--port', '0', '--speed', '0', '--rate-per-minute', '100'])
    try {
      const out = await waitFor(child, /Limited API key:/)
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
      const exit = new Promise<number | null>((resolve) =>
        child.on('exit', (code) => resolve(code))
      )
      child.kill('SIGTERM')
      expect(await exit).toBe(0)
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL')
    }
  })
})
