/**
 * Three jest projects: `unit` (pure, fast), `integration` (real processes:
 * Jupyter servers, kernels, pip, an unprivileged user) and `hostile`
 * (property-based tests and hostile trees run through every verb). The integration suite
 * is run in band: its tests start servers and kernels on a 2-core machine.
 */
const tsJest = [
  'ts-jest',
  { tsconfig: 'tsconfig.test.json', diagnostics: { warnOnly: false } }
];
// zod's locale files are ESM under their .js names; jest runs CommonJS, so it
// takes their .cjs twins (the bundles keep the ESM ones).
const moduleNameMapper = {
  '^zod/v4/locales/(.*)\\.js$': 'zod/v4/locales/$1.cjs'
};

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/tests/unit'],
      transform: { '^.+\\.tsx?$': tsJest },
      moduleNameMapper,
      testMatch: ['**/*.test.ts', '**/*.test.tsx']
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/tests/integration'],
      transform: { '^.+\\.tsx?$': tsJest },
      moduleNameMapper,
      testMatch: ['**/*.test.ts']
    },
    {
      displayName: 'hostile',
      testEnvironment: 'node',
      roots: ['<rootDir>/tests/hostile'],
      transform: { '^.+\\.tsx?$': tsJest },
      moduleNameMapper,
      testMatch: ['**/*.test.ts']
    },
    {
      // The facility shapes (Slurm, JupyterHub, podman as a hub user): run as root, in band.
      displayName: 'hub',
      testEnvironment: 'node',
      roots: ['<rootDir>/tests/hub'],
      transform: { '^.+\\.tsx?$': tsJest },
      moduleNameMapper,
      testMatch: ['**/*.test.ts']
    }
  ],
  // Integration tests start servers, kernels and pip; jest ignores this key inside a project.
  testTimeout: 180000
};
