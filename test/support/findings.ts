import type { Finding } from '../../shared/model/finding.ts';

/**
 * Findings as the engine produces them for real-shaped changes (the sources and rules live in other branches; the
 * delivery layer is tested from findings onward). Ids follow AWS formats; the actor is an assumed-role session.
 */
export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const SG = 'sg-0a1b2c3d4e5f60718';
export const ALICE = 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice';
export const CI_SESSION = 'arn:aws:sts::111122223333:assumed-role/ci-deploy/GitHubActions-4711';
export const CI_ROLE = 'arn:aws:iam::111122223333:role/ci-deploy';
export const EVENT_ID = '9d3a8e5c-2f41-4b7a-8c6d-0e1f2a3b4c5d';

/** A world-open SSH finding from the CloudTrail AuthorizeSecurityGroupIngress event. */
export function sshWorldFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    fingerprint: '4f1d2c3b4a5968776655443322110000',
    ruleId: 'sg-ingress-open-world',
    title: 'Security group open to the internet',
    summary: `${SG} allows tcp/22 (SSH) from 0.0.0.0/0`,
    severity: 'high',
    category: 'sg-open-world',
    resource: {
      type: 'AWS::EC2::SecurityGroup',
      id: SG,
      arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${SG}`,
      vpcId: 'vpc-0f1e2d3c4b5a69788',
      tags: { Environment: 'prod', Team: 'storefront' },
      // Approvals match the tags before the change (issue 12); unchanged here.
      tagsBefore: { Environment: 'prod', Team: 'storefront' },
    },
    account: ACCOUNT,
    region: REGION,
    actor: {
      arn: ALICE,
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEID:alice',
      accountId: ACCOUNT,
      accessKeyId: 'ASIAEXAMPLEKEY',
      sessionIssuerArn: 'arn:aws:iam::111122223333:role/NetworkAdmin',
      sourceIp: '198.51.100.24',
    },
    api: { source: 'ec2.amazonaws.com', name: 'AuthorizeSecurityGroupIngress' },
    at: '2026-11-20T09:15:02Z',
    source: 'cloudtrail',
    changeId: EVENT_ID,
    evidence: [
      {
        kind: 'sg-permission',
        op: 'added',
        groupId: SG,
        permission: {
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
        },
      },
    ],
    why: ['tcp/22 (SSH) reachable from 0.0.0.0/0: high'],
    ...overrides,
  };
}

/** The same change seen by AWS Config: same fingerprint by design, names the CloudTrail event in relatedEvents. */
export function sshWorldConfigFinding(overrides: Partial<Finding> = {}): Finding {
  const base = sshWorldFinding();
  const { actor: _actor, api: _api, ...rest } = base;
  return {
    ...rest,
    source: 'config',
    changeId: `config:AWS::EC2::SecurityGroup/${SG}@2026-11-20T09:16:40.112Z`,
    at: '2026-11-20T09:16:40.112Z',
    related: [EVENT_ID],
    ...overrides,
  };
}

/** A security group widened by the CI deployment role (sg-widened, medium). */
export function ciWidenedFinding(overrides: Partial<Finding> = {}): Finding {
  const base = sshWorldFinding();
  return {
    ...base,
    fingerprint: '9a8b7c6d5e4f30211203f4e5d6c7b8a9',
    ruleId: 'sg-ingress-widened',
    title: 'Security group ingress widened',
    summary: `${SG} tcp/443 widened from 10.0.0.0/16 to 10.0.0.0/8`,
    severity: 'medium',
    category: 'sg-widened',
    actor: {
      arn: CI_SESSION,
      type: 'AssumedRole',
      accountId: ACCOUNT,
      sessionIssuerArn: CI_ROLE,
      accessKeyId: 'ASIACIEXAMPLE',
    },
    changeId: '0b1c2d3e-4f50-4617-8293-a4b5c6d7e8f9',
    evidence: [
      {
        kind: 'sg-permission',
        op: 'added',
        groupId: SG,
        permission: {
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          peer: { kind: 'cidr4', cidr: '10.0.0.0/8' },
        },
      },
    ],
    why: ['ingress widened within private space: medium'],
    ...overrides,
  };
}

/** `n` distinct findings of one rule in one account (a storm: a script opening SSH on many groups). */
export function stormFindings(n: number): Finding[] {
  return Array.from({ length: n }, (_, i) => {
    const id = `sg-0${(0x1000000000000000 + i).toString(16).slice(1)}`;
    return sshWorldFinding({
      fingerprint: `f${i.toString(16).padStart(31, '0')}`,
      resource: { type: 'AWS::EC2::SecurityGroup', id },
      summary: `${id} allows tcp/22 (SSH) from 0.0.0.0/0`,
      changeId: `7c0e${i.toString(16).padStart(4, '0')}-2f41-4b7a-8c6d-0e1f2a3b4c5d`,
      at: new Date(Date.parse('2026-11-20T09:15:02Z') + i * 1000).toISOString(),
    });
  });
}
