// electron-builder configuration (found automatically by `electron-builder`). A .cjs module rather
// than YAML: it allows comments, needs no parser to check (scripts/check-packaging.mjs), and can
// read PRINTAGO_E2E_BUILD. How to build and sign: docs/packaging.md.

// The Playwright test artifact keeps one fuse on (scripts/after-pack.mjs); keep it apart from
// release artifacts so it cannot be uploaded by mistake.
const e2e = process.env.PRINTAGO_E2E_BUILD === '1'

module.exports = {
  appId: 'io.printago.send',
  productName: 'Printago Send',
  copyright: 'Copyright © Printago',
  directories: {
    buildResources: 'resources',
    output: e2e ? 'dist/e2e' : 'dist'
  },
  // Only the electron-vite build and package.json: no sources, tests or specs. electron-builder
  // adds the production `dependencies` from node_modules on its own (main externalises them).
  files: ['out/**', 'package.json'],
  asar: true,
  icon: 'resources/icon.png',
  artifactName: e2e
    ? 'printago-send-${version}-${os}-${arch}-e2e.${ext}'
    : 'printago-send-${version}-${os}-${arch}.${ext}',
  // Fuses are flipped in the hook (not `electronFuses`) so the e2e exception lives in one place.
  afterPack: './scripts/after-pack.mjs',
  // No native modules; skipping the rebuild also keeps @electron/rebuild (Node ≥ 22) out of it.
  npmRebuild: false,
  // Uploading releases is the release owner's step, never a side effect of a build.
  publish: null,
  linux: {
    target: ['AppImage', 'deb'],
    category: 'Graphics',
    executableName: 'printago-send',
    // .deb needs a maintainer; package.json has no author e-mail. Release owner: confirm it.
    maintainer: 'Printago <support@printago.io>',
    synopsis: 'Send STL files to a Printago print farm'
  },
  mac: {
    target: ['dmg'],
    category: 'public.app-category.productivity',
    hardenedRuntime: true
  },
  dmg: {
    writeUpdateInfo: false
  },
  win: {
    target: ['nsis']
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true
  }
}
