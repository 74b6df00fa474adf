import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'node_modules/**',
      'test-results/**',
      'spec/**',
      'src/shared/printago/api-types.ts'
    ]
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }
      ],
      '@typescript-eslint/no-explicit-any': 'error'
    }
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn'
    }
  },
  {
    // Electron lives in src/main (the adapter) and the preload only. Everything else runs in plain
    // Node, a browser or a Web Worker.
    files: ['src/**/*.{ts,tsx}'],
    ignores: ['src/main/**', 'src/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Only src/main (the Electron adapter) and the preload may import electron.'
            }
          ],
          patterns: [
            {
              group: ['electron/*'],
              message:
                'Only src/main (the Electron adapter) and the preload may import electron (electron/main, electron/common… included).'
            },
            {
              regex: '^(\\.\\./)+sandbox(/|$)',
              message:
                'The app core never depends on the Printago sandbox; the hosts (web, main) load it.'
            }
          ]
        }
      ]
    }
  },
  {
    // The sandbox, web host, CLI and tests may use the sandbox; the desktop adapter loads it only
    // with a dynamic import() when the demo store is chosen (src/main/index.ts).
    files: [
      'src/sandbox/**/*.ts',
      'src/web/**/*.ts',
      'src/cli/**/*.ts',
      'src/test-support/**/*.ts',
      'src/**/*.test.ts'
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'Only src/main and the preload may import electron.' }
          ],
          patterns: [
            { group: ['electron/*'], message: 'Only src/main and the preload may import electron.' }
          ]
        }
      ]
    }
  },
  {
    // The product emulator (the desktop app's demo store loads src/sandbox/index.ts) never reaches
    // its test surfaces: fault injection, the admin API and the request log in sandbox/testing are
    // attached by tests, `npm run sandbox` (cli.ts) and `npm run web` only.
    files: ['src/sandbox/**/*.ts'],
    ignores: ['src/sandbox/testing/**', 'src/sandbox/cli.ts', '**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'Only src/main and the preload may import electron.' }
          ],
          patterns: [
            {
              group: ['electron/*'],
              message: 'Only src/main and the preload may import electron.'
            },
            {
              regex: '^\\.{1,2}/(.*/)?testing(/|$)',
              message:
                'The product sandbox never imports sandbox/testing (faults, admin API, request log): use startTestSandbox from testing/ in tests and tools.'
            }
          ]
        }
      ]
    }
  },
  {
    // The renderer sees only src/shared (the contract and pure engines) and the browser.
    files: ['src/renderer/**/*.{ts,tsx}', 'src/shared/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'The renderer talks to main only through window.api.' }
          ],
          patterns: [
            {
              group: ['electron/*'],
              message: 'The renderer talks to main only through window.api.'
            },
            {
              group: ['node:*', 'fs', 'path', 'child_process'],
              message: 'No Node APIs in renderer/shared code.'
            },
            {
              regex: '^(\\.\\./)+(core|sandbox|main|web|cli|test-support)(/|$)',
              message: 'The renderer and shared code import only src/shared (and their own files).'
            }
          ]
        }
      ]
    }
  },
  {
    // The desktop adapter never ships the sandbox statically: index.ts loads it with import() only
    // when the demo store is chosen, and never its test surfaces (sandbox/testing).
    files: ['src/main/**/*.ts', 'src/preload/**/*.ts'],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(sandbox|web|cli|test-support)(/|$)',
              message:
                'The desktop app loads the sandbox only with a dynamic import() (demo store) and never web, cli or test code.'
            }
          ]
        }
      ]
    }
  }
)
