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
    // Services, the sandbox, the CLI and shared modules run in plain Node and in a Web Worker:
    // they must never import Electron. Only src/main/index.ts and the preload may.
    files: ['src/main/**/*.ts', 'src/shared/**/*.ts', 'src/renderer/**/*.{ts,tsx}'],
    ignores: ['src/main/index.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'Only src/main/index.ts and the preload may import electron.'
            }
          ],
          patterns: [
            {
              group: ['electron/*'],
              message:
                'Only src/main/index.ts and the preload may import electron (electron/main, electron/common… included).'
            }
          ]
        }
      ]
    }
  },
  {
    // The renderer never sees Node or the network directly.
    files: ['src/renderer/**/*.{ts,tsx}', 'src/shared/**/*.ts'],
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
            }
          ]
        }
      ]
    }
  }
)
