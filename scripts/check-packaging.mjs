// Checks the packaging setup without building installers (electron-builder downloads Electron,
// which this machine cannot): the config against electron-builder's own JSON schema, our policy
// values, the icon, the build output the `files` patterns point at, and the afterPack hook, which
// is run against a stand-in Electron binary so the real @electron/fuses writes the fuse wire.
// Last, a dry pack: the real electron-builder packs `--linux dir` around that stand-in binary
// (nothing to download), and the app.asar and fuse wire it produced are inspected.
// Run: npm run check:packaging [-- --no-pack] (after `npm run build` for the out/ checks).
// Exit 1 on any failure.
import { spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

import fuses from '@electron/fuses'
import Ajv from 'ajv'

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const require = createRequire(import.meta.url)
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'))

const CONFIG_FILE = 'electron-builder.cjs'
// @electron/fuses 1.x does not export its sentinel; it marks where the fuse wire starts.
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX'
// Electron's own defaults, in FuseV1Options order: what an unflipped binary carries.
const ELECTRON_DEFAULT_FUSES = [1, 0, 1, 1, 0, 0, 0, 1]
const REQUIRED_OUTPUTS = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']
// Written down here independently of the hook, so a change to either shows up as a failure.
const RELEASE_FUSES = {
  RunAsNode: false,
  EnableCookieEncryption: true,
  EnableNodeOptionsEnvironmentVariable: false,
  EnableNodeCliInspectArguments: false,
  EnableEmbeddedAsarIntegrityValidation: true,
  OnlyLoadAppFromAsar: true,
  LoadBrowserProcessSpecificV8Snapshot: false,
  GrantFileProtocolExtraPrivileges: false
}
// Playwright's _electron needs the inspector: the only difference allowed in the test artifact.
const E2E_FUSES = { ...RELEASE_FUSES, EnableNodeCliInspectArguments: true }

let failures = 0
const pass = (msg) => console.log(`  ok    ${msg}`)
const fail = (msg) => {
  failures++
  console.log(`  FAIL  ${msg}`)
}
const skip = (msg) => console.log(`  skip  ${msg}`)
const check = (cond, msg, detail = '') =>
  cond ? pass(msg) : fail(detail ? `${msg}: ${detail}` : msg)
const section = (title) => console.log(`\n${title}`)

/** Runs `fn` with PRINTAGO_E2E_BUILD set or unset, restoring the environment afterwards. */
async function withE2e(on, fn) {
  const saved = process.env.PRINTAGO_E2E_BUILD
  if (on) process.env.PRINTAGO_E2E_BUILD = '1'
  else delete process.env.PRINTAGO_E2E_BUILD
  try {
    return await fn()
  } finally {
    if (saved === undefined) delete process.env.PRINTAGO_E2E_BUILD
    else process.env.PRINTAGO_E2E_BUILD = saved
  }
}

function loadConfig(e2e) {
  return withE2e(e2e, () => {
    const file = join(root, CONFIG_FILE)
    delete require.cache[file]
    return require(file)
  })
}

// --- config file -------------------------------------------------------------------------------
section('config')
// electron-builder takes package.json#build first, then the first electron-builder.* it finds.
const competing = ['yml', 'yaml', 'json', 'json5', 'toml', 'js', 'ts']
  .map((ext) => `electron-builder.${ext}`)
  .filter((f) => existsSync(join(root, f)))
check(pkg.build === undefined, 'package.json has no "build" key that would shadow the config')
check(
  competing.length === 0,
  `${CONFIG_FILE} is the only electron-builder config`,
  competing.join(', ')
)

const release = await loadConfig(false)
const e2eConfig = await loadConfig(true)
pass(`${CONFIG_FILE} loads (release and PRINTAGO_E2E_BUILD=1 variants)`)

// --- schema ------------------------------------------------------------------------------------
section("schema (electron-builder's app-builder-lib/scheme.json)")
const schemePath = require.resolve('app-builder-lib/scheme.json')
const builderVersion = require('electron-builder/package.json').version
// electron-builder validates with coerceTypes; without it this check is the stricter of the two.
const ajv = new Ajv({ allErrors: true, strict: false })
const validate = ajv.compile(JSON.parse(readFileSync(schemePath, 'utf8')))
for (const [name, config] of [
  ['release', release],
  ['e2e', e2eConfig]
]) {
  const valid = validate(config)
  const errors = (validate.errors ?? [])
    .filter((e) => !['anyOf', 'oneOf', 'if'].includes(e.keyword))
    .map(
      (e) =>
        `${e.instancePath || '/'} ${e.message}${e.params?.additionalProperty ? ` (${e.params.additionalProperty})` : ''}`
    )
  check(valid, `${name} config is valid for electron-builder ${builderVersion}`, errors.join('; '))
}

// --- policy ------------------------------------------------------------------------------------
section('policy')
check(release.appId === 'io.printago.send', 'appId is io.printago.send', release.appId)
check(
  release.productName === pkg.productName,
  'productName matches package.json',
  release.productName
)
check(release.asar === true, 'asar is on (needed by the OnlyLoadAppFromAsar and integrity fuses)')
check(release.directories?.output === 'dist', 'release output goes to dist/')
check(
  e2eConfig.directories?.output !== release.directories?.output &&
    /e2e/.test(e2eConfig.artifactName ?? ''),
  'e2e artifacts go elsewhere and are named *-e2e',
  `${e2eConfig.directories?.output} / ${e2eConfig.artifactName}`
)
const gitignore = readFileSync(join(root, '.gitignore'), 'utf8').split('\n')
check(gitignore.includes('dist'), 'dist/ is git-ignored')
const files = release.files ?? []
const strayFiles = files.filter((p) => !(p === 'package.json' || p.startsWith('out/')))
check(
  files.length > 0 && strayFiles.length === 0,
  'files are only out/** and package.json (no src, tests or specs)',
  strayFiles.join(', ') || 'files is empty'
)
const targets = (platform) =>
  (release[platform]?.target ?? []).map((t) => (typeof t === 'string' ? t : t.target))
check(
  ['AppImage', 'deb'].every((t) => targets('linux').includes(t)),
  'linux targets AppImage and deb',
  targets('linux').join(', ')
)
check(targets('mac').includes('dmg'), 'mac target dmg', targets('mac').join(', '))
check(targets('win').includes('nsis'), 'win target nsis', targets('win').join(', '))
check(release.electronFuses === undefined, 'no electronFuses block (the afterPack hook owns fuses)')
check(
  release.publish === null,
  'publish is off (uploading is a release step, not a build side effect)'
)

// --- icon --------------------------------------------------------------------------------------
section('icon')
const iconPath = join(root, release.icon ?? '')
if (!release.icon || !existsSync(iconPath)) fail(`icon ${release.icon} exists`)
else {
  const png = readFileSync(iconPath)
  const isPng =
    png.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) &&
    png.toString('ascii', 12, 16) === 'IHDR'
  check(isPng, `${release.icon} is a PNG`)
  if (isPng) {
    const width = png.readUInt32BE(16)
    const height = png.readUInt32BE(20)
    // macOS needs at least 512×512 to build the .icns; 1024 gives the retina 512@2x size.
    check(width >= 512 && width === height, `icon is square and ≥ 512 px`, `${width}×${height}`)
    check(png[25] === 6, 'icon has an alpha channel (RGBA)', `colour type ${png[25]}`)
  }
}

