import { buildCli } from '../../scripts/build-cli.ts';

/**
 * Vitest global setup: build dist/ from the sources under test before any test runs, the way `npm ci` does
 * (`prepare`), so the tests that spawn the command run what users run and never a stale build.
 */
export default async function setup(): Promise<void> {
  await buildCli();
}
