import { availableParallelism } from 'node:os'

import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Renderer tests import the committed 3MF fixtures as data URLs (`….3mf?inline`): the web
  // typecheck has no Node, so they cannot read files.
  assetsInclude: ['**/*.3mf'],
  test: {
    // Component tests are .test.tsx (DOM per file: `// @vitest-environment happy-dom`).
    include: ['src/**/*.test.ts', 'src/**/*.test.tsx', 'scripts/**/*.test.ts'],
    environment: 'node',
    // One worker per core (vitest's default leaves one core idle: a single worker on two cores).
    // Test files are independent: temp dirs, port 0, nothing shared on disk.
    maxWorkers: availableParallelism(),
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // electron-store imports `electron` itself; inlining lets the test's vi.mock reach it.
    server: { deps: { inline: ['electron-store'] } }
  }
})
