// `npm start`: builds, then opens the desktop app. Where Electron cannot run (its binary could not
// be downloaded, or there is no display), it serves the same app in the browser instead
// (`npm run web`) and says so. Either way the demo store works without a Printago account.
import { spawnSync, spawn } from 'node:child_process'

import { electronBinary, headlessLinux } from './electron-runnable.mjs'

const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' })
if (build.status !== 0) process.exit(build.status ?? 1)

const bin = electronBinary()
if (bin && !headlessLinux() && !process.argv.includes('--web')) {
  const child = spawn('npx', ['electron-vite', 'preview', '--skipBuild'], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
} else {
  console.log(
    bin
      ? 'No display found: starting the browser version of the app instead.'
      : 'The Electron binary is not installed here (it downloads from GitHub on first use): starting the browser version instead.'
  )
  const port = process.env.PORT ?? '5180'
  const child = spawn('npx', ['tsx', 'src/web/serve.ts', '--port', port], { stdio: 'inherit' })
  child.on('exit', (code) => process.exit(code ?? 0))
}
