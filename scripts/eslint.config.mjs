// ESLint: typescript-eslint's recommended type-checked set over the server, the verifier, the account web app,
// benchmarks, scripts and tests. Run by `npm test` (`npm run lint`) before the suite. The web app (Preact) is
// read through its own tsconfig (backend/web/tsconfig.json: DOM types, JSX): through the server's project the
// type-checked rules judged it with the wrong types, and their fixes broke its build.
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
    files: ['backend/web/src/**/*.ts', 'backend/web/src/**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: false, project: ['backend/web/tsconfig.json'], tsconfigRootDir: new URL('..', import.meta.url).pathname },
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