// --- build output ------------------------------------------------------------------------------
section('build output (what `files` packs)')
if (!existsSync(join(root, 'out'))) {
  skip('out/ does not exist: run `npm run build` first (the out/ checks were not run)')
} else {
  for (const target of new Set([pkg.main, ...REQUIRED_OUTPUTS])) {
    check(existsSync(join(root, target)), `${target} exists`, 'missing: run `npm run build`')
  }
  check(pkg.main?.startsWith('out/'), `package.json main (${pkg.main}) is inside out/`)
  for (const pattern of files) {
    if (pattern.startsWith('!')) continue
    const base = pattern.replace(/\/?\*\*.*$/, '')
    const found =
      existsSync(join(root, base)) && (pattern === base || readdirSync(join(root, base)).length > 0)
    check(found, `files pattern ${pattern} matches something`, `${base} is missing or empty`)
  }
}

// --- sandbox test surfaces ---------------------------------------------------------------------
// The desktop app bundles the product emulator (src/sandbox/index.ts, loaded with import() for the
// demo store); fault injection, the admin API and the request log (src/sandbox/testing) must not
// ship. Their marker strings survive bundling and minification (string literals, not names).
section('no sandbox test surfaces in out/main')
const TEST_SURFACE_MARKERS = [
  '/_sandbox/', // the admin API's path prefix
  'x-sandbox-admin', // its header
  'drop-after', // a fault kind
  'a status fault needs' // the fault validator's message
]
/** JS files under a folder, recursively. */
function jsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? jsFiles(join(dir, e.name))
      : /\.(c|m)?js$/.test(e.name)
        ? [join(dir, e.name)]
        : []
  )
}
if (!existsSync(join(root, 'out/main'))) {
  skip('out/main does not exist: run `npm run build` first')
} else {
  const bundles = jsFiles(join(root, 'out/main')).map((f) => [f, readFileSync(f, 'utf8')])
  // The check must see the emulator, or finding nothing proves nothing.
  const emulator = bundles.filter(([, text]) => text.includes('ThrottlerException'))
  check(
    emulator.length > 0,
    'out/main holds the product emulator (the demo store sandbox)',
    'no bundle contains the sandbox: did the build change?'
  )
  for (const marker of TEST_SURFACE_MARKERS) {
    const hits = bundles.filter(([, text]) => text.includes(marker)).map(([f]) => relative(root, f))
    check(hits.length === 0, `no "${marker}" (sandbox/testing) in out/main`, hits.join(', '))
  }
}

