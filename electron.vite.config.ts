import { resolve } from 'node:path'

import react from '@vitejs/plugin-react'
import { defineConfig } from 'electron-vite'

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        input: { index: resolve('src/main/index.ts') }
      }
    }
  },
  preload: {
    // A sandboxed preload cannot be an ES module: emit one self-contained CommonJS file.
    build: { rolldownOptions: { output: { format: 'cjs', entryFileNames: '[name].cjs' } } }
  },
  renderer: {
    resolve: { alias: { '@renderer': resolve('src/renderer/src') } },
    plugins: [react()],
    build: { minify: true },
    worker: { format: 'es' }
  }
})
