// ESLint for the whole workspace: typescript-eslint's type-checked recommended rules (promises dropped or
// misused, awaits on non-promises, objects stringified as [object Object], ...), less the few that would mean
// hundreds of edits for little (listed below with the reason), plus consistent type imports/exports and
// unused variables. One TypeScript program (the root tsconfig.json, which includes every package) serves the
// type-aware rules, so linting the tree costs about one `tsc` run. Import boundaries are dependency-cruiser's
// job (.dependency-cruiser.cjs), formatting is Prettier's (prettier.config.js).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '.tmp/**',
      // Generated trees: never edited by hand (see .gitattributes).
      'libs/proto/src/gen/**',
      'services/*/src/store/generated/**',
      // Recorded bytes and JSON of every message version.
      'golden/mithril/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // The explorer (browser code: DOM types) is its own TypeScript program.
        project: ['./tsconfig.json', './explorer/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Relaxed, each with its reason (counts: hits on the tree when this configuration was written).
      // - no-unsafe-*: `any` reaches code only from JSON.parse and test probes of JSON bodies (~110 hits); explicit
      //   `any` is already an error (no-explicit-any) and every decoder of untrusted input validates what it reads.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      // - async functions without await implement async interfaces (ports, handlers): style, 46 hits.
      '@typescript-eslint/require-await': 'off',
      // - methods passed unbound are gRPC client methods called with the client as `this` by grpc-js: 10 false alarms.
      '@typescript-eslint/unbound-method': 'off',
      // - rethrowing a caught `unknown` (or an AbortSignal's reason) as it came is right; the rules would want a wrapper.
      '@typescript-eslint/only-throw-error': 'off',
      '@typescript-eslint/prefer-promise-reject-errors': 'off',
      // - casts written for the reader (25 hits, no bug among them).
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/consistent-type-exports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
    },
  },
  {
    // Scripts and configuration in JavaScript are outside the TypeScript program: syntax rules only.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: { ...tseslint.configs.disableTypeChecked.languageOptions, globals: { ...globals.node } },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