// --- afterPack hook ----------------------------------------------------------------------------
section('afterPack hook and fuses')
const hookPath = resolve(root, release.afterPack ?? '')
let hook = null
if (!release.afterPack || !existsSync(hookPath)) fail(`afterPack hook ${release.afterPack} exists`)
else {
  check(
    !relative(root, hookPath).startsWith('..'),
    'afterPack path stays inside the project (electron-builder refuses others)'
  )
  try {
    const mod = await import(pathToFileURL(hookPath).href)
    // Same lookup as electron-builder's resolveFunction: named export, then default.
    hook = mod.afterPack ?? mod.default ?? mod
    check(typeof hook === 'function', `${release.afterPack} loads and exports a function`)
    if (typeof hook !== 'function') hook = null
  } catch (err) {
    fail(`${release.afterPack} loads: ${err.message}`)
  }
}

/** A stand-in Electron binary: filler, the fuse sentinel, wire version 1, length, the wire. */
function fakeElectron(dir, name) {
  const states = ELECTRON_DEFAULT_FUSES.map((on) => (on ? 0x31 : 0x30))
  const wire = Buffer.from([1, states.length, ...states])
  const file = join(dir, name)
  const filler = Buffer.alloc(64, 7)
  writeFileSync(file, Buffer.concat([filler, Buffer.from(FUSE_SENTINEL), wire, filler]), {
    mode: 0o755
  })
  return file
}

/** The fuse states in a binary, as { name: on }. */
async function readFuses(binary) {
  const wire = await fuses.getCurrentFuseWire(binary)
  return Object.fromEntries(
    Object.keys(RELEASE_FUSES).map((name) => [name, wire[fuses.FuseV1Options[name]] === 0x31])
  )
}

function fuseMismatch(written, expected) {
  return Object.keys(expected)
    .filter((f) => written[f] !== expected[f])
    .map((f) => `${f} is ${written[f] ? 'on' : 'off'}`)
    .join(', ')
}

