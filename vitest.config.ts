import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    // Component tests are .test.tsx (DOM per file: `// @vitest-environment happy-dom`).
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // electron-store imports `electron` itself; inlining lets the test's vi.mock reach it.
    server: { deps: { inline: ['electron-store'] } }
  }
})
