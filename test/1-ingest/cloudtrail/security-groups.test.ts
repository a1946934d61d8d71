import { describe, expect, it } from 'vitest';
import { deltasOf, ignoredReason, malformed, normalize, onlyChange, params, sample } from './fixtures.ts';

describe('CloudTrail security-group calls', () => {
  it('AuthorizeSecurityGroupIngress (old shape): SSH from the world, with the sgr id from the response', () => {
    // Prepare
    const record = sample('authorize-sg-ingress-ssh-world');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource).toEqual({ type: 'AWS::EC2::SecurityGroup', id: 'sg-0a1b2c3d4e5f60718' });
    expect(change.api).toEqual({ source: 'ec2.amazonaws.com', name: 'AuthorizeSecurityGroupIngress' });
    expect(deltasOf(change, 'sg-permission')).toEqual([
      {
        kind: 'sg-permission',
        op: 'added',
        groupId: 'sg-0a1b2c3d4e5f60718',
        permission: {
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
        },
        ruleId: 'sgr-0f1e2d3c4b5a69788',
      },
    ]);
  });

  it('flattens one delta per (permission × peer): CIDRs, IPv6, group pair, prefix list; protocol -1 means all ports', () => {
    // Prepare
    const record = sample('authorize-sg-ingress-multi-peer');
    // Act
    const deltas = deltasOf(onlyChange(normalize(record)), 'sg-permission');
    // Assess
    expect(
      deltas.map((d) => [
        d.permission.protocol,
        d.permission.fromPort,
        d.permission.toPort,
        d.permission.peer,
        d.ruleId,
      ]),
    ).toEqual([
      ['tcp', 443, 443, { kind: 'cidr4', cidr: '10.20.0.0/16' }, 'sgr-01aa000000000001a'],
      ['tcp', 443, 443, { kind: 'cidr4', cidr: '192.0.2.0/24' }, 'sgr-01aa000000000002b'],
      ['tcp', 443, 443, { kind: 'cidr6', cidr: '2001:db8:1234::/48' }, 'sgr-01aa000000000003c'],
      ['tcp', 5432, 5432, { kind: 'security-group', groupId: 'sg-0c3d4e5f607182930' }, 'sgr-01aa000000000004d'],
      [
        'all',
        undefined,
        undefined,
        { kind: 'prefix-list', prefixListId: 'pl-0a1b2c3d4e5f6a7b8' },
        'sgr-01aa000000000005e',
      ],
    ]);
  });

  it('reads the flat legacy form (cidrIp, string fromPort) next to an empty ipPermissions', () => {
    // Prepare
    const record = sample('authorize-sg-ingress-flat-legacy');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'sg-permission');
    // Assess
    expect(delta?.permission).toEqual({
      direction: 'ingress',
      protocol: 'tcp',
      fromPort: 443,
      toPort: 443,
      peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
    });
  });

  it('reads the flat legacy source-group form (sourceSecurityGroupName/OwnerId) as a group peer on all ports', () => {
    // Prepare
    const record = sample('authorize-sg-ingress-flat-legacy');
    const p = params(record);
    delete p['cidrIp'];
    delete p['ipProtocol'];
    delete p['fromPort'];
    delete p['toPort'];
    p['sourceSecurityGroupName'] = 'bastion';
    p['sourceSecurityGroupOwnerId'] = '111122223333';
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'sg-permission');
    // Assess
    expect(delta?.permission).toEqual({
      direction: 'ingress',
      protocol: 'all',
      peer: { kind: 'security-group', groupId: 'bastion' },
    });
  });

  it('reads the wrapped AuthorizeSecurityGroupIngressRequest shape ({tag} members, single member without array)', () => {
    // Prepare
    const record = sample('authorize-sg-ingress-wrapped-rdp-world');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource.id).toBe('sg-0e5f60718293a4b5c');
    expect(deltasOf(change, 'sg-permission').map((d) => d.permission)).toEqual([
      {
        direction: 'ingress',
        protocol: 'tcp',
        fromPort: 3389,
        toPort: 3389,
        peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
      },
      { direction: 'ingress', protocol: 'tcp', fromPort: 3389, toPort: 3389, peer: { kind: 'cidr6', cidr: '::/0' } },
    ]);
  });

  it('AuthorizeSecurityGroupEgress: egress allow-all has no ports', () => {
    // Prepare
    const record = sample('authorize-sg-egress-all');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'sg-permission');
    // Assess
    expect(delta).toMatchObject({
      op: 'added',
      permission: { direction: 'egress', protocol: 'all', peer: { kind: 'cidr4', cidr: '0.0.0.0/0' } },
    });
    expect(delta?.permission.fromPort).toBeUndefined();
  });

  it('RevokeSecurityGroupIngress: removed', () => {
    // Prepare
    const record = sample('revoke-sg-ingress-ssh-world');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'sg-permission');
    // Assess
    expect(delta).toMatchObject({
      op: 'removed',
      permission: { direction: 'ingress', protocol: 'tcp', fromPort: 22, toPort: 22, peer: { cidr: '0.0.0.0/0' } },
    });
  });

  it('RevokeSecurityGroupEgress by rule id: the rule comes from revokedSecurityGroupRuleSet', () => {
    // Prepare
    const record = sample('revoke-sg-egress-by-rule-id');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'sg-permission');
    // Assess
    expect(delta).toEqual({
      kind: 'sg-permission',
      op: 'removed',
      groupId: 'sg-0f60718293a4b5c6d',
      permission: { direction: 'egress', protocol: 'all', peer: { kind: 'cidr4', cidr: '0.0.0.0/0' } },
      ruleId: 'sgr-0718293a4b5c6d7e8',
    });
  });

  it('RevokeSecurityGroupEgress by rule id without response details: a change with no deltas and a note', () => {
    // Prepare
    const record = sample('revoke-sg-egress-by-rule-id');
    record['responseElements'] = { requestId: 'r', _return: true };
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.deltas).toEqual([]);
    expect(change.notes?.join(' ')).toContain('sgr-0718293a4b5c6d7e8');
  });

  it('ModifySecurityGroupRules (wrapped, single member): changed, direction assumed ingress and noted', () => {
    // Prepare
    const record = sample('modify-sg-rules-wrapped-world');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(deltasOf(change, 'sg-permission')).toEqual([
      {
        kind: 'sg-permission',
        op: 'changed',
        groupId: 'sg-0a1b2c3d4e5f60718',
        permission: {
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
        },
        ruleId: 'sgr-0f1e2d3c4b5a69788',
      },
    ]);
    expect(change.notes).toEqual(['direction of sgr-0f1e2d3c4b5a69788 not logged by CloudTrail; assumed ingress']);
  });

  it('ModifySecurityGroupRules (wrapped list): IPv6 world and a referenced group', () => {
    // Prepare
    const record = sample('modify-sg-rules-wrapped-list');
    // Act
    const deltas = deltasOf(onlyChange(normalize(record)), 'sg-permission');
    // Assess
    expect(deltas.map((d) => [d.ruleId, d.permission.fromPort, d.permission.peer])).toEqual([
      ['sgr-01aa000000000003c', 8443, { kind: 'cidr6', cidr: '::/0' }],
      ['sgr-01aa000000000004d', 5432, { kind: 'security-group', groupId: 'sg-0c3d4e5f607182930' }],
    ]);
  });

  it('ModifySecurityGroupRules honours IsEgress when present', () => {
    // Prepare
    const record = sample('modify-sg-rules-wrapped-world');
    const wrapped = params(record)['ModifySecurityGroupRulesRequest'] as {
      SecurityGroupRule: { SecurityGroupRule: Record<string, unknown> };
    };
    wrapped.SecurityGroupRule.SecurityGroupRule['IsEgress'] = true;
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(deltasOf(change, 'sg-permission')[0]?.permission.direction).toBe('egress');
    expect(change.notes).toBeUndefined();
  });

  it('a group named only by groupName (default VPC) uses the name as id', () => {
    // Prepare
    const record = sample('authorize-sg-ingress-ssh-world');
    delete params(record)['groupId'];
    params(record)['groupName'] = 'default';
    record['responseElements'] = { _return: true };
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource).toEqual({ type: 'AWS::EC2::SecurityGroup', id: 'default', name: 'default' });
    expect(deltasOf(change, 'sg-permission')[0]).toMatchObject({ groupId: 'default', groupName: 'default' });
  });

  it('ignores description-only updates, CreateSecurityGroup and _return false', () => {
    // Prepare / Act / Assess
    expect(ignoredReason(normalize(sample('update-sg-rule-descriptions-ingress')))).toContain('description');
    expect(ignoredReason(normalize(sample('create-sg-web')))).toContain('default allow-all egress');
    expect(ignoredReason(normalize(sample('authorize-sg-ingress-return-false')))).toContain('returned false');
  });

  it('missing groupId → MalformedInputError naming the call and the path', () => {
    // Prepare
    const record = sample('authorize-sg-ingress-ssh-world');
    delete params(record)['groupId'];
    // Act
    const error = malformed(record);
    // Assess
    expect(error.message).toContain('AuthorizeSecurityGroupIngress: requestParameters.groupId missing');
    expect(error.where).toEqual({ file: 'test.json', record: 0, path: '/requestParameters/groupId' });
  });

  // Issue 11 changed these from "the record is malformed" to "the part is skipped": one unreadable permission must
  // not hide the world-open one beside it.
  it('a permission with no peer is skipped and named; the world-open permission beside it is still a change', () => {
    // Prepare: a second permission with no peer before the SSH-to-the-world one.
    const record = sample('authorize-sg-ingress-ssh-world');
    const perms = params(record)['ipPermissions'] as { items: Array<Record<string, unknown>> };
    perms.items.unshift({ ipProtocol: 'tcp', fromPort: 3389, toPort: 3389, ipRanges: {} });
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.skipped).toEqual([
      'requestParameters.ipPermissions.items.0: permission has no readable peer (ipRanges, ipv6Ranges, groups or prefixListIds)',
    ]);
    expect(change.deltas).toMatchObject([{ op: 'added', permission: { fromPort: 22, peer: { cidr: '0.0.0.0/0' } } }]);
  });

  it('an ipRanges member without cidrIp is skipped and named; its readable siblings are kept', () => {
    // Prepare
    const record = sample('authorize-sg-ingress-ssh-world');
    const perms = params(record)['ipPermissions'] as {
      items: Array<{ ipRanges: { items: Array<Record<string, unknown>> } }>;
    };
    perms.items[0]!.ipRanges.items.unshift({ description: 'oops' });
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.skipped).toEqual([
      'requestParameters.ipPermissions.items.0.ipRanges.items.0: IPv4 range without cidrIp',
    ]);
    expect(change.deltas).toHaveLength(1);
  });

  it('a permission whose every part is unreadable still fails, naming the parts', () => {
    const record = sample('authorize-sg-ingress-ssh-world');
    const perms = params(record)['ipPermissions'] as { items: Array<Record<string, unknown>> };
    perms.items[0]!['ipRanges'] = {};
    const error = malformed(record);
    expect(error.where.path).toBe('/requestParameters/ipPermissions');
    expect(error.message).toContain('no readable permission: requestParameters.ipPermissions.items.0');
  });

  it('ModifySecurityGroupRules without rules → MalformedInputError in the wrapped request', () => {
    // Prepare
    const record = sample('modify-sg-rules-wrapped-world');
    delete (params(record)['ModifySecurityGroupRulesRequest'] as Record<string, unknown>)['SecurityGroupRule'];
    // Act
    const error = malformed(record);
    // Assess
    expect(error.where.path).toBe('/requestParameters/ModifySecurityGroupRulesRequest/SecurityGroupRule');
  });
});
