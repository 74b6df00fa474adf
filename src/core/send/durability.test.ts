// What the journal survives: one flipped byte in a job's first record, a full disk.
import { openSync, writeSync, closeSync } from 'node:fs'
import { open, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { one, sendHarness, type SendHarness } from '../../test-support/send'
import { setFsLayer, type FsLayer } from '../infra/fs'

/**
 * A file layer whose appends fail with the kernel's own ENOSPC (a write to /dev/full) once
 * `fits()` says no: a disk that fills up at a chosen write.
 */
function diskFillingAfter(fits: () => boolean): FsLayer {
  return {
    async openAppend(path) {
      const real = await open(path, 'a')
      return {
        write: async (data: string) => {
          if (fits()) return real.write(data)
          const full = openSync('/dev/full', 'w')
          try {
            writeSync(full, data)
          } finally {
            closeSync(full)
          }
        },
        sync: () => real.sync(),
        close: () => real.close()
      }
    }
  }
}

let h: SendHarness | undefined
afterEach(async () => {
  setFsLayer(null)
  await h?.close()
  h = undefined
})

describe('Printago busy for a while', () => {
  it('a storm of 429s longer than the retries leaves the job resumable, not failed', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({
      method: 'POST',
      path: '/v1/storage/signed-upload-urls',
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1' },
      times: 20
    })
    const service = await h.service()
    const result = await service.send(one(await h.stl('storm.stl')))
    expect(result.status).toBe('interrupted')
    expect(result.failures).toEqual([])
    expect(result.error?.code).toBe('rate-limited')
    expect(service.pendingJobs()).toHaveLength(1)
    h.sandbox.clearFaults()
    const [resumed] = await service.resumePending()
    expect(resumed!.status).toBe('done')
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })

  it('sending the same file again resumes the unfinished job, and its progress reaches the new send', async () => {
    h = await sendHarness()
    h.sandbox.injectFault({
      method: 'POST',
      path: '/v1/storage/signed-upload-urls',
      kind: 'status',
      status: 429,
      headers: { 'retry-after': '1' },
      times: 20
    })
    const service = await h.service()
    const file = await h.stl('again.stl')
    const first = await service.send(one(file), undefined, { jobId: 'first' })
    expect(first.status).toBe('interrupted')
    h.sandbox.clearFaults()
    // The user presses Send again: the same file, routing, quantity and label.
    const second = await service.send(one(file), undefined, { jobId: 'second' })
    expect(second.status).toBe('done')
    expect(second.jobId).toBe('second')
    expect(second.resumed).toEqual([{ jobId: 'first', files: [file] }])
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    // The renderer follows 'second': it sees the resumed file reach 'done' under that id.
    const mine = h.progress.filter((p) => p.jobId === 'second')
    expect(mine.map((p) => p.step)).toContain('done')
    expect(mine.every((p) => p.index === 0 && p.resumed === true)).toBe(true)
  })
})

describe('journal durability', () => {
  it('one flipped byte in a pending job’s first record does not drop the job, and says which', async () => {
    h = await sendHarness()
    const file = await h.stl('flip.stl')
    // The process dies right after the job was recorded (its record and the copy).
    const stop = new AbortController()
    let writes = 0
    const journal = await h.journal(() => {
      if (writes++ >= 2) {
        stop.abort(new Error('crash'))
        throw new Error('crash')
      }
    })
    const first = await h.service({ journal, signal: stop.signal })
    const result = await first.send(one(file, { label: 'F' }), undefined, { jobId: 'flipped' })
    expect(result.status).toBe('interrupted')
    await journal.close()
    // A bit flips in the first line on disk.
    const logPath = join(h.journalDir, 'journal.log')
    const bytes = Buffer.from(await readFile(logPath))
    const at = bytes.indexOf('"request"')
    bytes[at + 3]! ^= 0x20
    await writeFile(logPath, bytes)
    const fresh = await h.service()
    expect(fresh.pendingJobs().map((j) => j.jobId)).toEqual(['flipped'])
    expect(fresh.issues.map((i) => i.message).join('\n')).toMatch(/damaged entry.*flipped/)
    const [resumed] = await fresh.resumePending()
    expect(resumed!.status).toBe('done')
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })

  /** A send whose process dies once Printago queued the build, before that was recorded. */
  async function builtButNotRecorded(name: string): Promise<string> {
    h = await sendHarness()
    const stop = new AbortController()
    const journal = await h.journal((entries) => {
      if (entries.some((e) => e.type === 'build')) {
        stop.abort(new Error('crash'))
        throw new Error('crash')
      }
    })
    const first = await h.service({ journal, signal: stop.signal })
    const result = await first.send(one(await h.stl(`${name}.stl`), { label: name }))
    expect(result.status).toBe('interrupted')
    await first.close()
    await journal.close()
    expect(h.sandbox.state.partBuilds.size).toBe(1)
    return join(h.journalDir, 'journal.log')
  }

  /** Flips one byte inside the log line of the first entry of type `type`. */
  async function flipIn(logPath: string, type: string): Promise<void> {
    const bytes = Buffer.from(await readFile(logPath))
    bytes[bytes.indexOf(`"type":"${type}"`) + 3]! ^= 0x20
    await writeFile(logPath, bytes)
  }

  // Found by the soak's damage class: a build request out, and the record that said so unreadable.
  it('a flipped byte in the record that a build was sent does not send it again', async () => {
    const log = await builtButNotRecorded('intent-flipped')
    await flipIn(log, 'build-intent')
    const fresh = await h!.service()
    expect(fresh.issues.map((i) => i.kind)).toEqual(['corrupt-entry'])
    const [resumed] = await fresh.resumePending()
    expect(resumed!.status).toBe('done')
    expect(h!.sandbox.state.partBuilds.size).toBe(1)
  })

  it('a flipped byte in the record of the part of a build in doubt: found by its marker alone', async () => {
    const log = await builtButNotRecorded('part-flipped')
    await flipIn(log, 'part')
    const fresh = await h!.service()
    const [resumed] = await fresh.resumePending()
    expect(resumed!.status).toBe('done')
    expect(h!.sandbox.state.partBuilds.size).toBe(1)
    const built = [...h!.sandbox.state.partBuilds.values()][0]!
    expect(resumed!.files[0]).toMatchObject({ partBuildId: built.id, partId: built.partId })
  })

  it('a disk that fills up mid-send (ENOSPC) stops the send as disk-full; it resumes once there is room', async () => {
    h = await sendHarness()
    const file = await h.stl('full.stl')
    let room = 3 // journal writes that still fit
    setFsLayer(diskFillingAfter(() => room-- > 0))
    const service = await h.service()
    const result = await service.send(one(file))
    expect(result.status).toBe('interrupted')
    expect(result.error).toMatchObject({
      code: 'disk-full',
      message: expect.stringMatching(/disk is full \(ENOSPC\)/)
    })
    expect(h.sandbox.state.partBuilds.size).toBe(0)
    await service.close()
    setFsLayer(null)
    const fresh = await h.service()
    const [resumed] = await fresh.resumePending()
    expect(resumed!.status).toBe('done')
    expect(h.sandbox.state.partBuilds.size).toBe(1)
  })
})
