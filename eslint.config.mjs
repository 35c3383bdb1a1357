// typescript-eslint strict on all TypeScript; src/core stays pure (no Node-RED, no I/O, no timers).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'nodes/**',
      'node_modules/**',
      '.userdir/**',
      'bench/results/**',
      'bench/.build/**',
      'test-artifacts/**',
      'test/compat/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Node-RED's own idiom for the node instance inside its constructor function.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
    },
  },
  {
    // Nothing a user or a message supplies is ever run as code (user models go through src/core/sim/expression.ts).
    files: ['src/**/*.ts'],
    rules: { 'no-eval': 'error', 'no-implied-eval': 'error', 'no-new-func': 'error' },
  },
  {
    // Never a crash: a promise nobody handles can end the Node-RED process (an unhandled rejection). `void` does not
    // count as handling: every async path ends in done(err) or a logged error.
    files: ['src/**/*.ts'],
    languageOptions: {
      parserOptions: {
        project: ['./tsconfig.json', './tsconfig.editor.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['node-red', 'fs', 'node:fs', 'net', 'node:net', 'timers', 'node:timers', 'child_process'],
          patterns: ['../runtime/*', '../editor/*', '**/runtime/**', '**/editor/**'],
        },
      ],
      'no-restricted-globals': ['error', 'setTimeout', 'setInterval', 'setImmediate'],
      'no-restricted-properties': [
        'error',
        {
          object: 'Date',
          property: 'now',
          message: 'src/core takes time as an argument (injectable clock).',
        },
        { object: 'Math', property: 'random', message: 'src/core uses a seeded generator so runs repeat.' },
      ],
    },
  },
  {
    files: ['src/editor/**/*.ts'],
    languageOptions: { globals: { ...globals.browser, RED: 'readonly', $: 'readonly' } },
  },
  {
    files: ['**/*.mjs', '**/*.cjs', '**/*.js'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // Function node bodies the demo generator inlines: Node-RED runs them as a function with msg and context.
    files: ['scripts/dashboard/*.js'],
    languageOptions: {
      sourceType: 'script',
      parserOptions: { ecmaFeatures: { globalReturn: true } },
      globals: { msg: 'readonly', context: 'readonly' },
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*'],
    languageOptions: { globals: { ...globals.node, ...globals.mocha } },
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
