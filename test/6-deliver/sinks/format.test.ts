import { describe, expect, it } from 'vitest';
import type { NetworkDelta } from '../../../shared/model/change.ts';
import { CATEGORIES } from '../../../shared/model/category.ts';
import { RESOURCE_TYPES } from '../../../shared/model/change.ts';
import { consoleLink } from '../../../shared/6-deliver/sinks/format/console-link.ts';
import { digestKey } from '../../../shared/6-deliver/sinks/format/digest.ts';
import { renderSms } from '../../../shared/6-deliver/sinks/format/sms.ts';
import { renderDelta, renderPorts } from '../../../shared/6-deliver/sinks/format/text.ts';
import { asciiLine, truncateChars, truncateUtf8 } from '../../../shared/6-deliver/sinks/format/truncate.ts';
import { RULES } from '../../../rules/index.ts';
import { whatToCheck } from '../../../shared/6-deliver/sinks/format/what-to-check.ts';
import { NETWORK_CHANGE_RULE } from '../../../shared/4-classify/lifecycle.ts';
import { backoffMs, parseRetryAfter } from '../../../shared/6-deliver/sinks/retry.ts';
import { digest, notice, sshWorldFinding } from '../../support/sink-fixtures.ts';

/** One delta of every kind, with the text a responder should read. */
const CASES: Array<[NetworkDelta, string]> = [
  [
    {
      kind: 'sg-permission',
      op: 'added',
      groupId: 'sg-1',
      permission: {
        direction: 'ingress',
        protocol: 'tcp',
        fromPort: 22,
        toPort: 22,
        peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
      },
    },
    'Security group sg-1: added ingress tcp/22 from 0.0.0.0/0',
  ],
  [
    {
      kind: 'sg-permission',
      op: 'changed',
      groupId: 'sg-1',
      permission: { direction: 'egress', protocol: 'all', peer: { kind: 'cidr6', cidr: '::/0' } },
    },
    'Security group sg-1: rule changed: unknown (the source does not report it) → egress all traffic to ::/0',
  ],
  [
    {
      kind: 'sg-permission',
      op: 'removed',
      groupId: 'sg-1',
      permission: {
        direction: 'ingress',
        protocol: 'udp',
        fromPort: 0,
        toPort: 65535,
        peer: { kind: 'security-group', groupId: 'sg-2', userId: '444455556666' },
      },
    },
    'Security group sg-1: removed ingress udp (all ports) from security group sg-2 (account 444455556666)',
  ],
  [
    {
      kind: 'sg-permission',
      op: 'added',
      groupId: 'sg-1',
      permission: {
        direction: 'ingress',
        protocol: 'icmp',
        fromPort: 8,
        toPort: 0,
        peer: { kind: 'prefix-list', prefixListId: 'pl-6da54004' },
      },
    },
    'Security group sg-1: added ingress icmp type 8 code 0 from prefix list pl-6da54004',
  ],
  [
    {
      kind: 'route',
      op: 'added',
      routeTableId: 'rtb-1',
      destination: { kind: 'cidr4', value: '0.0.0.0/0' },
      target: { kind: 'internet-gateway', id: 'igw-1' },
    },
    'Route table rtb-1: route added 0.0.0.0/0 via internet-gateway igw-1',
  ],
  [
    {
      kind: 'route',
      op: 'changed',
      routeTableId: 'rtb-1',
      destination: { kind: 'cidr4', value: '0.0.0.0/0' },
      target: { kind: 'internet-gateway', id: 'igw-1' },
      beforeTarget: { kind: 'nat-gateway', id: 'nat-1' },
    },
    'Route table rtb-1: route 0.0.0.0/0 re-pointed: nat-gateway nat-1 → internet-gateway igw-1',
  ],
  [
    {
      kind: 'nacl-entry',
      op: 'changed',
      naclId: 'acl-1',
      entry: {
        ruleNumber: 100,
        egress: false,
        action: 'allow',
        protocol: 'tcp',
        cidr: { kind: 'cidr4', value: '0.0.0.0/0' },
        fromPort: 3389,
        toPort: 3389,
      },
      before: {
        ruleNumber: 100,
        egress: false,
        action: 'deny',
        protocol: 'tcp',
        cidr: { kind: 'cidr4', value: '0.0.0.0/0' },
        fromPort: 3389,
        toPort: 3389,
      },
    },
    'Network ACL acl-1: entry replaced: rule #100 ingress deny tcp/3389 from 0.0.0.0/0 → rule #100 ingress allow tcp/3389 from 0.0.0.0/0',
  ],
  [
    { kind: 'gateway-attachment', op: 'added', gateway: { kind: 'internet-gateway', id: 'igw-1' }, vpcId: 'vpc-1' },
    'internet-gateway igw-1 attached to vpc-1',
  ],
  [
    {
      kind: 'endpoint-policy',
      op: 'changed',
      endpointId: 'vpce-1',
      serviceName: 'com.amazonaws.eu-west-1.s3',
      before: {
        kind: 'document',
        statements: [
          {
            effect: 'Allow',
            principals: ['*'],
            actions: ['s3:GetObject'],
            resources: ['arn:aws:s3:::corp-data/*'],
            conditions: [{ operator: 'StringEquals', key: 'aws:PrincipalOrgID', values: ['o-abc'] }],
          },
        ],
      },
      after: { kind: 'full-access' },
    },
    'VPC endpoint vpce-1 (com.amazonaws.eu-west-1.s3): policy changed: 1 statement(s): Allow * s3:GetObject on arn:aws:s3:::corp-data/* if StringEquals aws:PrincipalOrgID=o-abc → full access (AWS default policy)',
  ],
  [
    { kind: 'endpoint-service-permission', op: 'added', serviceId: 'vpce-svc-1', principal: '*' },
    'Endpoint service vpce-svc-1: principal * (everyone) allowed',
  ],
  [
    {
      kind: 'endpoint-service-acceptance',
      op: 'changed',
      serviceId: 'vpce-svc-1',
      acceptanceRequired: false,
      before: true,
    },
    'Endpoint service vpce-svc-1: acceptance required → auto-accept',
  ],
  [
    {
      kind: 'peering',
      op: 'added',
      connectionId: 'pcx-1',
      state: 'requested',
      requester: { vpcId: 'vpc-1', account: '111122223333', region: 'eu-west-1' },
      accepter: { vpcId: 'vpc-9', account: '999988887777', region: 'us-east-1' },
    },
    'VPC peering pcx-1 requested: vpc-1 account 111122223333 eu-west-1 ⇄ vpc-9 account 999988887777 us-east-1',
  ],
  [
    { kind: 'hybrid-link', op: 'added', link: 'transit-gateway-route', id: 'tgw-rtb-1', cidr: '0.0.0.0/0' },
    'transit-gateway-route added: tgw-rtb-1, destination 0.0.0.0/0',
  ],
  [
    {
      kind: 'logging',
      op: 'changed',
      subject: 'trail',
      id: 'org-trail',
      action: 'updated',
      weakenings: ['multi-region off', 'log-file validation off'],
    },
    'trail org-trail updated (weaker: multi-region off, log-file validation off)',
  ],
  [
    {
      kind: 'subnet-attribute',
      op: 'changed',
      subnetId: 'subnet-1',
      attribute: 'map-public-ip-on-launch',
      before: false,
      after: true,
    },
    'Subnet subnet-1: map-public-ip-on-launch false → true',
  ],
  [
    { kind: 'load-balancer', op: 'added', name: 'api', lbType: 'application', scheme: 'internet-facing' },
    'application load balancer api added: internet-facing',
  ],
  [
    {
      kind: 'compliance',
      op: 'changed',
      configRuleName: 'restricted-ssh',
      before: 'COMPLIANT',
      after: 'NON_COMPLIANT',
      annotation: 'port 22 open',
    },
    'Config rule restricted-ssh: COMPLIANT → NON_COMPLIANT (port 22 open)',
  ],
  [
    { kind: 'uninspected', op: 'changed', reason: 'oversized', location: 's3://config-bucket/AWSLogs/x.json.gz' },
    'Change not inspected: the Config item was oversized; full item at s3://config-bucket/AWSLogs/x.json.gz',
  ],
];

