// Type-aware linting, plus the import fences of ARCHITECTURE.md:
// renderer/preload -> shared <- engine <- cli/main. The engine never imports electron, the
// renderer never imports Node builtins, shared imports nothing.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// isomorphic-git lives in engine/git only; electron in the shell's one file and the preload.
const noIsomorphicGit = {
  group: ['isomorphic-git', 'isomorphic-git/*'],
  message: 'Only src/engine/git/ imports isomorphic-git.',
};
const noElectron = {
  group: ['electron', 'electron/*'],
  message: 'Only src/main/electron-app.ts (and the preload) import electron.',
};
const engineSurface = {
  regex: '^\\.\\./engine/',
  message: "The CLI and the shell import only the engine's public surface, ../engine.",
};
const engineFences = [
  {
    group: ['**/cli/**', '**/main/**', '**/renderer/**', '**/preload/**'],
    message: 'The engine imports only shared.',
  },
];

// the renderer and the preload: no Node, no engine, no git
const uiFences = () => [
  { group: nodeBuiltins, message: 'The renderer and preload never import Node builtins.' },
  {
    group: ['**/engine/**', '**/cli/**', '**/main/**'],
    message: 'The renderer talks to the engine only through the shared contract.',
  },
  noIsomorphicGit,
];

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'crypto',
  'net',
  'http',
  'https',
  'stream',
  'zlib',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'dist/**',
      'test-output/**',
      'bin/**',
      'scripts/**',
      'bench/**/*.mjs',
      // programs tests run on a test host (a hostile git-annex-shell stand-in)
      'test/fixtures/**/*.mjs',
      'eslint.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.node.json', './tsconfig.web.json', './tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['describe', 'it', 'test', 'suite'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['src/engine/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-imports': [
        'error',
        { patterns: [noElectron, noIsomorphicGit, ...engineFences] },
      ],
    },
  },
  {
    files: ['src/engine/git/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [noElectron, ...engineFences] }],
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(?!\\./)', message: 'shared imports nothing but itself.' }] },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}', 'src/preload/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: uiFences(),
        },
      ],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [...uiFences(), noElectron],
        },
      ],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'src/main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/renderer/**', '**/preload/**'],
              message: 'Main and CLI do not import UI code.',
            },
            noIsomorphicGit,
            noElectron,
            engineSurface,
          ],
        },
      ],
    },
  },
  {
    files: ['src/main/electron-app.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/renderer/**', '**/preload/**'],
              message: 'Main and CLI do not import UI code.',
            },
            noIsomorphicGit,
            engineSurface,
          ],
        },
      ],
    },
  },
);
