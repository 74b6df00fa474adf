// The CLI with 3MF projects and sliced plates: `inspect` per plate (text and --json), and `send`
// with --plates and --use-3mf-profile against an in-process sandbox.
import { copyFile } from 'node:fs/promises'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startTestSandbox, type TestSandbox } from '../../sandbox/testing'
import { writeStl } from '../../test-support/stl'
import { tempDir } from '../../test-support/temp'
import { runCli } from '../index'
import { UsageError } from '../io'
import { inspectCommand } from './inspect'
import { parsePlateQuantities, parseSendArgs } from './send'

const FIXTURES = join(import.meta.dirname, '../../shared/3mf/fixtures')
const project = join(FIXTURES, 'bambu-two-plates.3mf')
const sliced = join(FIXTURES, 'bambu-two-plates.gcode.3mf')

async function inspect(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = ''
  let err = ''
  const code = await inspectCommand(args, { stdout: (s) => (out += s), stderr: (s) => (err += s) })
  return { code, out, err }
}

describe('inspect on 3MF files', () => {
  it('--json reports each plate: objects, colours, size, triangles, closed, volume, fit', async () => {
    const r = await inspect(project, '--json', '--printer', 'A1 mini')
    expect(r.code).toBe(0)
    const j = JSON.parse(r.out) as { format: string; plates: Array<Record<string, unknown>> }
    expect(j.format).toBe('3mf')
    expect(j.plates).toHaveLength(2)
    expect(j.plates[0]).toMatchObject({
      id: 1,
      name: 'Cubes',
      objects: [{ name: 'Cube' }, { name: 'Cube' }],
      colors: ['#ffffff'],
      size: [76, 20, 20],
      triangles: 24,
      closed: true,
      volume: 16000,
      printer: 'Bambu Lab A1 mini',
      fit: 'fits',
      sliced: null
    })
    expect(j.plates[1]).toMatchObject({
      id: 2,
      name: 'Two-tone',
      colors: ['#ffffff', '#d32f2f'],
      size: [30, 20, 14],
      volume: 3400
    })
  })

  it('--json without --printer lists the models each plate fits', async () => {
    const j = JSON.parse((await inspect(project, '--json')).out) as {
      plates: Array<{ fitsModels: string[] }>
    }
    expect(j.plates[0]!.fitsModels).toContain('Bambu Lab P1S')
  })

  it('a sliced plate reports model, nozzle, time and filament', async () => {
    const r = await inspect(sliced, '--json')
    const j = JSON.parse(r.out) as { format: string; plates: Array<Record<string, unknown>> }
    expect(j.format).toBe('gcode3mf')
    expect(j.plates[0]!.sliced).toMatchObject({
      printerModelName: 'Bambu Lab P1S',
      nozzleDiameter: 0.4,
      printSeconds: 3725,
      weightGrams: 24.6
    })
    const text = await inspect(sliced)
    expect(text.out).toContain('Plate 2: Two-tone')
    expect(text.out).toContain('Sliced for  Bambu Lab P1S, 0.4 mm nozzle')
    expect(text.out).toContain('Print time  1 h 2 min')
  })

  it('a damaged 3MF exits 1 with its engine code', async () => {
    const r = await inspect(join(FIXTURES, 'error-component-cycle.3mf'), '--json')
    expect(r.code).toBe(1)
    expect(JSON.parse(r.out)).toMatchObject({ error: { code: 'component-cycle' } })
  })
})

describe('send arguments for 3MF', () => {
  it('--plates and --use-3mf-profile reach the request', () => {
    const { request } = parseSendArgs([
      'p.3mf',
      's.gcode.3mf',
      '--plates',
      '1=2, 2=0',
      '--use-3mf-profile'
    ])
    expect(request.items[0]).toMatchObject({
      plateQuantities: { '1': 2, '2': 0 },
      use3MFProcessProfile: true
    })
    // A sliced file has no process settings to choose.
    expect(request.items[1]!.use3MFProcessProfile).toBeUndefined()
  })

  it('refuses bad plate lists and 3MF options on STL files', () => {
    expect(() => parsePlateQuantities('1=0')).toThrow(/above 0/)
    expect(() => parsePlateQuantities('x=1')).toThrow(UsageError)
    expect(() => parsePlateQuantities('1=1,1=2')).toThrow(/twice/)
    expect(() => parseSendArgs(['a.stl', '--plates', '1=1'])).toThrow(/3MF files only/)
    expect(() => parseSendArgs(['a.stl', '--use-3mf-profile'])).toThrow(/3MF files only/)
  })
})

describe('send with 3MF files (sandbox)', () => {
  let sandbox: TestSandbox
  let dir = ''
  let cleanup: () => Promise<void>
  let env: Record<string, string>
  beforeAll(async () => {
    sandbox = await startTestSandbox({ ratePerMinute: 0, ratePerHour: 0, speed: 0 })
    ;({ dir, cleanup } = await tempDir())
    env = {
      PRINTAGO_API_KEY: sandbox.apiKey,
      PRINTAGO_STORE_ID: sandbox.storeId,
      PRINTAGO_BASE_URL: sandbox.url,
      PRINTAGO_DATA_DIR: join(dir, 'data')
    }
  })
  afterAll(async () => {
    await sandbox.close()
    await cleanup()
  })

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = ''
    let stderr = ''
    const code = await runCli(
      args,
      { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
      { env }
    )
    return { code, stdout, stderr }
  }

  it('queues a 3mf part with per-plate jobs and a gcode3mf part for its printers', async () => {
    const p = join(dir, 'plates.3mf')
    const s = join(dir, 'plates.gcode.3mf')
    await copyFile(project, p)
    await copyFile(sliced, s)
    const r = await cli(['send', p, s, '--plates', '2=2', '--use-3mf-profile', '--json'])
    expect(r.stderr).not.toMatch(/error/)
    expect(r.code).toBe(0)
    const parts = [...sandbox.state.parts.values()]
    expect(parts.map((x) => [x.type, x.use3MFProcessProfile]).sort()).toEqual([
      ['3mf', true],
      ['gcode3mf', false]
    ])
    const builds = [...sandbox.state.partBuilds.values()]
    const gcodeBuild = builds.find((b) => b.partCopy.type === 'gcode3mf')!
    expect(gcodeBuild.requiredPrinterTags).toMatchObject({
      'printer.modelName': '=Bambu Lab P1S|P1S|C12'
    })
    for (const b of builds) {
      const plates = [...sandbox.state.printJobs.values()]
        .filter((j) => j.partBuildId === b.id)
        .map((j) => j.extensions?.['3mf']?.plateId)
      expect(plates).toEqual([2, 2])
    }
  })

  it('an STL with --plates is a usage error (exit 2) and nothing is sent', async () => {
    const stl = await writeStl(dir, 'cube.stl', 4, 1)
    const before = sandbox.state.parts.size
    const r = await cli(['send', stl, '--plates', '1=1'])
    expect(r.code).toBe(2)
    expect(sandbox.state.parts.size).toBe(before)
  })
})