async function fusesWritten(e2e) {
  const dir = mkdtempSync(join(tmpdir(), 'printago-fuses-'))
  try {
    const binary = fakeElectron(dir, 'printago-send')
    const context = {
      appOutDir: dir,
      electronPlatformName: 'linux',
      arch: 1,
      packager: { addElectronFuses: (_ctx, config) => fuses.flipFuses(binary, config) }
    }
    await withE2e(e2e, () => hook(context))
    return await readFuses(binary)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

if (hook) {
  for (const [name, e2e, expected] of [
    ['release', false, RELEASE_FUSES],
    ['PRINTAGO_E2E_BUILD=1', true, E2E_FUSES]
  ]) {
    try {
      const wrong = fuseMismatch(await fusesWritten(e2e), expected)
      const want = Object.entries(expected).map(([f, on]) => `${f}=${on ? 'on' : 'off'}`)
      check(!wrong, `${name}: the hook writes ${want.join(', ')}`, wrong)
    } catch (err) {
      fail(`${name}: the hook flips fuses on a fake binary: ${err.message}`)
    }
  }
  // macOS arm64 needs the ad-hoc signature redone after the binary changes.
  let darwinConfig = null
  await hook({
    electronPlatformName: 'darwin',
    arch: 3,
    appOutDir: tmpdir(),
    packager: { addElectronFuses: async (_ctx, config) => void (darwinConfig = config) }
  })
  check(
    darwinConfig?.resetAdHocDarwinSignature === true,
    'darwin arm64 resets the ad-hoc signature'
  )
}

// --- dry pack ----------------------------------------------------------------------------------
section('dry pack (electron-builder --linux dir around a stand-in Electron)')
if (process.argv.includes('--no-pack')) skip('--no-pack given')
// electron-builder refuses an app.asar without the main entry.
else if (!existsSync(join(root, pkg.main ?? '')))
  skip(`${pkg.main} not built: run \`npm run build\` first`)
else await dryPack()

async function dryPack() {
  const work = mkdtempSync(join(tmpdir(), 'printago-pack-'))
  try {
    const electronDist = join(work, 'electron')
    mkdirSync(electronDist)
    fakeElectron(electronDist, 'electron')
    const electronVersion = require('electron/package.json').version
    writeFileSync(join(electronDist, 'version'), electronVersion)
    const output = join(work, 'dist')
    const env = { ...process.env, NO_UPDATE_NOTIFIER: '1' }
    delete env.PRINTAGO_E2E_BUILD
    const run = spawnSync(
      process.execPath,
      [
        require.resolve('electron-builder/cli.js'),
        '--linux',
        'dir',
        `-c.electronDist=${electronDist}`,
        `-c.electronVersion=${electronVersion}`,
        `-c.directories.output=${output}`
      ],
      { cwd: root, env, encoding: 'utf8', timeout: 180_000 }
    )
    const log = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim().split('\n').slice(-15).join('\n')
    if (run.status !== 0) {
      fail(`electron-builder exited ${run.status ?? run.signal}:\n${log}`)
      return
    }
    pass(`electron-builder ${builderVersion} packed the app (Electron ${electronVersion} stand-in)`)
    const appDir = join(output, 'linux-unpacked')
    const binary = join(appDir, release.linux?.executableName ?? pkg.name)
    if (!existsSync(binary)) fail(`packed executable ${relative(output, binary)} exists`)
    else {
      const wrong = fuseMismatch(await readFuses(binary), RELEASE_FUSES)
      check(
        !wrong,
        'the packed binary carries the release fuses (hook ran inside electron-builder)',
        wrong
      )
    }
    const asarFile = join(appDir, 'resources', 'app.asar')
    if (!existsSync(asarFile)) {
      fail('resources/app.asar exists')
      return
    }
    // @electron/asar comes with app-builder-lib; resolve it from there, not from our root.
    const asar = createRequire(require.resolve('app-builder-lib/package.json'))('@electron/asar')
    const entries = asar.listPackage(asarFile).map((p) => p.replaceAll('\\', '/'))
    const own = entries.filter((p) => p !== '/node_modules' && !p.startsWith('/node_modules/'))
    const stray = own.filter(
      (p) => !(p === '/package.json' || p === '/out' || p.startsWith('/out/'))
    )
    check(
      stray.length === 0,
      'app.asar holds only out/, package.json and node_modules',
      stray.slice(0, 8).join(', ')
    )
    if (existsSync(join(root, 'out'))) {
      const missing = REQUIRED_OUTPUTS.filter((f) => !entries.includes(`/${f}`))
      check(
        missing.length === 0,
        `app.asar holds ${REQUIRED_OUTPUTS.join(', ')}`,
        `missing ${missing.join(', ')}`
      )
    }
    const deps = Object.keys(pkg.dependencies ?? {})
    const absent = deps.filter((d) => !entries.includes(`/node_modules/${d}/package.json`))
    check(
      absent.length === 0,
      'app.asar holds every production dependency (main loads them at runtime)',
      absent.join(', ')
    )
    const devOnly = ['electron', 'electron-builder', 'vite', 'typescript', 'three', 'react'].filter(
      (d) => entries.includes(`/node_modules/${d}/package.json`)
    )
    check(devOnly.length === 0, 'app.asar holds no devDependencies', devOnly.join(', '))
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
}

console.log(failures ? `\n${failures} packaging check(s) failed` : '\npackaging checks passed')
process.exit(failures ? 1 : 0)
