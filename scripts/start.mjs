// `npm start`: builds, then opens the desktop app. Where Electron cannot run (its binary could not
// be downloaded, or there is no display), or with `--web`, it runs the browser mode instead
// (src/web/serve.ts, which prints the address to open with its session token, the data folder and
// how to stop). Either way the demo store works without a Printago account.
import { spawnSync, spawn } from 'node:child_process'

import { electronBinary, headlessLinux } from './electron-runnable.mjs'

const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)

const bin = electronBinary()
const web = process.argv.includes('--web')
if (bin && !headlessLinux() && !web) {
  console.log('Printago Send: starting the desktop app (Electron). Quit it to stop.')
  const child = spawn('npx', ['electron-vite', 'preview', '--skipBuild'], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
} else {
  const why = web
    ? 'browser mode was asked for (--web)'
    : bin
      ? 'there is no display here'
      : 'the Electron binary is not installed here (it downloads from GitHub on first use)'
  console.log(`Printago Send: starting the browser mode, because ${why}.`)
  const port = process.env.PORT ?? '5180'
  // Node itself runs the server (tsx as a loader), not an `npx tsx` wrapper: a wrapper that gets
  // SIGTERM can exit and leave the real server running, orphaned, with the data folder's locks.
  const child = spawn(
    process.execPath,
    // `npm start -- --web --host ::1 --data-dir D`: the other arguments are the server's.
    [
      '--import',
      'tsx',
      'src/web/serve.ts',
      '--port',
      port,
      ...process.argv.slice(2).filter((a) => a !== '--web')
    ],
    { stdio: 'inherit' }
  )
  // Ctrl+C in a terminal reaches both processes; a signal sent to this one alone is passed on.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal))
  child.on('exit', (code) => process.exit(code ?? 1))
}
