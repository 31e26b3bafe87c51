// eslint flat config (issue 12, item 5). `npm run lint` runs it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The shipped code: the size limits hold here (tests, bench and scripts are exempt). */
const sourceDirs = ['ir', 'common', 'compiler', 'executor', 'cli'];

export default tseslint.config(
  {
    ignores: ['dist/', 'generated/', 'node_modules/', 'test/fixtures/', 'bench/.corpus/', 'coverage/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // dependency-cruiser reads its config as CommonJS.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly' } },
  },
  {
    languageOptions: {
      // Everything here runs on Node: its globals are the ones this Node has.
      globals: Object.fromEntries(Object.getOwnPropertyNames(globalThis).map((name) => [name, 'readonly'])),
    },
    rules: {
      // A leading underscore marks a value left unused on purpose (a destructured-away field, a
      // callback parameter the signature requires).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
    },
  },
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ['vitest.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Type-aware rules chosen for the bugs they catch here: a promise nobody awaits loses its
      // rejection (and the audit record it was meant to write); a promise passed where a callback
      // returning void is expected is never awaited; awaiting a non-promise hides a wrong type;
      // a switch over a union that misses a member silently does nothing for the new member.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': [
        'error',
        { considerDefaultExhaustiveForUnions: true, requireDefaultForNonUnion: false },
      ],
    },
  },
  {
    // Small files and small functions (house style): what a reader takes in at once.
    files: sourceDirs.map((dir) => `${dir}/**/*.ts`),
    rules: {
      'max-lines': ['error', { max: 300, skipBlankLines: true, skipComments: true }],
      'max-lines-per-function': ['error', { max: 60, skipBlankLines: true, skipComments: true, IIFEs: true }],
    },
  },
  {
    // A data table (one entry per diagnostic code, with its documentation), not logic: splitting
    // it would only scatter the closed set the docs page is generated from.
    files: ['compiler/diagnostics/codes.ts'],
    rules: { 'max-lines': 'off' },
  },
  {
    // Stripping terminal escapes and control characters is the point of these patterns.
    files: ['executor/progress/*.ts', 'test/**/*.ts'],
    rules: { 'no-control-regex': 'off' },
  },
  {
    // Tests poke at untyped JSON (GitHub payloads, mdast trees, parsed YAML).
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
