import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { BacktestSummary } from '../../cli/backtest/summary.ts';
import { main } from '../../cli/main.ts';
import { DynamoStateStore, stateTableDefinition } from '../../shared/3-state/dynamodb-store.ts';
import { StateEngine } from '../../shared/3-state/engine.ts';
import { emptyClassified, judgeStateful } from '../../shared/4-classify/classify.ts';
import { RULES } from '../../rules/index.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { normalizeCloudTrailRecord } from '../../shared/1-ingest/cloudtrail/index.ts';
import { startDynalite } from '../support/dynalite.ts';
import { sshWorldRecord } from '../support/records.ts';

/**
 * The CLI keeps state across its input (issue 14): classify and backtest judge changes in event-time order whatever
 * order the files come in, the backtest reports episodes, and `netwatch exposures` lists what stays open — after a
 * replay, or from the functions' state table.
 */

const dir = mkdtempSync(join(tmpdir(), 'netwatch-state-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let stdout = '';
beforeEach(() => {
  stdout = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
});
afterEach(() => vi.restoreAllMocks());

/** The SSH-to-the-world record as another call at another time. */
function call(name: string, at: string, id: string): Record<string, unknown> {
  return { ...sshWorldRecord(id), eventName: name, eventTime: at };
}

/** Three files, written so that reading them in name order gives the changes out of time order. */
function files(): string[] {
  const paths = [
    ['a-reopen.json', call('AuthorizeSecurityGroupIngress', '2026-11-20T14:00:00Z', 'e-reopen')],
    ['b-close.json', call('RevokeSecurityGroupIngress', '2026-11-20T10:00:00Z', 'e-close')],
    ['c-open.json', call('AuthorizeSecurityGroupIngress', '2026-11-20T09:00:00Z', 'e-open')],
  ] as const;
  return paths.map(([name, record]) => {
    const path = join(dir, name);
    writeFileSync(path, JSON.stringify({ Records: [record] }));
    return path;
  });
}

describe('the CLI keeps state', () => {
  it('classify judges the changes in event-time order: open, close, re-open (files read in another order)', async () => {
    expect(await main(['classify', '--format', 'jsonl', ...files()])).toBe(0);
    const findings = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { changeId: string; severity: string; episode?: { state: string; id: string } });
    expect(findings.map((f) => `${f.changeId} ${f.severity} ${f.episode?.state}`)).toEqual([
      'e-open high open',
      'e-close info closed',
      'e-reopen high open',
    ]);
    expect(findings[0]?.episode?.id).toBe(findings[1]?.episode?.id);
    expect(findings[2]?.episode?.id).not.toBe(findings[0]?.episode?.id);
  });

  it('classify --state off judges each change on its own (the re-opening and the opening are one fingerprint)', async () => {
    expect(await main(['classify', '--format', 'jsonl', '--state', 'off', ...files()])).toBe(0);
    const findings = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { changeId: string; fingerprint: string });
    expect(findings.map((f) => f.changeId)).toEqual(['e-reopen', 'e-open']);
    expect(findings[0]?.fingerprint).toBe(findings[1]?.fingerprint);
  });

  it('the backtest report shows the episodes: opened, closed, still open, time open', async () => {
    expect(await main(['backtest', '--format', 'json', ...files()])).toBe(0);
    const summary = JSON.parse(stdout) as BacktestSummary;
    expect(summary.totals.pages).toBe(2);
    expect(summary.episodes).toMatchObject({ opened: 2, closed: 1, stillOpen: 1, longestOpenSeconds: 3600 });
    expect(summary.episodes?.rows.map((r) => [r.state, r.openedAt, r.closedAt ?? '-', r.openSeconds])).toEqual([
      ['closed', '2026-11-20T09:00:00Z', '2026-11-20T10:00:00Z', 3600],
      ['open', '2026-11-20T14:00:00Z', '-', 0],
    ]);
    stdout = '';
    expect(await main(['backtest', ...files()])).toBe(0);
    expect(stdout).toContain('Exposure episodes');
    expect(stdout).toContain('2 opened, 1 closed, 1 still open');
  });

  it('netwatch exposures after a replay lists what stays open, with how long', async () => {
    expect(await main(['exposures', '--now', '2026-11-20T16:30:00Z', ...files()])).toBe(0);
    expect(stdout).toMatch(/^OPEN FOR\s+KIND\s+RESOURCE/);
    expect(stdout).toContain('2 h 30 min  sg-ingress  sg-0a1b2c3d4e5f60718');
    expect(stdout).toContain('tcp/22 from the whole IPv4 internet');
    expect(stdout.trim().split('\n')).toHaveLength(2);
  });

  it('netwatch exposures --table reads the open episodes the functions keep (dynalite)', async () => {
    // Prepare: the state table as a function leaves it after the opening.
    const dynamo = await startDynalite();
    const previous = process.env['AWS_ENDPOINT_URL_DYNAMODB'];
    try {
      await dynamo.createTable(stateTableDefinition('netwatch-ci-state'));
      const engine = new StateEngine({ store: new DynamoStateStore(dynamo.client, 'netwatch-ci-state') });
      const normalized = normalizeCloudTrailRecord(
        call('AuthorizeSecurityGroupIngress', '2026-11-20T09:00:00Z', 'e1'),
        {},
      );
      if (normalized.kind !== 'changes') throw new Error('not a change');
      await judgeStateful(
        normalized.changes[0]!,
        {},
        { rules: RULES, context: EMPTY_CONTEXT, state: engine },
        emptyClassified(),
      );
      process.env['AWS_ENDPOINT_URL_DYNAMODB'] = dynamo.endpoint;
      // Act
      const code = await main([
        'exposures',
        '--table',
        'netwatch-ci-state',
        '--format',
        'jsonl',
        '--now',
        '2026-11-21T09:00:00Z',
      ]);
      // Assess
      expect(code).toBe(0);
      expect(JSON.parse(stdout.trim())).toMatchObject({
        kind: 'sg-ingress',
        resource: { type: 'AWS::EC2::SecurityGroup', id: 'sg-0a1b2c3d4e5f60718', account: '111122223333' },
        exposure: ['tcp/22 from the whole IPv4 internet'],
        openedAt: '2026-11-20T09:00:00Z',
        openedBy: 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice',
        openSeconds: 86_400,
      });
    } finally {
      if (previous === undefined) delete process.env['AWS_ENDPOINT_URL_DYNAMODB'];
      else process.env['AWS_ENDPOINT_URL_DYNAMODB'] = previous;
      await dynamo.close();
    }
  });
});
