/** @type {import('jest').Config} */
const swc = ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }];

module.exports = {
  testEnvironment: 'node',
  // @middy/* and jose ship ES modules only; compile them like our own code.
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!(@middy|jose)/)'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // These run on their own: `npm run test:soak`, `npm run test:synth` and `npm run test:faults` (and .ci/run after npm test).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/soak/', '<rootDir>/test/synth/', '<rootDir>/test/faults/'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/quiet-sdk-warning.ts', '<rootDir>/test/support/log-level.ts'],
  maxWorkers: 2,
  testTimeout: 30_000,
};
