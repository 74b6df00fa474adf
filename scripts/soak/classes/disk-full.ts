// A full disk mid-send: from a chosen journal write on, the journal's appends fail with the
// kernel's own ENOSPC (taken from /dev/full) — sometimes after part of the line reached the disk —
// through the journal's file seam (setFsLayer). The send stops where it is; room again, the app
// starts again and finishes it.
import { closeSync, openSync, writeSync } from 'node:fs'
import { open } from 'node:fs/promises'

import { setFsLayer, type AppendFile } from '../../../src/core/infra/fs'
import type { JournalEntry } from '../../../src/core/infra/journal'
import { SEND_STATES } from '../cli-actor'
import { finishInProcess } from '../finish'
import { inDoubtBuildFault, intend, planSend, type FaultClass } from '../run'
import { firstSend, openService } from '../service-actor'

/** The error a full disk gives: a write to /dev/full (ENOSPC from the kernel). */
function enospc(): Error {
  try {
    const fd = openSync('/dev/full', 'w')
    try {
      writeSync(fd, 'x')
    } finally {
      closeSync(fd)
    }
  } catch (error) {
    return error as Error
  }
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' })
}

export const diskFull: FaultClass = {
  name: 'disk-full',
  what: 'ENOSPC (from /dev/full) on the journal from a chosen write on, sometimes after a partial write; then room again',
  async run(ctx) {
    const { world, d } = ctx
    const p = await planSend(ctx)
    intend(ctx, p, 'service')
    if (d.chance(0.3)) inDoubtBuildFault(ctx)
    let full = false
    let refused = 0
    const partial = d.chance(0.4)
    setFsLayer({
      async openAppend(path): Promise<AppendFile> {
        const fh = await open(path, 'a')
        return {
          async write(data: string) {
            if (!full) return fh.write(data)
            refused++
            if (partial && data.length > 1) await fh.write(data.slice(0, d.int(1, data.length - 1)))
            throw enospc()
          },
          async sync() {
            if (full) throw enospc()
            await fh.sync()
          },
          close: () => fh.close()
        }
      }
    })
    try {
      const state = d.pick(SEND_STATES)
      const actor = await openService(world, d, {
        onEntry: (e: JournalEntry) => {
          if (e.type === state && e['jobId'] === p.jobId) full = true
        }
      })
      try {
        await firstSend(world, actor, p.request, p.jobId)
      } finally {
        await actor.close().catch(() => undefined)
      }
      if (refused > 0) ctx.fired(`${partial ? 'partial write, ' : ''}at ${state}`)
    } finally {
      full = false
      setFsLayer(null)
    }
    world.sandbox.clearFaults()
    world.relay.clearLate()
    await finishInProcess(ctx, p)
  }
}
