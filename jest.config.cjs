/** Jest: swc transform (fast, keeps jest.mock hoisting); middy is ESM-only so it is transformed too. */
const common = {
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!@middy/|commander/)'],
  moduleNameMapper: { '^@middy/([^/]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  testEnvironment: 'node',
  clearMocks: true,
  restoreMocks: true,
  setupFilesAfterEnv: ['<rootDir>/test/helpers/fast-check-setup.ts'],
};

/**
 * The integration and end-to-end tests record every AWS call the production handlers make (test/iam):
 * `@smithy/core/client` resolves to the real module with a recording middleware attached.
 */
const recording = {
  moduleNameMapper: {
    ...common.moduleNameMapper,
    '^@smithy/core/client$': '<rootDir>/test/helpers/aws-calls/smithy-client.ts',
  },
  setupFilesAfterEnv: [...common.setupFilesAfterEnv, '<rootDir>/test/helpers/aws-calls/jest-setup.ts'],
};

module.exports = {
  // The called-vs-granted check (test/iam) reads what these record: jest.iam.config.cjs, run after them.
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/test/unit/**/*.test.ts'] },
    {
      ...common,
      ...recording,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts'],
      globalSetup: '<rootDir>/test/helpers/emulators-setup.mjs',
      globalTeardown: '<rootDir>/test/helpers/emulators-teardown.mjs',
    },
    {
      ...common,
      ...recording,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.test.ts'],
    },
  ],
};
