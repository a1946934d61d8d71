import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderServerlessParams } from '../../deploy/serverless-params.ts';
import { PARAM_SPECS, PARAMS_SCHEMA, ParamError, parseParams } from '../../deploy/stack/params.ts';
import { renderFlowLogDocs, renderParameterDocs } from '../../scripts/parameter-docs.ts';
import { REPO_ROOT } from '../support/corpus.ts';

const problems = (raw: Record<string, unknown>): string[] => {
  try {
    parseParams(raw, 'prod');
    return [];
  } catch (error) {
    if (error instanceof ParamError) return error.problems;
    throw error;
  }
};

describe('deploy parameters', () => {
  it('says which --param fixes a missing Config source', () => {
    expect(problems({})).toEqual([
      expect.stringMatching(
        /^missing param configTopicArn: set --param=configTopicArn=arn:aws:sns:.* or --param=createConfigTopic=true .* or --param=configSource=eventbridge$/,
      ),
    ]);
    expect(problems({ createConfigTopic: 'true' })).toEqual([]);
    expect(problems({ configSource: 'eventbridge' })).toEqual([]);
  });

  it('lists every problem at once: S3 mode, org mode, private mode, webhook, bad values', () => {
    const found = problems({
      configTopicArn: 'arn:aws:sns:eu-west-1:111122223333:config',
      cloudTrailSource: 's3',
      orgMode: 'true',
      privateMode: 'yes',
      webhookUrl: 'https://x.example.com/h',
      alertEmails: 'oncall@example.com,not-an-email',
      heartbeatHours: '48',
    });
    expect(found).toEqual([
      expect.stringContaining('missing param cloudTrailTopicArn'),
      expect.stringContaining('missing param cloudTrailBucket'),
      expect.stringContaining('missing param webhookSigningSecretParameter'),
      expect.stringContaining('missing param organizationId'),
      'privateMode: expected true or false, found "yes"',
      'alertEmails: "not-an-email" is not valid (example: --param=alertEmails=oncall@example.com,secops@example.com)',
      'heartbeatHours: expected an integer from 1 to 24, found "48"',
    ]);
    expect(
      problems({ configTopicArn: 'arn:aws:sns:eu-west-1:111122223333:config', privateMode: 'true' }).map(
        (p) => p.split(':')[0],
      ),
    ).toEqual(['missing param vpcId', 'missing param privateRouteTableIds', 'missing param privateSubnetIds']);
  });

  it('change management: the inbound endpoint needs its HMAC key parameter; the flags parse', () => {
    const base = { configTopicArn: 'arn:aws:sns:eu-west-1:111122223333:config' };
    expect(problems({ ...base, approvalsInbound: 'true' })).toEqual([
      expect.stringMatching(
        /^missing param approvalsInboundSecretParameter: .* --param=approvalsInboundSecretParameter=\/netwatch\/approvals\/inbound-secret$/,
      ),
    ]);
    expect(problems({ ...base, securityHub: 'maybe' })).toEqual(['securityHub: expected true or false, found "maybe"']);
    const params = parseParams(
      {
        ...base,
        securityHub: 'true',
        approvalsSync: 'true',
        approvalsInbound: 'true',
        approvalsInboundSecretParameter: '/netwatch/approvals/inbound-secret',
      },
      'prod',
    );
    expect(params).toMatchObject({
      securityHub: true,
      approvalsSync: true,
      approvalsInbound: true,
      approvalsInboundSecretParameter: '/netwatch/approvals/inbound-secret',
    });
  });

  it('parses lists, tags and numbers', () => {
    const p = parseParams(
      {
        configTopicArn: 'arn:aws:sns:eu-west-1:111122223333:config',
        alertEmails: ' a@example.com , b@example.com ',
        alertPhones: '+447700900123',
        internalVpcTag: 'network-zone=internal',
        heartbeatHours: 12,
      },
      'prod',
    );
    expect(p).toMatchObject({
      stage: 'prod',
      alertEmails: ['a@example.com', 'b@example.com'],
      alertPhones: ['+447700900123'],
      internalVpcTag: { key: 'network-zone', value: 'internal' },
      heartbeatHours: 12,
      configSource: 'sns',
      cloudTrailSource: 'eventbridge',
      orgMode: false,
      privateMode: false,
      logRetentionDays: 365,
    });
  });

  it('flow logs: endpoints by id need the groups; the old ENI list is refused with what replaces it; formats are checked', () => {
    const base = { configTopicArn: 'arn:aws:sns:eu-west-1:111122223333:config' };
    expect(
      problems({
        ...base,
        privateLinkEndpoints: 'vpce-0123456789abcdef0,eni-0123456789abcdef0',
        trafficEvidence: 'true',
      }),
    ).toEqual([
      'privateLinkEndpoints: "eni-0123456789abcdef0" is not valid (example: --param=privateLinkEndpoints=vpce-0123456789abcdef0,vpce-svc-0123456789abcdef0)',
      expect.stringMatching(/^missing param flowLogGroups: privateLinkEndpoints are analysed/),
      expect.stringMatching(/^missing param flowLogGroups: trafficEvidence queries the flow logs/),
    ]);
    expect(problems({ ...base, flowLogGroups: '/vpc/fl', privateLinkEniIds: 'eni-0123456789abcdef0' })).toEqual([
      expect.stringMatching(/^privateLinkEniIds: replaced by privateLinkEndpoints — name the endpoints/),
    ]);
    expect(problems({ ...base, flowLogGroups: '/vpc/fl', flowLogFormat: '${version} ${srcadr}' })).toEqual([
      expect.stringMatching(/^flowLogFormat: unknown flow-log field "srcadr"/),
    ]);
    const p = parseParams(
      {
        ...base,
        flowLogGroups: '/vpc/flow-logs/prod',
        privateLinkEndpoints: 'vpce-0123456789abcdef0, vpce-svc-0123456789abcdef0',
        trafficEvidence: 'true',
      },
      'prod',
    );
    expect(p).toMatchObject({
      privateLinkEndpoints: ['vpce-0123456789abcdef0', 'vpce-svc-0123456789abcdef0'],
      flowLogFormat: 'auto',
      trafficEvidence: true,
      evidenceDelaySeconds: 600,
      evidenceTimeoutSeconds: 120,
      flowLogRejectThreshold: 100,
    });
  });
});

