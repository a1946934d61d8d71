import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

/**
 * `serverless invoke local` (osls + serverless-esbuild) loads the real ESM bundle of a handler — the path a user
 * tries first, and proof that the .js bundle loads as ESM outside vitest (no top-level await: osls require()s it).
 */
const root = join(import.meta.dirname, '..', '..');

describe('serverless invoke local', () => {
  it('cloudtrailEvents pages the world-open SSH sample and answers with no batch failures', async () => {
    const { stdout } = await promisify(execFile)(join(root, 'node_modules', '.bin', 'serverless'), ['invoke', 'local', '--stage', 'ci', '-f', 'cloudtrailEvents', '-p', 'events/sqs/cloudtrail-authorize-sg-ingress-ssh-world.json'], {
      cwd: root,
      timeout: 120_000,
      env: { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_REGION: 'eu-west-1' },
    });
    expect(stdout).toMatch(/"batchItemFailures": \[\]/);
    expect(stdout).toContain('"ruleId":"sg-open-world"');
  }, 150_000);
});
