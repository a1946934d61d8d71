import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { eventBridgeSource, eventPatterns, renderEventPatterns } from '../../deploy/event-patterns.ts';
import { RULES } from '../../rules/index.ts';
import { CLOUDTRAIL_API_CALLS } from '../../shared/1-ingest/cloudtrail/index.ts';
import { classifyValue } from '../../shared/4-classify/classify.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { matchesPattern } from '../support/event-pattern.ts';

const root = join(import.meta.dirname, '..', '..');
const committed = JSON.parse(readFileSync(join(root, 'deploy', 'event-patterns.json'), 'utf8')) as ReturnType<
  typeof eventPatterns
>;
const patterns = eventPatterns(RULES);

/** (eventSource, eventName) pairs a CloudTrail pattern admits, read back out of its `$or` branches. */
function admittedCalls(pattern: Record<string, unknown>): string[] {
  const detail = pattern['detail'] as { $or: { eventSource: string[]; eventName: string[] }[] };
  return detail.$or.flatMap((b) => b.eventSource.flatMap((s) => b.eventName.map((n) => `${s} ${n}`))).sort();
}

function readJson(dir: string): { file: string; value: Record<string, unknown> }[] {
  return readdirSync(join(root, 'events', dir))
    .filter((f) => f.endsWith('.json'))
    .map((file) => ({
      file,
      value: JSON.parse(readFileSync(join(root, 'events', dir, file), 'utf8')) as Record<string, unknown>,
    }));
}

function asEventBridgeCloudTrail(record: Record<string, unknown>) {
  return {
    version: '0',
    id: 'e1',
    'detail-type': 'AWS API Call via CloudTrail',
    source: eventBridgeSource(String(record['eventSource'])),
    account: '111122223333',
    time: '2026-11-20T09:15:02Z',
    region: 'eu-west-1',
    resources: [],
    detail: record,
  };
}

const deps = { rules: RULES, context: EMPTY_CONTEXT };

describe('EventBridge patterns generated from the rules', () => {
  it('deploy/event-patterns.json is up to date (npm run generate:deploy)', () => {
    expect(readFileSync(join(root, 'deploy', 'event-patterns.json'), 'utf8')).toBe(renderEventPatterns(RULES));
  });

  it("admits exactly the union of the rules' API calls and the calls the normalizer turns into changes, nothing else", () => {
    // Every network change reaches the state and change management (issue 14), not only what a rule grades.
    const declared = [
      ...new Set(
        [...RULES.flatMap((r) => r.apiCalls), ...CLOUDTRAIL_API_CALLS].flatMap((c) =>
          c.names.map((n) => `${c.source} ${n}`),
        ),
      ),
    ].sort();
    expect(admittedCalls(committed.cloudtrail)).toEqual(declared);
    expect((committed.cloudtrail['source'] as string[]).sort()).toEqual(
      [...new Set(declared.map((d) => eventBridgeSource(d.split(' ')[0] ?? '')))].sort(),
    );
  });

  it.each(RULES.flatMap((r) => r.apiCalls.flatMap((c) => c.names.map((n) => [r.id, c.source, n] as const))))(
    '%s: %s %s matches',
    (_rule, source, name) => {
      const event = asEventBridgeCloudTrail({
        eventSource: source,
        eventName: name,
        eventVersion: '1.09',
        awsRegion: 'eu-west-1',
      });
      expect(matchesPattern(patterns.cloudtrail, event)).toBe(true);
    },
  );

  it('rejects failed calls, read-only calls and names of another service; admits tightening (revokes) for change management', () => {
    const call = (eventSource: string, eventName: string, extra: Record<string, unknown> = {}) =>
      asEventBridgeCloudTrail({ eventSource, eventName, ...extra });
    expect(
      matchesPattern(
        patterns.cloudtrail,
        call('ec2.amazonaws.com', 'AuthorizeSecurityGroupIngress', { errorCode: 'Client.UnauthorizedOperation' }),
      ),
    ).toBe(false);
    expect(matchesPattern(patterns.cloudtrail, call('ec2.amazonaws.com', 'DescribeSecurityGroups'))).toBe(false);
    expect(matchesPattern(patterns.cloudtrail, call('ec2.amazonaws.com', 'RevokeSecurityGroupIngress'))).toBe(true);
    expect(matchesPattern(patterns.cloudtrail, call('ec2.amazonaws.com', 'StopLogging'))).toBe(false);
    expect(matchesPattern(patterns.cloudtrail, call('s3.amazonaws.com', 'CreateBucket'))).toBe(false);
  });

  it('every bundled CloudTrail sample that yields a finding matches; the failed-call sample does not', () => {
    const samples = readJson('cloudtrail');
    expect(samples.length).toBeGreaterThan(50);
    let withFindings = 0;
    for (const { file, value } of samples) {
      const findings = classifyValue(value, { file }, deps).findings;
      const matched = matchesPattern(patterns.cloudtrail, asEventBridgeCloudTrail(value));
      if (findings.length > 0) {
        withFindings += 1;
        expect(matched, `${file} has findings but the pattern drops it`).toBe(true);
      }
      if (value['errorCode'] !== undefined) expect(matched, file).toBe(false);
    }
    expect(withFindings).toBeGreaterThan(40);
  });

  it('every bundled Config sample that yields a finding matches the Config pattern (item, oversized, compliance)', () => {
    for (const { file, value } of readJson('config')) {
      const findings = classifyValue(value, { file }, deps).findings;
      const detailType =
        value['messageType'] === 'ComplianceChangeNotification'
          ? 'Config Rules Compliance Change'
          : 'Config Configuration Item Change';
      const event = {
        version: '0',
        id: 'e2',
        'detail-type': detailType,
        source: 'aws.config',
        account: '111122223333',
        region: 'eu-west-1',
        time: '2026-11-20T09:15:02Z',
        resources: [],
        detail: value,
      };
      if (findings.length > 0) expect(matchesPattern(patterns.config, event), file).toBe(true);
    }
    const unrelated = {
      'detail-type': 'Config Configuration Item Change',
      source: 'aws.config',
      detail: {
        messageType: 'ConfigurationItemChangeNotification',
        configurationItem: { resourceType: 'AWS::S3::Bucket' },
      },
    };
    expect(matchesPattern(patterns.config, unrelated)).toBe(false);
  });

  it('fits EventBridge limits (PutRule EventPattern ≤ 4096 characters)', () => {
    // https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html
    expect(JSON.stringify(committed.cloudtrail).length).toBeLessThanOrEqual(4096);
    expect(JSON.stringify(committed.config).length).toBeLessThanOrEqual(4096);
  });
});
