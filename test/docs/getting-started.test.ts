import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { shellBlocks } from '../support/markdown.ts';

/**
 * docs/getting-started.md works as written: every shell block runs, in page order, in one scratch directory that
 * links to the checkout's directories and copies its files (so what the blocks write — netwatch-out/, the copied config, reports — stays out of
 * the checkout and away from other tests), and must exit 0 under `set -eo pipefail`. Skipped, visibly in the page:
 * blocks marked `<!-- needs-aws -->` (they need an account) and `<!-- run-by-ci -->` (`npm ci` / `npm test`, which
 * .ci/run runs itself, and `npm start`, which a later block runs: checked below instead).
 */
const root = join(import.meta.dirname, '..', '..');
const page = readFileSync(join(root, 'docs', 'getting-started.md'), 'utf8');
const blocks = shellBlocks(page);
const MARKERS = new Set(['needs-aws', 'run-by-ci']);

/** Everything but what a run writes: those are made fresh in the scratch directory. */
const OWN = new Set(['netwatch-out', 'netwatch.config.yml', 'netwatch.config.json', '.esbuild', '.serverless', '.git']);
const scratch = mkdtempSync(join(tmpdir(), 'netwatch-getting-started-'));
for (const name of readdirSync(root)) {
  if (OWN.has(name) || name.startsWith('.serverless-')) continue;
  // Files are copied (osls wants a real serverless.yml in the service directory), directories linked.
  if (statSync(join(root, name)).isDirectory()) symlinkSync(join(root, name), join(scratch, name));
  else copyFileSync(join(root, name), join(scratch, name));
}
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('docs/getting-started.md', () => {
  it('has shell blocks, and every marker is one the test knows', () => {
    expect(blocks.length).toBeGreaterThan(5);
    for (const block of blocks) if (block.marker !== undefined) expect(MARKERS).toContain(block.marker);
    // The deploy needs an account: those blocks must be marked, or this test would try to deploy.
    for (const block of blocks)
      if (/serverless deploy|aws (sns|cloudformation|sqs)/.test(block.code)) expect(block.marker).toBe('needs-aws');
  });

  it('the run-by-ci blocks are what .ci/run runs', () => {
    // Prepare
    const ci = readFileSync(join(root, '.ci', 'run'), 'utf8');
    // Act
    const commands = blocks
      .filter((b) => b.marker === 'run-by-ci')
      .flatMap((b) => b.code.split('\n'))
      .map((line) => line.replace(/#.*$/, '').trim())
      .filter(Boolean)
      .flatMap((line) => line.split('&&').map((c) => c.trim()));
    const runHere = blocks.filter((b) => b.marker === undefined).map((b) => b.code);
    // Assess: each is run by .ci/run (npm ci, npm test) or by an unmarked block of the page (npm start).
    expect(commands).toEqual(expect.arrayContaining(['npm ci', 'npm test', 'npm start']));
    for (const command of commands) {
      const inCi = new RegExp(`^${command}\\b`, 'm').test(ci);
      const inPage = runHere.some((code) => new RegExp(`^${command}\\b`, 'm').test(code));
      expect(inCi || inPage, command).toBe(true);
    }
  });

  const runnable = blocks.filter((b) => b.marker === undefined);
  it.each(runnable.map((b) => [b.line, b] as const))(
    'the block at line %i runs and exits 0',
    (_line, block) => {
      // Act
      const run = spawnSync('bash', ['-c', `set -eo pipefail\n${block.code}`], {
        cwd: scratch,
        encoding: 'utf8',
        timeout: 120_000,
        env: {
          ...process.env,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          // No AWS account: any block that tried one would fail rather than reach a real account.
          AWS_ACCESS_KEY_ID: '',
          AWS_SECRET_ACCESS_KEY: '',
          AWS_PROFILE: '',
          AWS_REGION: 'eu-west-1',
          NO_COLOR: '1',
        },
      });
      // Assess
      expect(run.status, `${block.code}\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}`).toBe(0);
      expect(run.stdout.length + run.stderr.length).toBeGreaterThan(0);
    },
    180_000,
  );
});
