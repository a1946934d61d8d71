import type { NetworkDelta, SgPermissionDelta } from '../../shared/model/change.ts';
import type { Finding } from '../../shared/model/finding.ts';
import { UNAPPROVED, type ApprovalVerdict, type DigestNotice, type Notice } from '../../shared/model/notice.ts';

/** tcp/22 from the whole IPv4 internet on a web security group: the canonical page. */
export function sshWorldDelta(overrides: Partial<SgPermissionDelta> = {}): SgPermissionDelta {
  return {
    kind: 'sg-permission',
    op: 'added',
    groupId: 'sg-0a1b2c3d4e5f60718',
    groupName: 'web-frontend',
    permission: {
      direction: 'ingress',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
    },
    ruleId: 'sgr-0123456789abcdef0',
    ...overrides,
  };
}

/** A realistic sg-open-world finding as the engine emits it (fields the rules engine fills). */
export function sshWorldFinding(overrides: Partial<Finding> = {}): Finding {
  return {
    fingerprint: '4f1c2a9e8b7d6c5e4f3a2b1c0d9e8f7a',
    ruleId: 'sg-open-world',
    title: 'Security group open to the world',
    summary: 'sg-0a1b2c3d4e5f60718 (web-frontend) now allows tcp/22 from 0.0.0.0/0',
    severity: 'high',
    category: 'sg-open-world',
    resource: {
      type: 'AWS::EC2::SecurityGroup',
      id: 'sg-0a1b2c3d4e5f60718',
      name: 'web-frontend',
      vpcId: 'vpc-0fedcba9876543210',
      arn: 'arn:aws:ec2:eu-west-1:111122223333:security-group/sg-0a1b2c3d4e5f60718',
    },
    account: '111122223333',
    region: 'eu-west-1',
    actor: {
      arn: 'arn:aws:sts::111122223333:assumed-role/NetworkAdmin/alice',
      type: 'AssumedRole',
      principalId: 'AROAEXAMPLEID:alice',
      accountId: '111122223333',
      accessKeyId: 'ASIAEXAMPLEKEY000001',
      sessionIssuerArn: 'arn:aws:iam::111122223333:role/NetworkAdmin',
      sourceIp: '203.0.113.10',
      userAgent: 'aws-cli/2.15.30 Python/3.11.8 Linux/6.1',
    },
    api: { source: 'ec2.amazonaws.com', name: 'AuthorizeSecurityGroupIngress' },
    at: '2026-11-20T09:14:03Z',
    source: 'cloudtrail',
    changeId: '9d3a8e5c-2f41-4b7a-8c6d-0e1f2a3b4c5d',
    evidence: [sshWorldDelta()],
    why: [
      'SSH (tcp/22) is reachable from 0.0.0.0/0: the whole IPv4 internet',
      'administrative port: brute force and exploit traffic arrives within minutes',
    ],
    ...overrides,
  };
}

/** A ModifySecurityGroupRules-style change where the before is known (from Config): 10.0.0.0/8 → 0.0.0.0/0. */
export function widenedDelta(): SgPermissionDelta {
  return sshWorldDelta({
    op: 'changed',
    before: {
      direction: 'ingress',
      protocol: 'tcp',
      fromPort: 22,
      toPort: 22,
      peer: { kind: 'cidr4', cidr: '10.0.0.0/8' },
    },
  });
}

export function notice(
  finding: Finding = sshWorldFinding(),
  approval: ApprovalVerdict = UNAPPROVED,
  routes: string[] = ['paging'],
): Notice {
  return { kind: 'finding', finding, approval, routes };
}

export const APPROVED: ApprovalVerdict = {
  state: 'approved',
  approval: {
    ticket: 'CHG0031337',
    description: 'Open SSH for vendor maintenance',
    windowStart: '2026-11-20T09:00:00Z',
    windowEnd: '2026-11-20T11:00:00Z',
    source: 'dynamodb',
  },
  reason: 'covered by CHG0031337 (window 09:00–11:00Z)',
};

/** `count` distinct world-open ingress deltas on consecutive ports (for size tests). */
export function manyDeltas(count: number): NetworkDelta[] {
  return Array.from({ length: count }, (_, i) =>
    sshWorldDelta({
      permission: {
        direction: 'ingress',
        protocol: 'tcp',
        fromPort: 1000 + i,
        toPort: 1000 + i,
        peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
      },
      ruleId: `sgr-${String(i).padStart(17, '0')}`,
    }),
  );
}

/** A storm digest: `count` findings of one rule in a 15-minute window. */
export function digest(count = 12): DigestNotice {
  return {
    kind: 'digest',
    account: '111122223333',
    ruleId: 'sg-open-world',
    windowStart: '2026-11-20T09:00:00Z',
    windowEnd: '2026-11-20T09:15:00Z',
    findings: Array.from({ length: count }, (_, i) =>
      sshWorldFinding({
        fingerprint: `fp${String(i).padStart(30, '0')}`,
        severity: i === 3 ? 'critical' : 'high',
        resource: { type: 'AWS::EC2::SecurityGroup', id: `sg-0000000000000${String(i).padStart(4, '0')}` },
        at: `2026-11-20T09:${String(i % 15).padStart(2, '0')}:00Z`,
      }),
    ),
  };
}
