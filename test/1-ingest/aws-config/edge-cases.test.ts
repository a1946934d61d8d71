import { describe, expect, it } from 'vitest';
import { MalformedInputError } from '../../../shared/platform/errors.ts';
import type { NetworkDelta } from '../../../shared/model/change.ts';
import { normalizeConfigMessage } from '../../../shared/1-ingest/aws-config/index.ts';
import { at, onlyChange, sample } from './fixtures.ts';

const SG = 'sg-0a1b2c3d4e5f60718';

/** The malformed-input error a call throws (fails the test when it does not throw one). */
function malformed(message: unknown, where = {}): MalformedInputError {
  try {
    normalizeConfigMessage(message, where);
  } catch (error) {
    expect(error).toBeInstanceOf(MalformedInputError);
    return error as MalformedInputError;
  }
  throw new Error('expected MalformedInputError');
}

function deltasOf(message: unknown): NetworkDelta[] {
  return onlyChange(normalizeConfigMessage(message, {})).deltas;
}

/** The SSH-world SG sample with its item's configuration and diff swapped for the test's own. */
function sgMessage(ipPermissions: unknown[], changedProperties: Record<string, unknown> | null, status = 'OK') {
  const message = sample('sg-ssh-world-added.json');
  const item = at(message, 'configurationItem');
  at(item, 'configuration')['ipPermissions'] = ipPermissions;
  item['configurationItemStatus'] = status;
  message['configurationItemDiff'] = changedProperties === null ? null : { changedProperties, changeType: 'UPDATE' };
  return message;
}

const world22 = {
  ipProtocol: 'tcp',
  fromPort: 22,
  toPort: 22,
  ipv4Ranges: [{ cidrIp: '0.0.0.0/0' }],
  ipRanges: ['0.0.0.0/0'],
  ipv6Ranges: [],
  userIdGroupPairs: [],
  prefixListIds: [],
};

describe('Config message envelope and malformed input', () => {
  it('a change notification without configurationItem is malformed at /configurationItem, keeping the caller location', () => {
    // Prepare
    const message = sample('sg-ssh-world-added.json');
    delete message['configurationItem'];
    // Act
    const error = malformed(message, { file: 'queue', record: 3, path: '/Message' });
    // Assess
    expect(error.where).toEqual({ file: 'queue', record: 3, path: '/Message/configurationItem' });
    expect(error.describe()).toContain('record #3 at /Message/configurationItem');
  });

  it('an unknown messageType is malformed at /messageType; a non-object message at the root', () => {
    expect(malformed({ messageType: 'ConfigurationItemChangeNotificationV9' }).where.path).toBe('/messageType');
    expect(malformed({ configurationItem: {} }).where.path).toBe('/messageType');
    expect(malformed('not json object').message).toMatch(/not a JSON object/);
  });

  it.each([
    'ScheduledNotification',
    'ConfigurationSnapshotDeliveryCompleted',
    'ConfigurationHistoryDeliveryCompleted',
    'ConfigRulesEvaluationStarted',
  ])('%s is ignored with a reason', (messageType) => {
    const result = normalizeConfigMessage(
      { messageType, notificationCreationTime: '2024-05-14T09:00:00.000Z', awsAccountId: '111122223333' },
      {},
    );
    expect(result).toEqual({ kind: 'ignored', reason: expect.stringContaining('carries no change') as unknown });
  });

  // Issue 11 changed these three from "malformed" to liberal reading: an unreadable permission is skipped and named,
  // the state before the change is read as far as it goes, a missing Region comes from the ARN.
  it('a wrongly typed ipPermissions element is skipped and named; the world-open permission beside it is judged', () => {
    const message = sgMessage([{ ...world22, ipv4Ranges: 'oops' }, world22], null, 'ResourceDiscovered');
    const change = onlyChange(normalizeConfigMessage(message, {}));
    expect(change.skipped).toEqual([expect.stringMatching(/^configuration ipPermissions 0 \(ipv4Ranges\): /)]);
    expect(change.deltas).toContainEqual(
      expect.objectContaining({
        op: 'added',
        permission: expect.objectContaining({
          direction: 'ingress',
          fromPort: 22,
          peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
        }),
      }),
    );
  });

  it('an unreadable permission in the state before the change is left out; the change is judged by what it leaves', () => {
    const bad = { ...world22, ipv4Ranges: [{ cidrIp: 42 }] };
    const message = sgMessage([], {
      'Configuration.IpPermissions.0': { previousValue: bad, updatedValue: null, changeType: 'DELETE' },
    });
    const change = onlyChange(normalizeConfigMessage(message, {}));
    expect(change.deltas).toEqual([]);
    expect(change.skipped).toBeUndefined();
  });

  it('a network item without awsRegion takes it from its ARN (and says so); an unrelated type is ignored first', () => {
    const message = sample('sg-ssh-world-added.json');
    delete at(message, 'configurationItem')['awsRegion'];
    const change = onlyChange(normalizeConfigMessage(message, {}));
    expect(change.region).toBe(String(at(message, 'configurationItem')['ARN']).split(':')[3]);
    expect(change.assumed).toEqual([expect.stringMatching(/^awsRegion missing: [a-z]+-[a-z]+-\d, from the ARN$/)]);
    at(message, 'configurationItem')['resourceType'] = 'AWS::EC2::Instance';
    expect(normalizeConfigMessage(message, {})).toEqual({
      kind: 'ignored',
      reason: 'resource type not network related: AWS::EC2::Instance',
    });
  });

  it('a changedProperties entry with an unknown changeType is malformed at its path', () => {
    const message = sgMessage([world22], {
      'Configuration.IpPermissions.0': { previousValue: null, updatedValue: world22, changeType: 'MOVE' },
    });
    expect(malformed(message).where.path).toBe(
      '/configurationItemDiff/changedProperties/Configuration.IpPermissions.0/changeType',
    );
  });
});

