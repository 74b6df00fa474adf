// The product emulator, as the desktop app's demo store runs it: the API, without the test
// surfaces that sandbox/testing attaches (admin API, fault injection, request log).
import { describe, expect, it } from 'vitest'
import { startSandbox } from './index'
import { call } from './testing/test-utils'

describe('startSandbox (product emulator)', () => {
  it('serves the API but no admin API, no fault injection and no request log', async () => {
    const sb = await startSandbox({ port: 0, speed: 0, mqtt: false })
    try {
      expect(Object.keys(sb)).not.toContain('injectFault')
      expect(Object.keys(sb)).not.toContain('log')
      expect((await call(sb, 'GET', '/v1/stores')).status).toBe(200)
      // Unknown to the product: routed like any unknown path (404), never the admin handler.
      const admin = await fetch(`${sb.url}/_sandbox/state`, {
        headers: { 'x-sandbox-admin': '1' }
      })
      expect(admin.status).toBe(404)
      expect(await admin.json()).toMatchObject({ message: 'Cannot GET /_sandbox/state' })
    } finally {
      await sb.close()
    }
  })
})
