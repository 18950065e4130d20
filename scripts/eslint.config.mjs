// ESLint (typescript-eslint's recommended type-checked set) over the server, the verifier, the web app,
// tests, benchmarks and scripts. Run by `npm test` (npm run lint) before the suite.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'backend/src/generated/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: new URL('..', import.meta.url).pathname },
    },
  },
);
