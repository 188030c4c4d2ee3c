/**
 * `npm run test:synth`: the synthesized stack's own bundles, served by `npm run start:synth`. The
 * global setup starts DynamoDB Local and runs `cdk synth` once into a directory of its own.
 * @type {import('jest').Config}
 */
const base = require('../../jest.config.js');

module.exports = {
  ...base,
  rootDir: '../..',
  testMatch: ['<rootDir>/test/synth/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: '<rootDir>/test/synth/global-setup.ts',
  globalTeardown: '<rootDir>/test/synth/global-teardown.ts',
  testTimeout: 60_000,
};
