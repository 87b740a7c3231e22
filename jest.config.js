/** Jest runs TypeScript through ts-jest in ESM mode; type checking is done once by `tsc` in `npm test`. */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  roots: ['<rootDir>/libs', '<rootDir>/golden', '<rootDir>/services', '<rootDir>/devnet', '<rootDir>/cli', '<rootDir>/scripts', '<rootDir>/explorer'],
  testMatch: ['**/test/**/*.test.ts'],
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.base.json' }],
  },
  testTimeout: 60000,
};
