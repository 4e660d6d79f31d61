/**
 * The called-vs-granted check (test/iam): a jest run of its own, started by `npm run jest` after the main one
 * (jest.config.cjs) has recorded the handlers' AWS calls, since jest orders no test files across workers.
 */
module.exports = {
  displayName: 'iam',
  testMatch: ['<rootDir>/test/iam/**/*.test.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest'] },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  moduleNameMapper: { '^@middy/([^/]+)$': '<rootDir>/node_modules/@middy/$1/index.js' },
  testEnvironment: 'node',
};
