import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RULES } from '../../rules/index.ts';
import { classifyValue } from '../../shared/4-classify/classify.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { EMPTY_CONTEXT } from '../../shared/model/rule.ts';
import { REPO_ROOT } from '../support/corpus.ts';

/**
 * Endpoint policies that look fenced and are not, through the whole pipeline from the real-shaped CloudTrail record
 * of `ModifyVpcEndpoint`. Whoever can call the API writes every value: a condition that admits anyone, or a Deny that
 * denies nobody, must not hide an Allow of everything to everyone. Before the fix each of these was `info`.
 */
const SAMPLE = join(REPO_ROOT, 'events', 'cloudtrail', 'modify-vpc-endpoint-policy-wildcard.json');
const OPEN = { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' };

function withPolicy(...statements: unknown[]): unknown {
  const record = JSON.parse(readFileSync(SAMPLE, 'utf8')) as { requestParameters: Record<string, unknown> };
  record.requestParameters['policyDocument'] = JSON.stringify({ Version: '2012-10-17', Statement: statements });
  return record;
}

const classify = (record: unknown): Finding[] =>
  classifyValue(record, { file: 'test' }, { rules: RULES, context: EMPTY_CONTEXT }).findings;

describe('endpoint policies an attacker writes', () => {
  it.each([
    ['"any organisation"', [{ ...OPEN, Condition: { StringLike: { 'aws:PrincipalOrgID': '*' } } }]],
    ['"any account\'s role"', [{ ...OPEN, Condition: { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/*' } } }]],
    [
      '"from the whole internet"',
      [{ ...OPEN, Condition: { IpAddress: { 'aws:SourceIp': ['0.0.0.0/1', '128.0.0.0/1'] } } }],
    ],
    [
      'beside a Deny of one harmless action',
      [
        OPEN,
        {
          Effect: 'Deny',
          Principal: '*',
          Action: 's3:PutBucketTagging',
          Resource: '*',
          Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } },
        },
      ],
    ],
    [
      'beside a Deny of one role nobody uses',
      [
        OPEN,
        {
          Effect: 'Deny',
          Principal: '*',
          Action: '*',
          Resource: '*',
          Condition: { ArnEquals: { 'aws:PrincipalArn': 'arn:aws:iam::111122223333:role/nobody' } },
        },
      ],
    ],
  ])('full access %s is graded as full access to everyone', (_name, statements) => {
    // Act
    const findings = classify(withPolicy(...statements));
    // Assess
    expect(findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual(['high endpoint-policy-loosened']);
    expect(findings[0]?.summary).toMatch(/grants everyone full access/);
  });

  it('a real organisation boundary keeps it quiet', () => {
    const findings = classify(
      withPolicy({ ...OPEN, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-a1b2c3d4e5' } } }),
    );
    expect(findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual(['info endpoint-policy-loosened']);
  });
});

describe('endpoint-service principals an attacker writes', () => {
  const PERMS = join(REPO_ROOT, 'events', 'cloudtrail', 'modify-vpce-service-permissions-add-wildcard.json');
  function allowing(principal: string): unknown {
    const record = JSON.parse(readFileSync(PERMS, 'utf8')) as {
      requestParameters: { ModifyVpcEndpointServicePermissionsRequest: Record<string, unknown> };
    };
    record.requestParameters.ModifyVpcEndpointServicePermissionsRequest['AddAllowedPrincipals'] = {
      tag: 1,
      content: principal,
    };
    return record;
  }

  it.each(['*', ' * ', 'arn:aws:iam::*:root', 'arn:aws:iam::*:*', 'arn:aws:iam::1111222233?3:root'])(
    'allowed principal %j is every AWS account: high, never "one foreign account"',
    (principal) => {
      const findings = classify(allowing(principal));
      expect(findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual(['high endpoint-service-open']);
      expect(findings[0]?.summary).toMatch(/allows every AWS principal/);
    },
  );

  it('one foreign account stays medium', () => {
    const findings = classify(allowing('arn:aws:iam::999988887777:root'));
    expect(findings.map((f) => `${f.severity} ${f.ruleId}`)).toEqual(['medium endpoint-service-open']);
  });
});
