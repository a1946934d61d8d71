import { spawnSync } from 'node:child_process';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../support/corpus.ts';
import { startSandbox } from '../support/sandbox.ts';

/**
 * `serverless invoke local -f <function> -p events/sqs/<file>.json` is documented in docs/deploy.md ("Lambda functions"): prove it works with
 * the real bundle (osls + serverless-esbuild), as a user runs it.
 */
function invokeLocal(fn: string, event: string, more: { args?: string[]; env?: Record<string, string> } = {}) {
  const result = spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules/osls/bin/serverless.js'),
      'invoke',
      'local',
      '--stage',
      'ci',
      '-f',
      fn,
      '-p',
      event,
      '-e',
      'NETWATCH_ENRICH=off',
      ...(more.args ?? []),
    ],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 120_000,
      env: {
        ...process.env,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_REGION: 'eu-west-1',
        SLS_TELEMETRY_DISABLED: '1',
        ...more.env,
      },
    },
  );
  return { code: result.status, out: `${result.stdout}${result.stderr}` };
}

describe('serverless invoke local', () => {
  it('runs both ingest functions on the bundled SQS samples and answers a partial batch response', () => {
    for (const [fn, event, expected] of [
      [
        'cloudtrailEvents',
        'events/sqs/cloudtrail-authorize-sg-ingress-ssh-world.json',
        'tcp/22 open to 0.0.0.0/0 on sg-0a1b2c3d4e5f60718',
      ],
      [
        'configChanges',
        'events/sqs/config-sg-ssh-world-added.json',
        'tcp/22 open to 0.0.0.0/0 on sg-0a1b2c3d4e5f60718',
      ],
    ] as const) {
      const { code, out } = invokeLocal(fn, event);
      expect(out, out.slice(-2000)).toContain(expected);
      expect(out.replace(/\s+/g, '')).toContain('{"batchItemFailures":[]}');
      expect(code).toBe(0);
    }
  }, 240_000);

  it('-e NETWATCH_CONFIG_PATH takes a path relative to the service and a YAML file (issue 18 item 4): the sandbox config', async () => {
    // Prepare: the sandbox (docs/sandbox.md), its YAML config named by a path relative to the clone, as the README
    // writes it. Before, the function read the path from serverless-esbuild's .esbuild/.build (ENOENT) and took JSON only.
    const sandbox = await startSandbox();
    try {
      const from = sandbox.printed().length;
      // Act: the real handler, through invoke local, on the bundled SQS sample.
      const { code, out } = invokeLocal(
        'cloudtrailEvents',
        'events/sqs/cloudtrail-authorize-sg-ingress-ssh-world.json',
        {
          args: ['-e', `NETWATCH_CONFIG_PATH=${relative(REPO_ROOT, sandbox.config)}`],
          env: sandbox.env(),
        },
      );
      // Assess: no failure, and the sandbox's receivers got the page and the ticket.
      expect(out.replace(/\s+/g, ''), out.slice(-2000)).toContain('{"batchItemFailures":[]}');
      expect(code).toBe(0);
      const arrived = await sandbox.printedLine(/servicenow {2}created incident/, from);
      expect(arrived).toMatch(
        /^pagerduty {3}trigger error: \[HIGH\] .*tcp\/22 open to 0\.0\.0\.0\/0 on sg-0a1b2c3d4e5f60718/m,
      );
    } finally {
      await sandbox.stop();
    }
  }, 240_000);
});
