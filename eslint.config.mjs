// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'test/support/*.js', 'test/hosts/', '*.js', '*.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  prettier,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      eqeqeq: ['error', 'always'],
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'off',
      '@typescript-eslint/no-extraneous-class': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // The standalone server (src/server, src/main.ts) is a host like any other: it reaches
    // Gatehouse through the package's public face (src/index.ts) alone, so what it does, a host
    // can do.
    files: ['src/server/**/*.ts', 'src/main.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/auth/*', '**/users/*', '**/tokens/*', '**/account/*', '**/keys/*', '**/mail/*', '**/redis/*', '**/common/*', '**/config/*', '**/database/*', '**/cli/*', '**/core/*', '**/admin/*', '**/schema/*', '**/throttling/*', '**/passkeys/*'],
              message: 'The server reaches Gatehouse through src/index.ts only.',
            },
          ],
        },
      ],
    },
  },
  {
    // ...and the package never depends on the server: `files` leaves dist/server out.
    files: ['src/**/*.ts'],
    ignores: ['src/server/**', 'src/main.ts', '**/*.spec.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        // Relative specifiers only: `@simplewebauthn/server` is a package, not our server.
        { patterns: [{ regex: '^(\\.{1,2}/)+(.*/)?(server(/.*)?|main)$', message: 'The package does not ship src/server or src/main.ts.' }] },
      ],
    },
  },
);
