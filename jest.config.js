// Tests run with NODE_OPTIONS=--experimental-vm-modules (see package.json):
// PGlite loads its WebAssembly through a dynamic import that Jest's CommonJS
// sandbox refuses otherwise.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: {
    "^.+\\.ts$": ["ts-jest", { isolatedModules: true, tsconfig: "tsconfig.json" }],
  },
  globalSetup: "<rootDir>/test/support/globalSetup.ts",
  testTimeout: 60000,
  maxWorkers: 2,
  // A worker that has grown past this after a test file is replaced: the
  // integration files load models and PGlite, and a long run otherwise
  // holds several GB per worker.
  workerIdleMemoryLimit: "1536MB",
  reporters: ["default", "<rootDir>/test/support/summaryReporter.js"],
};