describe('Config item shapes', () => {
  it('array-form configurationItem (pre-1.2 docs format, accountId/arn spellings) is unwrapped', () => {
    // Prepare
    const message = sample('sg-ssh-world-added.json');
    const item = at(message, 'configurationItem');
    item['accountId'] = item['awsAccountId'];
    item['arn'] = item['ARN'];
    delete item['awsAccountId'];
    delete item['ARN'];
    message['configurationItem'] = [item];
    // Act
    const change = onlyChange(normalizeConfigMessage(message, {}));
    // Assess
    expect(change.account).toBe('111122223333');
    expect(change.resource.arn).toBe(`arn:aws:ec2:eu-west-1:111122223333:security-group/${SG}`);
    expect(change.deltas).toEqual([
      expect.objectContaining({ op: 'added', permission: expect.objectContaining({ fromPort: 22 }) as unknown }),
    ]);
  });

  it('configurationItemDiff null: status OK gives no deltas, ResourceDiscovered is judged on its whole state', () => {
    expect(deltasOf(sgMessage([world22], null))).toEqual([]);
    const discovered = deltasOf(sgMessage([world22], null, 'ResourceDiscovered'));
    expect(discovered.filter((d) => d.kind === 'sg-permission' && d.permission.direction === 'ingress')).toEqual([
      expect.objectContaining({
        op: 'added',
        permission: {
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
        },
      }),
    ]);
  });

  it('configurationItemDiff absent (rule invocation shape) behaves like null', () => {
    const message = sgMessage([world22], null);
    delete message['configurationItemDiff'];
    expect(deltasOf(message)).toEqual([]);
  });

  it('string fromPort/toPort ("22") normalize to numbers', () => {
    const stringPorts = { ...world22, fromPort: '22', toPort: '22' };
    const deltas = deltasOf(
      sgMessage([stringPorts], {
        'Configuration.IpPermissions.0': { previousValue: null, updatedValue: stringPorts, changeType: 'CREATE' },
      }),
    );
    expect(deltas).toEqual([
      expect.objectContaining({ permission: expect.objectContaining({ fromPort: 22, toPort: 22 }) as unknown }),
    ]);
  });

  it('the Config item gaining tcp 22 from 0.0.0.0/0 yields exactly the canonical delta CloudTrail yields', () => {
    const message = sgMessage([world22], {
      'Configuration.IpPermissions.0': { previousValue: null, updatedValue: world22, changeType: 'CREATE' },
    });
    const item = at(message, 'configurationItem');
    item['resourceId'] = 'sg-1';
    at(item, 'configuration')['groupId'] = 'sg-1';
    expect(deltasOf(message)).toEqual([
      {
        kind: 'sg-permission',
        op: 'added',
        groupId: 'sg-1',
        groupName: 'bastion-sg',
        permission: {
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 22,
          toPort: 22,
          peer: { kind: 'cidr4', cidr: '0.0.0.0/0' },
        },
      },
    ]);
  });

  it('legacy ipRanges strings alone count; ipRanges + ipv4Ranges together count once', () => {
    const legacy = {
      ipProtocol: 'tcp',
      fromPort: 3389,
      toPort: 3389,
      ipRanges: ['0.0.0.0/0', '10.0.0.0/8'],
      userIdGroupPairs: [],
      prefixListIds: [],
    };
    const deltas = deltasOf(
      sgMessage([legacy], {
        'Configuration.IpPermissions.0': { previousValue: null, updatedValue: legacy, changeType: 'CREATE' },
      }),
    );
    expect(deltas.map((d) => (d.kind === 'sg-permission' ? d.permission.peer : undefined))).toEqual([
      { kind: 'cidr4', cidr: '0.0.0.0/0' },
      { kind: 'cidr4', cidr: '10.0.0.0/8' },
    ]);
    const both = deltasOf(
      sgMessage([world22], {
        'Configuration.IpPermissions.0': { previousValue: null, updatedValue: world22, changeType: 'CREATE' },
      }),
    );
    expect(both).toHaveLength(1);
  });

  it('protocol -1 with -1 ports is "all" without ports; group peers keep userId only across accounts; prefix lists are peers', () => {
    const all = {
      ipProtocol: '-1',
      fromPort: -1,
      toPort: -1,
      userIdGroupPairs: [
        { groupId: 'sg-0same', userId: '111122223333' },
        { groupId: 'sg-0other', userId: '999988887777' },
      ],
      prefixListIds: [{ prefixListId: 'pl-6da54004' }],
      ipv4Ranges: [],
      ipRanges: [],
      ipv6Ranges: [],
    };
    const deltas = deltasOf(
      sgMessage([all], {
        'Configuration.IpPermissions.0': { previousValue: null, updatedValue: all, changeType: 'CREATE' },
      }),
    );
    expect(deltas.map((d) => (d.kind === 'sg-permission' ? d.permission : undefined))).toEqual([
      { direction: 'ingress', protocol: 'all', peer: { kind: 'security-group', groupId: 'sg-0same' } },
      {
        direction: 'ingress',
        protocol: 'all',
        peer: { kind: 'security-group', groupId: 'sg-0other', userId: '999988887777' },
      },
      { direction: 'ingress', protocol: 'all', peer: { kind: 'prefix-list', prefixListId: 'pl-6da54004' } },
    ]);
  });

  it('a deleted SG whose diff holds the whole old configuration removes every permission', () => {
    const message = sample('sg-ssh-world-added.json');
    const item = at(message, 'configurationItem');
    const old = item['configuration'];
    item['configuration'] = null;
    item['configurationItemStatus'] = 'ResourceDeleted';
    message['configurationItemDiff'] = {
      changedProperties: { Configuration: { previousValue: old, updatedValue: null, changeType: 'DELETE' } },
      changeType: 'DELETE',
    };
    const deltas = deltasOf(message);
    expect(deltas.every((d) => d.op === 'removed')).toBe(true);
    expect(deltas).toHaveLength(3);
  });

  it('ResourceNotRecorded gives a change without deltas and a note', () => {
    const message = sample('sg-ssh-world-added.json');
    const item = at(message, 'configurationItem');
    item['configurationItemStatus'] = 'ResourceNotRecorded';
    item['configuration'] = null;
    message['configurationItemDiff'] = null;
    const change = onlyChange(normalizeConfigMessage(message, {}));
    expect(change.deltas).toEqual([]);
    expect(change.notes?.[0]).toMatch(/ResourceNotRecorded/);
  });

  it('resource types match case-insensitively and are reported canonically', () => {
    const message = sample('sg-ssh-world-added.json');
    at(message, 'configurationItem')['resourceType'] = 'AWS::EC2::SECURITYGROUP';
    const change = onlyChange(normalizeConfigMessage(message, {}));
    expect(change.resource.type).toBe('AWS::EC2::SecurityGroup');
    expect(change.id).toBe(`config:AWS::EC2::SecurityGroup/${SG}@2024-05-14T09:21:37.412Z`);
  });
});