describe('human text of deltas', () => {
  it.each(CASES)('renders %#', (delta, text) => {
    expect(renderDelta(delta)).toBe(text);
  });

  it('covers every delta kind', () => {
    expect(new Set(CASES.map(([d]) => d.kind)).size).toBe(14);
  });

  it('renders port ranges the way people say them', () => {
    expect([
      renderPorts('tcp', 8000, 8080),
      renderPorts('tcp'),
      renderPorts('icmpv6', -1, -1),
      renderPorts('50'),
    ]).toEqual(['tcp/8000-8080', 'tcp (all ports)', 'icmpv6 (all types)', '50 (all ports)']);
  });
});

describe('console links', () => {
  it('deep-links each resource type into its regional console page', () => {
    expect(consoleLink({ type: 'AWS::EC2::SecurityGroup', id: 'sg-0a1b2c3d4e5f60718' }, 'eu-west-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/ec2/home?region=eu-west-1#SecurityGroup:groupId=sg-0a1b2c3d4e5f60718',
    );
    expect(consoleLink({ type: 'AWS::EC2::RouteTable', id: 'rtb-1' }, 'eu-west-1')).toBe(
      'https://eu-west-1.console.aws.amazon.com/vpcconsole/home?region=eu-west-1#RouteTableDetails:RouteTableId=rtb-1',
    );
    expect(consoleLink({ type: 'AWS::EC2::NetworkAcl', id: 'acl-1' }, 'eu-west-1')).toContain(
      '#NetworkAclDetails:networkAclId=acl-1',
    );
    expect(consoleLink({ type: 'AWS::EC2::VPCEndpoint', id: 'vpce-1' }, 'eu-west-1')).toContain(
      '#EndpointDetails:vpcEndpointId=vpce-1',
    );
    expect(consoleLink({ type: 'AWS::CloudTrail::Trail', id: 'org-trail' }, 'eu-west-1', '111122223333')).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudtrailv2/home?region=eu-west-1#/trails/arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-trail',
    );
    expect(
      consoleLink({ type: 'AWS::Config::ConfigRule', id: 'config-rule-abc', name: 'restricted-ssh' }, 'eu-west-1'),
    ).toContain('config/home?region=eu-west-1#/rules/details?configRuleName=restricted-ssh');
    expect(consoleLink({ type: 'AWS::EC2::SecurityGroup', id: 'sg-1' }, 'cn-north-1')).toMatch(
      /^https:\/\/console\.amazonaws\.cn\/ec2\//,
    );
    expect(consoleLink({ type: 'AWS::Unknown::Thing', id: 'x y' }, 'eu-west-1')).toContain(
      'cloudtrailv2/home?region=eu-west-1#/events?ResourceName=x%20y',
    );
  });

  it('has a specific page for every known resource type', () => {
    for (const type of RESOURCE_TYPES)
      expect(consoleLink({ type, id: 'id-1' }, 'eu-west-1'), type).not.toContain('#/events?ResourceName=');
  });
});

