// ESLint: typescript-eslint's recommended type-checked set over the server, the verifier, benchmarks, scripts
// and tests. Run by `npm test` (`npm run lint`) before the suite. The web app (backend/web, Preact with its own
// tsconfig) is not linted yet: the type-checked rules read it through the server's project and their fixes
// break its build.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'backend/src/generated/**', 'data/**', '**/*.cjs', '**/*.mjs', '**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: new URL('..', import.meta.url).pathname },
    },
    rules: {
      // A leading underscore marks a parameter or binding kept on purpose (Express's four-argument error
      // handler, a destructured field left out of a copy).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    // Tests: node:test's describe() and it() return promises the runner itself awaits (floating by design);
    // response bodies are JSON (`any` from fetch and supertest) and their shape is checked against
    // docs/openapi.yaml by the traffic recorder, so the no-unsafe-* family would only add casts.
    files: ['test/**/*.ts', 'backend/verifier/test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      // Fakes implement async ports without awaiting anything.
      '@typescript-eslint/require-await': 'off',
    },
  },
);