describe('Config extractors beyond the samples', () => {
  it('NACL: ICMP type/code go to fromPort/toPort; a deleted entry is removed; egress keeps egress', () => {
    const message = sample('nacl-entry-allow-world.json');
    const entries = at(at(message, 'configurationItem'), 'configuration')['entries'] as Array<Record<string, unknown>>;
    const icmp = {
      cidrBlock: '10.0.0.0/8',
      egress: true,
      icmpTypeCode: { code: -1, type: 8 },
      ipv6CidrBlock: null,
      portRange: null,
      protocol: '1',
      ruleAction: 'allow',
      ruleNumber: 120,
    };
    const removedEntry = entries.splice(3, 1)[0];
    entries.push(icmp);
    message['configurationItemDiff'] = {
      changeType: 'UPDATE',
      changedProperties: {
        'Configuration.Entries.3': { previousValue: removedEntry, updatedValue: null, changeType: 'DELETE' },
        'Configuration.Entries.4': { previousValue: null, updatedValue: icmp, changeType: 'CREATE' },
      },
    };
    expect(deltasOf(message)).toEqual([
      {
        kind: 'nacl-entry',
        op: 'added',
        naclId: 'acl-0b7c6d5e4f3a21098',
        entry: {
          ruleNumber: 120,
          egress: true,
          action: 'allow',
          protocol: 'icmp',
          cidr: { kind: 'cidr4', value: '10.0.0.0/8' },
          fromPort: 8,
          toPort: -1,
        },
      },
      expect.objectContaining({
        op: 'removed',
        entry: expect.objectContaining({ ruleNumber: 110, cidr: { kind: 'cidr4', value: '0.0.0.0/0' } }) as unknown,
      }),
    ]);
  });

  it('route table discovered reports every route including local; IPv6 ::/0 to an egress-only IGW; prefix-list destination; the subnets using it', () => {
    const message = sample('route-table-default-to-igw.json');
    const item = at(message, 'configurationItem');
    item['configurationItemStatus'] = 'ResourceDiscovered';
    const routes = at(item, 'configuration')['routes'] as unknown[];
    routes.push({
      destinationIpv6CidrBlock: '::/0',
      egressOnlyInternetGatewayId: 'eigw-0123456789abcdef0',
      state: 'active',
      origin: 'CreateRoute',
    });
    routes.push({
      destinationPrefixListId: 'pl-6ea54007',
      gatewayId: 'vpce-0a1b2c3d4e5f6a7b8',
      state: 'active',
      origin: 'CreateRoute',
    });
    message['configurationItemDiff'] = { changedProperties: {}, changeType: 'CREATE' };
    const deltas = deltasOf(message);
    expect(deltas.map((d) => (d.kind === 'route' ? [d.op, d.destination, d.target] : d))).toEqual([
      ['added', { kind: 'cidr4', value: '10.20.0.0/16' }, { kind: 'local', id: 'local' }],
      ['added', { kind: 'cidr4', value: '0.0.0.0/0' }, { kind: 'internet-gateway', id: 'igw-0e1f2a3b4c5d6e7f8' }],
      [
        'added',
        { kind: 'cidr6', value: '::/0' },
        { kind: 'egress-only-internet-gateway', id: 'eigw-0123456789abcdef0' },
      ],
      ['added', { kind: 'prefix-list', value: 'pl-6ea54007' }, { kind: 'vpc-endpoint', id: 'vpce-0a1b2c3d4e5f6a7b8' }],
      {
        kind: 'subnet-association',
        op: 'added',
        table: 'route-table',
        tableId: 'rtb-0d9c8b7a6f5e43210',
        subnetId: 'subnet-0c1d2e3f4a5b6c7d8',
        associationId: 'rtbassoc-0f1e2d3c4b5a69870',
      },
      // Issue 17: the table's VPC (which subnets its main association serves) is kept when the table appears.
      {
        kind: 'binding',
        op: 'added',
        holder: { kind: 'route-table', id: 'rtb-0d9c8b7a6f5e43210' },
        binding: { kind: 'vpc', vpcId: 'vpc-0f1e2d3c4b5a69788' },
      },
    ]);
  });

  it('IGW detached gives a removed attachment; without an attachments field the "Is attached to Vpc" relationship is used', () => {
    const detached = sample('igw-attached.json');
    const config = at(at(detached, 'configurationItem'), 'configuration');
    const attachment = (config['attachments'] as unknown[])[0];
    config['attachments'] = [];
    detached['configurationItemDiff'] = {
      changeType: 'UPDATE',
      changedProperties: {
        'Configuration.Attachments.0': { previousValue: attachment, updatedValue: null, changeType: 'DELETE' },
      },
    };
    expect(deltasOf(detached)).toEqual([
      {
        kind: 'gateway-attachment',
        op: 'removed',
        gateway: { kind: 'internet-gateway', id: 'igw-0e1f2a3b4c5d6e7f8' },
        vpcId: 'vpc-0f1e2d3c4b5a69788',
      },
    ]);

    const byRelationship = sample('igw-attached.json');
    delete at(at(byRelationship, 'configurationItem'), 'configuration')['attachments'];
    byRelationship['configurationItemDiff'] = {
      changeType: 'UPDATE',
      changedProperties: (byRelationship['configurationItemDiff'] as { changedProperties: Record<string, unknown> })
        .changedProperties,
    };
    delete (at(byRelationship, 'configurationItemDiff')['changedProperties'] as Record<string, unknown>)[
      'Configuration.Attachments.0'
    ];
    expect(deltasOf(byRelationship)).toEqual([
      expect.objectContaining({ op: 'added', vpcId: 'vpc-0f1e2d3c4b5a69788' }),
    ]);
  });

  it('VPC endpoint discovered: added with no before; no policy document means full access', () => {
    const message = sample('vpc-endpoint-policy-wildcard.json');
    const item = at(message, 'configurationItem');
    item['configurationItemStatus'] = 'ResourceDiscovered';
    at(item, 'configuration')['policyDocument'] = null;
    message['configurationItemDiff'] = { changedProperties: {}, changeType: 'CREATE' };
    expect(deltasOf(message)).toEqual([
      {
        kind: 'endpoint-policy',
        op: 'added',
        endpointId: 'vpce-0a1b2c3d4e5f6a7b8',
        serviceName: 'com.amazonaws.eu-west-1.s3',
        after: { kind: 'full-access' },
      },
    ]);
  });

  it('VPC endpoint: a reformatted but equal policy is no change; an unreadable old policy is malformed at its diff entry', () => {
    const same = sample('vpc-endpoint-policy-wildcard.json');
    const config = at(at(same, 'configurationItem'), 'configuration');
    const entry = at(at(at(same, 'configurationItemDiff'), 'changedProperties'), 'Configuration.PolicyDocument');
    entry['previousValue'] = JSON.stringify(JSON.parse(config['policyDocument'] as string));
    expect(deltasOf(same)).toEqual([]);
    entry['previousValue'] = '{"Statement": [';
    expect(malformed(same).where.path).toBe(
      '/configurationItemDiff/changedProperties/Configuration.PolicyDocument/previousValue',
    );
  });

  it('endpoint service discovered with acceptance off reports it as added; principal removal is removed', () => {
    const message = sample('endpoint-service-open.json');
    const item = at(message, 'configurationItem');
    item['configurationItemStatus'] = 'ResourceDiscovered';
    message['configurationItemDiff'] = { changedProperties: {}, changeType: 'CREATE' };
    expect(deltasOf(message)).toEqual([
      {
        kind: 'endpoint-service-permission',
        op: 'added',
        serviceId: 'vpce-svc-0f1e2d3c4b5a69788',
        principal: 'arn:aws:iam::444455556666:root',
      },
      { kind: 'endpoint-service-permission', op: 'added', serviceId: 'vpce-svc-0f1e2d3c4b5a69788', principal: '*' },
      {
        kind: 'endpoint-service-acceptance',
        op: 'added',
        serviceId: 'vpce-svc-0f1e2d3c4b5a69788',
        acceptanceRequired: false,
      },
    ]);
  });

  it('peering: pending-acceptance → active is changed/accepted; item deletion is removed/deleted', () => {
    const accepted = sample('peering-pending-cross-account.json');
    const item = at(accepted, 'configurationItem');
    item['configurationItemStatus'] = 'OK';
    at(at(item, 'configuration'), 'status')['code'] = 'active';
    accepted['configurationItemDiff'] = {
      changeType: 'UPDATE',
      changedProperties: {
        'Configuration.Status.Code': {
          previousValue: 'pending-acceptance',
          updatedValue: 'active',
          changeType: 'UPDATE',
        },
      },
    };
    expect(deltasOf(accepted)).toEqual([
      expect.objectContaining({ kind: 'peering', op: 'changed', state: 'accepted' }),
    ]);

    const deleted = sample('peering-pending-cross-account.json');
    at(deleted, 'configurationItem')['configurationItemStatus'] = 'ResourceDeleted';
    at(deleted, 'configurationItem')['configuration'] = null;
    deleted['configurationItemDiff'] = null;
    expect(deltasOf(deleted)).toEqual([
      {
        kind: 'peering',
        op: 'removed',
        connectionId: 'pcx-0a9b8c7d6e5f43210',
        state: 'deleted',
        requester: {},
        accepter: {},
      },
    ]);
  });

  it('trail: validation off and a new bucket are weakenings; deletion is removed/deleted; tags alone give nothing', () => {
    const message = sample('trail-multi-region-off.json');
    const config = at(at(message, 'configurationItem'), 'configuration');
    config['logFileValidationEnabled'] = false;
    config['s3BucketName'] = 'attacker-bucket';
    message['configurationItemDiff'] = {
      changeType: 'UPDATE',
      changedProperties: {
        'Configuration.LogFileValidationEnabled': { previousValue: true, updatedValue: false, changeType: 'UPDATE' },
        'Configuration.S3BucketName': {
          previousValue: 'corp-cloudtrail-111122223333',
          updatedValue: 'attacker-bucket',
          changeType: 'UPDATE',
        },
        'Configuration.IsMultiRegionTrail': { previousValue: false, updatedValue: false, changeType: 'UPDATE' },
      },
    };
    expect(deltasOf(message)).toEqual([
      expect.objectContaining({
        subject: 'trail',
        action: 'updated',
        weakenings: ['log-file validation off', 'destination changed'],
      }),
    ]);

    const deleted = sample('trail-multi-region-off.json');
    at(deleted, 'configurationItem')['configurationItemStatus'] = 'ResourceDeleted';
    at(deleted, 'configurationItem')['configuration'] = null;
    deleted['configurationItemDiff'] = null;
    expect(deltasOf(deleted)).toEqual([
      {
        kind: 'logging',
        op: 'removed',
        subject: 'trail',
        id: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-audit',
        action: 'deleted',
      },
    ]);

    const tags = sample('trail-multi-region-off.json');
    tags['configurationItemDiff'] = {
      changeType: 'UPDATE',
      changedProperties: { 'Tags.owner': { previousValue: null, updatedValue: 'sec', changeType: 'CREATE' } },
    };
    expect(deltasOf(tags)).toEqual([]);
  });

  it('recorder: narrowing the recording group is a weakening while it keeps recording', () => {
    const message = sample('config-recorder-stopped.json');
    const config = at(at(message, 'configurationItem'), 'configuration');
    config['Recording'] = true;
    const group = at(config, 'RecordingGroup');
    group['AllSupported'] = false;
    group['ResourceTypes'] = ['AWS::EC2::Instance'];
    message['configurationItemDiff'] = {
      changeType: 'UPDATE',
      changedProperties: {
        'Configuration.RecordingGroup.AllSupported': { previousValue: true, updatedValue: false, changeType: 'UPDATE' },
        'Configuration.RecordingGroup.ResourceTypes.0': {
          previousValue: null,
          updatedValue: 'AWS::EC2::Instance',
          changeType: 'CREATE',
        },
      },
    };
    expect(deltasOf(message)).toEqual([
      {
        kind: 'logging',
        op: 'changed',
        subject: 'config-recorder',
        id: 'default',
        action: 'updated',
        weakenings: ['all resource types off'],
      },
    ]);
  });

  it('classic ELB discovered internet-facing; subnet discovered with public IPs on', () => {
    const elb = sample('alb-internet-facing-discovered.json');
    const item = at(elb, 'configurationItem');
    item['resourceType'] = 'AWS::ElasticLoadBalancing::LoadBalancer';
    item['resourceId'] = 'legacy-web';
    item['ARN'] = null;
    item['configuration'] = {
      loadBalancerName: 'legacy-web',
      scheme: 'internet-facing',
      dnsname: 'legacy-web-1.eu-west-1.elb.amazonaws.com',
      vpcid: 'vpc-0f1e2d3c4b5a69788',
    };
    const change = onlyChange(normalizeConfigMessage(elb, {}));
    expect(change.resource.vpcId).toBe('vpc-0f1e2d3c4b5a69788');
    expect(change.deltas).toEqual([
      { kind: 'load-balancer', op: 'added', name: 'legacy-web', lbType: 'classic', scheme: 'internet-facing' },
    ]);

    const subnet = sample('subnet-map-public-ip-on.json');
    at(subnet, 'configurationItem')['configurationItemStatus'] = 'ResourceDiscovered';
    subnet['configurationItemDiff'] = { changedProperties: {}, changeType: 'CREATE' };
    expect(deltasOf(subnet)).toEqual([
      // Issue 17: a subnet's VPC is kept when it appears (main route table, internet gateway of its VPC).
      {
        kind: 'binding',
        op: 'added',
        holder: { kind: 'subnet', id: 'subnet-0c1d2e3f4a5b6c7d8' },
        binding: { kind: 'vpc', vpcId: 'vpc-0f1e2d3c4b5a69788' },
      },
      {
        kind: 'subnet-attribute',
        op: 'changed',
        subnetId: 'subnet-0c1d2e3f4a5b6c7d8',
        attribute: 'map-public-ip-on-launch',
        after: true,
      },
    ]);
  });

  it('oversized EventBridge detail without s3DeliverySummary still gives an uninspected change; other types are ignored', () => {
    const message = sample('oversized-sg.json');
    delete message['s3DeliverySummary'];
    expect(deltasOf(message)).toEqual([
      { kind: 'uninspected', op: 'changed', reason: 'oversized', changeType: 'UPDATE' },
    ]);
    at(message, 'configurationItemSummary')['resourceType'] = 'AWS::EC2::Instance';
    expect(normalizeConfigMessage(message, {})).toEqual({
      kind: 'ignored',
      reason: 'resource type not network related: AWS::EC2::Instance',
    });
  });

  it('compliance: kept for any resource type; no old result means no before; a bad complianceType is malformed at its path', () => {
    const message = sample('compliance-restricted-ssh-compliant.json');
    message['resourceType'] = 'AWS::S3::Bucket';
    delete message['oldEvaluationResult'];
    const change = onlyChange(normalizeConfigMessage(message, {}));
    expect(change.resource).toEqual({ type: 'AWS::S3::Bucket', id: SG });
    expect(change.deltas).toEqual([
      { kind: 'compliance', op: 'changed', configRuleName: 'restricted-ssh', after: 'COMPLIANT' },
    ]);
    at(message, 'newEvaluationResult')['complianceType'] = 'MOSTLY_FINE';
    expect(malformed(message).where.path).toBe('/newEvaluationResult/complianceType');
  });
});
