// Electron security checklist item 16: is the pinned Electron current? Compares the exact pin in
// package.json with the registry: the newest patch of the same major and the newest release.
// Prints what it finds; with --strict it exits 1 when a newer patch of the pinned major exists.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
const pinned = pkg.devDependencies?.electron ?? pkg.dependencies?.electron
const strict = process.argv.includes('--strict')

if (!/^\d+\.\d+\.\d+$/.test(pinned ?? '')) {
  console.error(`electron-version: electron must be pinned exactly, found "${pinned}"`)
  process.exit(1)
}
let versions
try {
  versions = JSON.parse(
    execFileSync('npm', ['view', 'electron', 'versions', '--json'], {
      encoding: 'utf8',
      timeout: 30_000
    })
  )
} catch (err) {
  console.log(
    `electron-version: registry not reachable (${err.message.split('\n')[0]}); pinned ${pinned}`
  )
  process.exit(0)
}
const parse = (v) => v.split('.').map(Number)
const stable = versions.filter((v) => /^\d+\.\d+\.\d+$/.test(v))
const [major] = parse(pinned)
const newer = (a, b) => {
  const [x, y] = [parse(a), parse(b)]
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] > y[i]
  return false
}
const sameMajor = stable
  .filter((v) => parse(v)[0] === major)
  .reduce((m, v) => (newer(v, m) ? v : m), pinned)
const latest = stable.reduce((m, v) => (newer(v, m) ? v : m), pinned)
const behindPatch = sameMajor !== pinned
console.log(
  `electron-version: pinned ${pinned}; newest ${major}.x ${sameMajor}; newest overall ${latest}` +
    (behindPatch
      ? ` — update to ${sameMajor} for its security fixes`
      : ' — up to date within its major')
)
process.exit(strict && behindPatch ? 1 : 0)
