import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'rules/**/*.test.ts', 'shared/**/*.test.ts'],
    environment: 'node',
    // Builds dist/ (the compiled command) first: tests that spawn `netwatch` run what users run.
    globalSetup: ['test/support/build-cli.ts'],
    testTimeout: 30_000,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', POWERTOOLS_DEV: 'false' },
  },
});
