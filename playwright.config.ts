import { defineConfig } from '@playwright/test'

// @ts-expect-error plain .mjs helper shared with scripts/ensure-chromium.mjs
import { findChromium } from './scripts/chromium-path.mjs'

const executablePath: string | undefined = (findChromium() as string | null) ?? undefined

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/playwright.json' }]],
  use: {
    viewport: { width: 1440, height: 900 },
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath,
      // SwiftShader gives WebGL without a GPU; never add --disable-software-rasterizer.
      args: ['--use-angle=swiftshader', '--enable-unsafe-swiftshader']
    }
  },
  projects: [{ name: 'chromium' }]
})