describe('criticalAccounts (issue 11)', () => {
  it('takes 12-digit account ids, comma-separated, and names a bad one with an example', () => {
    const base = { configTopicArn: 'arn:aws:sns:eu-west-1:111122223333:config' };
    expect(parseParams({ ...base, criticalAccounts: '111122223333, 444455556666' }, 'prod').criticalAccounts).toEqual([
      '111122223333',
      '444455556666',
    ]);
    expect(parseParams(base, 'prod').criticalAccounts).toEqual([]);
    expect(problems({ ...base, criticalAccounts: '1111-2222-3333' })).toEqual([
      'criticalAccounts: "1111-2222-3333" is not valid (example: --param=criticalAccounts=111122223333,444455556666)',
    ]);
  });
});

describe('one parameter table (deploy/stack/params.ts PARAMS) generates serverless.yml, the type and the docs', () => {
  const read = (...path: string[]) => readFileSync(join(REPO_ROOT, ...path), 'utf8');

  it("serverless.yml's params.default and custom.netwatch are what PARAMS generates (npm run generate:deploy)", () => {
    const yml = read('serverless.yml');
    expect(yml).toBe(renderServerlessParams(yml));
    const parsed = parse(yml) as { params: { default: Record<string, string> }; custom: { netwatch: object } };
    expect(Object.keys(parsed.params.default)).toEqual(PARAM_SPECS.map((p) => p.name));
    expect(Object.keys(parsed.custom.netwatch)).toEqual(PARAM_SPECS.map((p) => p.name));
    // The defaults as osls hands them to the plugin give the defaults the validation gives an unset parameter.
    const base = { configTopicArn: 'arn:aws:sns:eu-west-1:111122223333:config' };
    expect(parseParams({ ...parsed.params.default, ...base }, 'prod')).toEqual(parseParams(base, 'prod'));
  });

  it('a stale block is noticed: a hand-added parameter is rewritten away, a removed marker throws', () => {
    const yml = read('serverless.yml');
    const edited = yml.replace('    configSource: sns\n', '    configSource: sns\n    handAdded: x\n');
    expect(edited).not.toBe(yml);
    expect(renderServerlessParams(edited)).toBe(yml);
    expect(() => renderServerlessParams(yml.replace(/# BEGIN generated[^\n]*\n/, ''))).toThrow(/no "default:" block/);
  });

  it('docs/parameters.md and the flow-log table of docs/flow-logs.md are what PARAMS generates (npm run generate:docs)', () => {
    expect(read('docs', 'parameters.md')).toBe(renderParameterDocs());
    const flowLogs = read('docs', 'flow-logs.md');
    expect(flowLogs).toBe(renderFlowLogDocs(flowLogs));
    for (const { name } of PARAM_SPECS) expect(read('docs', 'parameters.md')).toContain(`| \`${name}\` |`);
  });

  it('every parameter has a doc, and the schema checks each one the way parseParams does', () => {
    for (const { name, spec } of PARAM_SPECS) {
      expect(spec.doc.length, name).toBeGreaterThan(10);
      expect(PARAMS_SCHEMA.shape[name as keyof typeof PARAMS_SCHEMA.shape], name).toBe(spec.schema);
    }
    expect(PARAMS_SCHEMA.safeParse({ heartbeatHours: '48' }).error?.issues.map((i) => i.message)).toEqual([
      'expected an integer from 1 to 24, found "48"',
    ]);
  });
});

describe('reconciliation and response parameters (issue 17)', () => {
  const base = { configTopicArn: 'arn:aws:sns:eu-west-1:111122223333:config' };

  it('defaults: daily reconciliation in the stack Region; no response at all, and dry run if it is turned on', () => {
    expect(parseParams(base, 'prod')).toMatchObject({
      reconcileSchedule: 'rate(1 day)',
      reconcileRegions: [],
      respondAccounts: [],
      respondDryRun: true,
      respondGraceMinutes: 15,
      respondCategories: ['sg-open-world', 'route-to-igw'],
    });
    expect(parseParams({ ...base, respondAccounts: 'self,444455556666' }, 'prod')).toMatchObject({
      respondAccounts: ['self', '444455556666'],
      respondDryRun: true,
    });
  });

  it('names a bad account, category, grace period or dry-run value', () => {
    expect(
      problems({
        ...base,
        respondAccounts: 'self,4444',
        respondCategories: 'sg-open-world,nacl-open',
        respondGraceMinutes: '2000',
        respondDryRun: 'maybe',
      }),
    ).toEqual([
      expect.stringMatching(/^respondAccounts: "4444" is not valid/),
      expect.stringMatching(/^respondCategories: "nacl-open" is not valid/),
      'respondDryRun: expected true or false, found "maybe"',
      'respondGraceMinutes: expected an integer from 0 to 1440, found "2000"',
    ]);
  });

  it('reconciliation: a schedule expression or off; an aggregator excludes Regions', () => {
    expect(problems({ ...base, reconcileSchedule: 'daily' })).toEqual([
      expect.stringMatching(/^reconcileSchedule: "daily" is not a schedule expression/),
    ]);
    expect(parseParams({ ...base, reconcileSchedule: 'off' }, 'prod').reconcileSchedule).toBe('off');
    expect(problems({ ...base, reconcileAggregator: 'org-network-aggregator', reconcileRegions: 'eu-west-1' })).toEqual(
      [expect.stringMatching(/^reconcileAggregator and reconcileRegions are exclusive/)],
    );
  });
});
