import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { NO_AWS, netwatch, type CliResult } from '../support/cli.ts';

/**
 * A laptop with no AWS set up, running the commands a newcomer runs with a config that names AWS resources (the
 * shipped netwatch.config.example.yml names SSM parameters, a Secrets Manager secret and DynamoDB tables): one line
 * on stderr saying what is missing, what needed it and how to fix it, exit 69 — no stack trace, no SDK warning, and
 * not exit 1 (which says "a delivery failed").
 */

const EXAMPLE = 'netwatch.config.example.yml';
const dir = mkdtempSync(join(tmpdir(), 'netwatch-no-aws-'));
const noAws = (env: Record<string, string> = {}) => ({ unset: NO_AWS.unset, env: { ...NO_AWS.env, ...env } });
const withRegion = noAws({ AWS_REGION: 'eu-west-1' });

function expectOneLine(result: CliResult, pattern: RegExp): void {
  const lines = result.stderr.split('\n').filter((l) => l.trim() !== '');
  expect(lines.filter((l) => l.startsWith('netwatch: '))).toHaveLength(1);
  expect(result.stderr).toMatch(pattern);
  expect(result.stderr).not.toMatch(/^\s+at /m); // no stack frame
  expect(result.stderr).not.toContain('NodeVersionSupportWarning');
  expect(result.stderr).not.toContain('node_modules');
  expect(result.code).toBe(69);
}

describe('no AWS: one line and exit 69', () => {
  it('route with the shipped example config: no region, needed for the approvals table, how to fix it', () => {
    const result = netwatch(['route', '--config', EXAMPLE, 'events/cloudtrail'], noAws());
    expectOneLine(result, /^netwatch: no AWS region \(needed for the approvals table netwatch-approvals;/);
    expect(result.stderr).toContain('--no-table');
    expect(result.stderr).toContain('set AWS_REGION');
    expect(result.stdout).toBe('');
  });

  it('route with a region but no credentials says so', () => {
    const result = netwatch(['route', '--config', EXAMPLE, 'events/cloudtrail'], withRegion);
    expectOneLine(result, /^netwatch: no AWS credentials \(needed for the approvals table netwatch-approvals/);
    expect(result.stderr).toContain('AWS_PROFILE');
  });

  it('route --no-table needs no AWS at all', () => {
    const result = netwatch(['route', '--config', EXAMPLE, '--no-table', 'events/cloudtrail'], noAws());
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('approval:');
  });

  it('replay with the example config names the first secret it could not read', () => {
    const result = netwatch(['replay', '--config', EXAMPLE, 'events/cloudtrail'], noAws());
    expectOneLine(result, /^netwatch: no AWS region \(needed for reading the secret ssm:\/netwatch\//);
  });

  it('replay whose AWS sink cannot sign: one line per sink, not one error per delivery, exit 69', () => {
    const config = join(dir, 'sns.yml');
    writeFileSync(
      config,
      [
        'version: 1',
        'sinks:',
        "  oncall: { type: sns, topicArn: 'arn:aws:sns:eu-west-1:111122223333:oncall' }",
        'routes:',
        '  - { name: page, kind: paging, match: { minSeverity: high }, sinks: [oncall] }',
      ].join('\n'),
    );
    const result = netwatch(['replay', '--config', config, 'events/cloudtrail'], withRegion);
    const complaints = result.stderr.split('\n').filter((l) => l.startsWith('netwatch: '));
    expect(complaints).toEqual([
      expect.stringMatching(/^netwatch: no AWS credentials \(needed for delivering to sink oncall\)/),
    ]);
    expect(result.stderr).toContain('oncall: 0 delivered');
    expect(result.code).toBe(69);
  });

  it('approvals list, add and sync, exposures --table: the table or secret they needed', () => {
    expectOneLine(
      netwatch(['approvals', 'list', '--table', 'netwatch-approvals'], noAws()),
      /^netwatch: no AWS region \(needed for the approvals table netwatch-approvals\)/,
    );
    expectOneLine(
      netwatch(
        [
          'approvals',
          'add',
          '--table',
          'netwatch-approvals',
          '--ticket',
          'CHG1',
          '--start',
          '2026-11-20T09:00:00Z',
          '--end',
          '2026-11-20T12:00:00Z',
          '--resources',
          'sg-0a1b2c3d4e5f60718',
        ],
        withRegion,
      ),
      /^netwatch: no AWS credentials \(needed for the approvals table netwatch-approvals\)/,
    );
    expectOneLine(
      netwatch(['approvals', 'sync', '--config', EXAMPLE], noAws()),
      /^netwatch: no AWS region \(needed for reading the secret ssm:\/netwatch\/servicenow\/client-secret\)/,
    );
    expectOneLine(
      netwatch(['exposures', '--table', 'netwatch-state'], noAws()),
      /^netwatch: no AWS region \(needed for the state table netwatch-state\)/,
    );
  });

  it('backtest of an S3 prefix and of LookupEvents, live evidence', () => {
    expectOneLine(
      netwatch(['backtest', 's3://trail-bucket/AWSLogs/'], noAws()),
      /^netwatch: no AWS region \(needed for listing s3:\/\/trail-bucket\/AWSLogs\/\)/,
    );
    expectOneLine(
      netwatch(['backtest', '--lookup-events', '--region', 'eu-west-1', '--since', '1d'], noAws()),
      /^netwatch: no AWS credentials \(needed for CloudTrail LookupEvents in eu-west-1\)/,
    );
    expectOneLine(
      netwatch(['evidence', 'sg-0a1b2c3d4e5f60718', '--region', 'eu-west-1'], noAws()),
      /^netwatch: no AWS credentials \(needed for reading flow logs .*--files reads them offline\)/,
    );
  });

  it('a local endpoint that is not running is named, with the sandbox hint', () => {
    const result = netwatch(
      ['approvals', 'list', '--table', 'netwatch-approvals'],
      noAws({
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'sandbox',
        AWS_SECRET_ACCESS_KEY: 'sandbox',
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
      }),
    );
    expectOneLine(
      result,
      /^netwatch: cannot reach AWS \(needed for the approvals table netwatch-approvals\): .*ECONNREFUSED/,
    );
    expect(result.stderr).toContain('AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:9 is set');
  });

  it('the help documents exit code 69', () => {
    expect(netwatch(['--help']).stdout).toMatch(/69 AWS was needed but is not set up/);
  });
});
