import { describe, expect, it } from 'vitest';
import type { NetworkDelta } from '../../../shared/model/change.ts';
import { normalizeConfigMessage } from '../../../shared/1-ingest/aws-config/index.ts';
import type { Normalized } from '../../../shared/1-ingest/normalized.ts';
import { corpusAvailable } from '../../support/corpus.ts';
import { corpusCases } from './fixtures.ts';

/**
 * Every labelled AWS Config sample of the shared corpus (`notification` = the inner message), with what each must
 * yield. Labels say risky/benign; here we pin the normalized content that leads to that verdict.
 */
type Expectation = { ignored: string } | { deltas: (deltas: NetworkDelta[]) => void };

const sgIngress = (op: 'added' | 'removed', cidr: string, port?: number) =>
  expect.objectContaining({
    kind: 'sg-permission',
    op,
    permission: expect.objectContaining({
      direction: 'ingress',
      peer: { kind: cidr.includes(':') ? 'cidr6' : 'cidr4', cidr },
      ...(port !== undefined ? { fromPort: port, toPort: port } : {}),
    }) as unknown,
  }) as unknown;

const EXPECTED: Readonly<Record<string, Expectation>> = {
  'cfg-asec-sns-alb-tags-changed': { deltas: (d) => expect(d).toEqual([]) },
  // Network interfaces are kept since issue 17 (exposure by association): the load balancer's ENI gaining its public
  // IP is a binding, not a finding on its own (benign: nothing says its group is open).
  'cfg-asec-sns-eni-elb-public-ip': {
    deltas: (d) =>
      expect(d).toEqual([
        {
          kind: 'binding',
          op: 'added',
          holder: { kind: 'network-interface', id: 'eni-123123123123' },
          binding: { kind: 'public-address', family: 4, address: '54.111.25.212' },
        },
      ]),
  },
  'cfg-asec-sns-instance-deleted': { ignored: 'resource type not network related: AWS::EC2::Instance' },
  'cfg-asec-sns-instance-stopped': { ignored: 'resource type not network related: AWS::EC2::Instance' },
  'cfg-asec-sns-subnet-ip-count': { deltas: (d) => expect(d).toEqual([]) },
  'cfg-awsdocs-eventbridge-efs-tag-added': { ignored: 'resource type not network related: AWS::EFS::FileSystem' },
  'cfg-awsdocs-oversized-instance': { ignored: 'resource type not network related: AWS::EC2::Instance' },
  'cfg-awsdocs-rule-invocation-instance': { ignored: 'resource type not network related: AWS::EC2::Instance' },
  'cfg-awsdocs-rule-invocation-oversized': { ignored: 'resource type not network related: AWS::EC2::Instance' },
  'cfg-awsdocs-sns-compliance-cloudtrail-enabled': {
    deltas: (d) =>
      expect(d).toEqual([
        {
          kind: 'compliance',
          op: 'changed',
          configRuleName: 'cloudtrail-enabled',
          before: 'NON_COMPLIANT',
          after: 'COMPLIANT',
        },
      ]),
  },
  'cfg-awsdocs-sns-ebs-volume-attached': { ignored: 'resource type not network related: AWS::EC2::VOLUME' },
  'cfg-awsdocs-sns-instance-sg-swapped': { ignored: 'resource type not network related: AWS::EC2::Instance' },
  'cfg-awsdocs-sns-sg-created-empty': {
    // New group: no ingress at all; only AWS's default allow-all egress (legacy ipRanges, ports null).
    deltas: (d) =>
      expect(d).toEqual([
        expect.objectContaining({
          op: 'added',
          permission: { direction: 'egress', protocol: 'all', peer: { kind: 'cidr4', cidr: '0.0.0.0/0' } },
        }),
      ]),
  },
  'cfg-custodian-eventbridge-instance-discovered': { ignored: 'resource type not network related: AWS::EC2::Instance' },
  'cfg-custodian-eventbridge-oversized-ssm': {
    ignored: 'resource type not network related: AWS::SSM::ManagedInstanceInventory',
  },
  'cfg-custodian-rule-invocation-sg-ssh-world-discovered': {
    // No diff, ResourceDiscovered: judged on the whole state; ipv4Ranges + ipRanges count once.
    deltas: (d) => {
      expect(d.filter((x) => x.kind === 'sg-permission' && x.permission.direction === 'ingress')).toEqual([
        sgIngress('added', '0.0.0.0/0', 22),
      ]);
      expect(d).toHaveLength(2);
    },
  },
  'cfg-guardian-sg-443-single-host-added': {
    deltas: (d) => expect(d).toEqual([sgIngress('added', '1.2.3.4/32', 443)]),
  },
  'cfg-guardian-sg-no-diff': { deltas: (d) => expect(d).toEqual([]) },
  'cfg-guardian-sg-relationship-removed': { deltas: (d) => expect(d).toEqual([]) },
  'cfg-guardian-sg-ssh-opened-world-v4-v6': {
    deltas: (d) =>
      expect(d).toEqual([
        sgIngress('added', '0.0.0.0/0', 22),
        sgIngress('added', '::/0', 22),
        sgIngress('removed', '77.91.250.235/32', 22),
      ]),
  },
};

const cases = corpusCases();

describe.skipIf(!corpusAvailable('Config corpus'))('Config corpus (../shared/corpus/config)', () => {
  it('has an expectation for every corpus case', () => {
    expect(cases.map((c) => c.id).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(cases.map((c) => [c.id, c] as const))('%s', (id, c) => {
    // Prepare
    const expectation = EXPECTED[id];
    if (expectation === undefined) throw new Error(`no expectation for corpus case ${id}`);
    // Act
    const result: Normalized = normalizeConfigMessage(structuredClone(c.notification), { file: `${id}.json` });
    // Assess
    if ('ignored' in expectation) {
      expect(result).toEqual({ kind: 'ignored', reason: expectation.ignored });
      return;
    }
    expect(result.kind).toBe('changes');
    if (result.kind !== 'changes') return;
    expect(result.changes).toHaveLength(1);
    expectation.deltas(result.changes[0]!.deltas);
    // A benign-labelled case must never show a world-open ingress being added.
    if (!c.expected.risky) {
      const worldIngress = result.changes[0]!.deltas.filter(
        (x) =>
          x.kind === 'sg-permission' &&
          x.op === 'added' &&
          x.permission.direction === 'ingress' &&
          'cidr' in x.permission.peer &&
          x.permission.peer.cidr.endsWith('/0'),
      );
      expect(worldIngress).toEqual([]);
    }
  });
});
