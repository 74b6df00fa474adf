// electron-builder afterPack hook: flips Electron fuses in the packaged binary. It runs after the
// app is copied in and before signing, so the signature covers the flipped binary.
// Why each fuse: docs/packaging.md. scripts/check-packaging.mjs runs this hook against a fake
// Electron binary to prove the values below are what gets written.
import fuses from '@electron/fuses'

const { FuseV1Options, FuseVersion } = fuses

/** electron-builder's Arch.arm64 (builder-util), without loading electron-builder here. */
const ARCH_ARM64 = 3

/**
 * The fuse values for a build. Release builds are locked down.
 *
 * E2E EXCEPTION: Playwright's `_electron.launch` attaches through `--inspect`/`--remote-debugging`
 * and times out when EnableNodeCliInspectArguments is off. A test artifact, built with
 * PRINTAGO_E2E_BUILD=1 (into dist/e2e, see electron-builder.cjs), keeps only that fuse on.
 * Never ship that artifact.
 */
export function fuseValues(env = process.env) {
  const e2e = env.PRINTAGO_E2E_BUILD === '1'
  return {
    RunAsNode: false,
    EnableCookieEncryption: true,
    EnableNodeOptionsEnvironmentVariable: false,
    EnableNodeCliInspectArguments: e2e,
    EnableEmbeddedAsarIntegrityValidation: true,
    OnlyLoadAppFromAsar: true,
    LoadBrowserProcessSpecificV8Snapshot: false,
    GrantFileProtocolExtraPrivileges: false
  }
}

/** The @electron/fuses config for one packaged app. */
export function fuseConfig(context, env = process.env) {
  const config = {
    version: FuseVersion.V1,
    // Flipping fuses breaks the ad-hoc signature an arm64 macOS binary needs to start at all;
    // a real identity re-signs afterwards anyway.
    resetAdHocDarwinSignature:
      context.electronPlatformName === 'darwin' && context.arch === ARCH_ARM64
  }
  for (const [name, on] of Object.entries(fuseValues(env))) {
    if (!(name in FuseV1Options)) throw new Error(`@electron/fuses does not know the ${name} fuse`)
    config[FuseV1Options[name]] = on
  }
  return config
}

export async function afterPack(context) {
  // electron-builder's own helper finds the binary per platform (.app, .exe, Linux executableName)
  // and calls @electron/fuses' flipFuses with our config.
  await context.packager.addElectronFuses(context, fuseConfig(context))
}

export default afterPack
