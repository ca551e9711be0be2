// Two projects: unit specs beside the code in src/, e2e suites in test/ that boot the real app.
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
  },
];

/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // A global option: inside a project entry Jest ignores it, and every test got 5 s.
  testTimeout: 60000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/src/**/*.spec.ts'],
      transform: { '^.+\\.ts$': swc },
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: '.',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      // These suites cut, stall and kill what reaches MySQL; they have no SQLite counterpart.
      testPathIgnorePatterns: process.env.TEST_MYSQL_URL ? [] : ['database-outage', 'revocation-faults'],
      transform: { '^.+\\.ts$': swc },
    },
  ],
};