describe('limits', () => {
  it('has "what to check" guidance for every category: each rule carries its own, the network-change record its', () => {
    // The runbook text moved from a per-category table onto the rules (issue 13): every category still has one.
    for (const category of CATEGORIES) {
      const texts =
        category === 'network-change'
          ? [whatToCheck({ ruleId: NETWORK_CHANGE_RULE })]
          : RULES.filter((r) => r.category === category).map((r) => whatToCheck({ ruleId: r.id }));
      expect(texts.length, category).toBeGreaterThan(0);
      for (const text of texts) expect(text.length, category).toBeGreaterThan(40);
    }
    for (const rule of RULES) expect(whatToCheck({ ruleId: rule.id })).toBe(rule.whatToCheck);
  });

  it('builds ASCII SMS of at most 140 characters even from long, non-ASCII input', () => {
    const long = sshWorldFinding({ resource: { type: 'AWS::EC2::SecurityGroup', id: `sg-${'é'.repeat(200)}` } });
    for (const n of [notice(), notice(long), digest(500)]) {
      const sms = renderSms(n);
      expect(sms.length).toBeLessThanOrEqual(140);
      expect(sms).toMatch(/^[\x20-\x7e]+$/);
    }
  });

  it('truncates without splitting characters and says so', () => {
    expect(truncateChars('😀😀😀😀', 3)).toBe('😀😀…');
    const cut = truncateUtf8('ü'.repeat(100), 50, '[cut]');
    expect(Buffer.byteLength(cut)).toBeLessThanOrEqual(50);
    expect(cut.endsWith('[cut]')).toBe(true);
    expect(asciiLine('a → b\r\nc\u0007', 99)).toBe('a -> b c?');
  });

  it('keys digests stably by account + rule + window', () => {
    expect(digestKey(digest(3))).toBe(digestKey(digest(40)));
    expect(digestKey({ ...digest(3), windowStart: '2026-11-20T09:15:00Z' })).not.toBe(digestKey(digest(3)));
  });
});

describe('retry timing', () => {
  it('parses Retry-After seconds and HTTP dates', () => {
    const now = new Date('2026-11-20T09:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Fri, 20 Nov 2026 09:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });

  it('backs off exponentially under a cap, with full jitter', () => {
    const settings = { baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([0, 1, 2, 3, 4, 10].map((n) => backoffMs(n, settings, () => 0.999))).toEqual([99, 199, 399, 799, 999, 999]);
    expect(backoffMs(3, settings, () => 0)).toBe(0);
  });
});
