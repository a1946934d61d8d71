import { describe, expect, it } from 'vitest';
import { normalizeConfigMessage } from '../../../shared/1-ingest/aws-config/index.ts';
import { onlyChange, sample } from './fixtures.ts';

const ACCOUNT = '111122223333';
const SG = 'sg-0a1b2c3d4e5f60718';
const VPC = 'vpc-0f1e2d3c4b5a69788';

/** Hand-built, AWS-shaped notifications (events/config/*.json): one per resource type and scenario. */
describe('Config samples (events/config)', () => {
  it('SG gaining SSH from 0.0.0.0/0 gives exactly that ingress permission, with the event metadata', () => {
    // Prepare
    const message = sample('sg-ssh-world-added.json');
    // Act
    const change = onlyChange(normalizeConfigMessage(message, { file: 'sg-ssh-world-added.json' }));
    // Assess
    expect(change).toMatchObject({
      id: `config:AWS::EC2::SecurityGroup/${SG}@2024-05-14T09:21:37.412Z`,
      source: 'config',
      at: '2024-05-14T09:21:37.412Z',
      account: ACCOUNT,
      region: 'eu-west-1',
      itemStatus: 'OK',
      related: ['16c22eb9-7ee4-5edb-8335-888db019d616'],
      resource: {
        type: 'AWS::EC2::SecurityGroup',
        id: SG,
        name: 'bastion-sg',
        vpcId: VPC,
        tags: { Name: 'bastion', team: 'platform' },
      },
    });
    expect(change.actor).toBeUndefined();
    expect(change.deltas).toEqual([
      {
        kind: 'sg-permission',
        op: 'added',
        groupId: SG,
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

  it('SG permission UPDATE that adds ::/0 gives only the IPv6 peer (the IPv4 one already existed)', () => {
    const change = onlyChange(normalizeConfigMessage(sample('sg-ipv6-world-added.json'), {}));
    expect(change.deltas).toEqual([
      expect.objectContaining({
        op: 'added',
        permission: {
          direction: 'ingress',
          protocol: 'tcp',
          fromPort: 443,
          toPort: 443,
          peer: { kind: 'cidr6', cidr: '::/0' },
        },
      }),
    ]);
  });

  it('SG tag-only change is a change without deltas', () => {
    const change = onlyChange(normalizeConfigMessage(sample('sg-tags-only.json'), {}));
    expect(change.deltas).toEqual([]);
    expect(change.resource.tags).toEqual({ Name: 'bastion', team: 'platform', 'cost-center': 'cc-1234' });
  });

  it('NACL entry allowing SSH from the world is added; the default 32767 rules never appear', () => {
    const change = onlyChange(normalizeConfigMessage(sample('nacl-entry-allow-world.json'), {}));
    expect(change.deltas).toEqual([
      {
        kind: 'nacl-entry',
        op: 'added',
        naclId: 'acl-0b7c6d5e4f3a21098',
        entry: {
          ruleNumber: 110,
          egress: false,
          action: 'allow',
          protocol: 'tcp',
          cidr: { kind: 'cidr4', value: '0.0.0.0/0' },
          fromPort: 22,
          toPort: 22,
        },
      },
    ]);
  });

  it('NACL entry replaced in place (same rule number) is changed, with the entry before', () => {
    const change = onlyChange(normalizeConfigMessage(sample('nacl-entry-replaced.json'), {}));
    expect(change.deltas).toEqual([
      {
        kind: 'nacl-entry',
        op: 'changed',
        naclId: 'acl-0b7c6d5e4f3a21098',
        entry: {
          ruleNumber: 100,
          egress: false,
          action: 'allow',
          protocol: 'tcp',
          cidr: { kind: 'cidr4', value: '0.0.0.0/0' },
          fromPort: 443,
          toPort: 443,
        },
        before: {
          ruleNumber: 100,
          egress: false,
          action: 'allow',
          protocol: 'tcp',
          cidr: { kind: 'cidr4', value: '10.20.0.0/16' },
          fromPort: 443,
          toPort: 443,
        },
      },
    ]);
  });

  it('route table gaining 0.0.0.0/0 → igw gives one added route with an internet-gateway target', () => {
    const change = onlyChange(normalizeConfigMessage(sample('route-table-default-to-igw.json'), {}));
    expect(change.deltas).toEqual([
      {
        kind: 'route',
        op: 'added',
        routeTableId: 'rtb-0d9c8b7a6f5e43210',
        destination: { kind: 'cidr4', value: '0.0.0.0/0' },
        target: { kind: 'internet-gateway', id: 'igw-0e1f2a3b4c5d6e7f8' },
      },
    ]);
  });

  it('default route re-pointed from a NAT gateway to an IGW is changed with beforeTarget', () => {
    const change = onlyChange(normalizeConfigMessage(sample('route-table-nat-to-igw.json'), {}));
    expect(change.deltas).toEqual([
      {
        kind: 'route',
        op: 'changed',
        routeTableId: 'rtb-0d9c8b7a6f5e43210',
        destination: { kind: 'cidr4', value: '0.0.0.0/0' },
        target: { kind: 'internet-gateway', id: 'igw-0e1f2a3b4c5d6e7f8' },
        beforeTarget: { kind: 'nat-gateway', id: 'nat-0a1b2c3d4e5f67890' },
      },
    ]);
  });

  it('IGW attached to a VPC (attachment state "available") gives a gateway attachment', () => {
    const change = onlyChange(normalizeConfigMessage(sample('igw-attached.json'), {}));
    expect(change.deltas).toEqual([
      {
        kind: 'gateway-attachment',
        op: 'added',
        gateway: { kind: 'internet-gateway', id: 'igw-0e1f2a3b4c5d6e7f8' },
        vpcId: VPC,
      },
    ]);
  });

  it('VPC endpoint policy replaced by Principal "*" without the aws:PrincipalOrgID condition: before and after statements', () => {
    const change = onlyChange(normalizeConfigMessage(sample('vpc-endpoint-policy-wildcard.json'), {}));
    expect(change.deltas).toEqual([
      {
        kind: 'endpoint-policy',
        op: 'changed',
        endpointId: 'vpce-0a1b2c3d4e5f6a7b8',
        serviceName: 'com.amazonaws.eu-west-1.s3',
        before: {
          kind: 'document',
          statements: [
            {
              sid: 'OrgOnly',
              effect: 'Allow',
              principals: ['*'],
              actions: ['s3:GetObject', 's3:PutObject'],
              resources: ['arn:aws:s3:::corp-artifacts-111122223333/*'],
              conditions: [{ operator: 'StringEquals', key: 'aws:PrincipalOrgID', values: ['o-a1b2c3d4e5'] }],
            },
          ],
        },
        after: {
          kind: 'document',
          statements: [
            {
              sid: 'AllowAll',
              effect: 'Allow',
              principals: ['*'],
              actions: ['s3:*'],
              resources: ['*'],
              conditions: [],
            },
          ],
        },
      },
    ]);
  });

  it('endpoint service opened to "*" with acceptance turned off gives a permission and an acceptance delta', () => {
    const change = onlyChange(normalizeConfigMessage(sample('endpoint-service-open.json'), {}));
    expect(change.deltas).toEqual([
      { kind: 'endpoint-service-permission', op: 'added', serviceId: 'vpce-svc-0f1e2d3c4b5a69788', principal: '*' },
      {
        kind: 'endpoint-service-acceptance',
        op: 'changed',
        serviceId: 'vpce-svc-0f1e2d3c4b5a69788',
        acceptanceRequired: false,
        before: true,
      },
    ]);
    expect(change.related).toHaveLength(2);
  });

  it('cross-account peering request discovered in pending-acceptance is added/requested with both sides', () => {
    const change = onlyChange(normalizeConfigMessage(sample('peering-pending-cross-account.json'), {}));
    expect(change.itemStatus).toBe('ResourceDiscovered');
    expect(change.deltas).toEqual([
      {
        kind: 'peering',
        op: 'added',
        connectionId: 'pcx-0a9b8c7d6e5f43210',
        state: 'requested',
        requester: { vpcId: VPC, account: ACCOUNT, region: 'eu-west-1' },
        accepter: { vpcId: 'vpc-0aa1bb2cc3dd4ee5f', account: '444455556666', region: 'eu-central-1' },
      },
    ]);
  });

  it('flow log deleted (ResourceDeleted, whole configuration in the diff) gives a flow-log logging delta "deleted"', () => {
    const change = onlyChange(normalizeConfigMessage(sample('flow-log-deleted.json'), {}));
    expect(change.itemStatus).toBe('ResourceDeleted');
    expect(change.deltas).toEqual([
      { kind: 'logging', op: 'removed', subject: 'flow-log', id: 'fl-0b1c2d3e4f5a6b7c8', action: 'deleted' },
    ]);
  });

  it('trail with multi-region turned off is an update with the weakening named', () => {
    const change = onlyChange(normalizeConfigMessage(sample('trail-multi-region-off.json'), {}));
    expect(change.deltas).toEqual([
      {
        kind: 'logging',
        op: 'changed',
        subject: 'trail',
        id: 'arn:aws:cloudtrail:eu-west-1:111122223333:trail/org-audit',
        action: 'updated',
        weakenings: ['multi-region off'],
      },
    ]);
  });

  it('configuration recorder (PascalCase item) with Recording true → false is "stopped"', () => {
    const change = onlyChange(normalizeConfigMessage(sample('config-recorder-stopped.json'), {}));
    expect(change.deltas).toEqual([
      { kind: 'logging', op: 'changed', subject: 'config-recorder', id: 'default', action: 'stopped' },
    ]);
  });

  it('subnet mapPublicIpOnLaunch false → true gives the attribute change', () => {
    const change = onlyChange(normalizeConfigMessage(sample('subnet-map-public-ip-on.json'), {}));
    expect(change.deltas).toEqual([
      {
        kind: 'subnet-attribute',
        op: 'changed',
        subnetId: 'subnet-0c1d2e3f4a5b6c7d8',
        attribute: 'map-public-ip-on-launch',
        before: false,
        after: true,
      },
    ]);
  });

  it('internet-facing ALB discovered gives an added application load balancer', () => {
    const change = onlyChange(normalizeConfigMessage(sample('alb-internet-facing-discovered.json'), {}));
    expect(change.deltas).toEqual([
      {
        kind: 'load-balancer',
        op: 'added',
        name: 'public-web',
        arn: 'arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer/app/public-web/50dc6c495c0c9188',
        lbType: 'application',
        scheme: 'internet-facing',
      },
    ]);
  });

  it('hybrid links: VPN connection and customer gateway discovered, VGW attached, TGW attachment deleted', () => {
    expect(onlyChange(normalizeConfigMessage(sample('vpn-connection-discovered.json'), {})).deltas).toEqual([
      { kind: 'hybrid-link', op: 'added', link: 'vpn-connection', id: 'vpn-0c1d2e3f4a5b6c7d8' },
    ]);
    expect(onlyChange(normalizeConfigMessage(sample('customer-gateway-discovered.json'), {})).deltas).toEqual([
      {
        kind: 'hybrid-link',
        op: 'added',
        link: 'customer-gateway',
        id: 'cgw-0d1e2f3a4b5c6d7e8',
        peerAddress: '203.0.113.17',
      },
    ]);
    expect(onlyChange(normalizeConfigMessage(sample('vpn-gateway-attached.json'), {})).deltas).toEqual([
      { kind: 'hybrid-link', op: 'added', link: 'vpn-gateway-attachment', id: 'vgw-0e1f2a3b4c5d6e7f9', vpcId: VPC },
    ]);
    expect(onlyChange(normalizeConfigMessage(sample('tgw-attachment-deleted.json'), {})).deltas).toEqual([
      {
        kind: 'hybrid-link',
        op: 'removed',
        link: 'transit-gateway-vpc-attachment',
        id: 'tgw-attach-0f1a2b3c4d5e6f708',
        vpcId: VPC,
      },
    ]);
  });

  it('oversized SG notification is an uninspected change with the S3 location and a note', () => {
    const change = onlyChange(normalizeConfigMessage(sample('oversized-sg.json'), { file: 'oversized-sg.json' }));
    expect(change).toMatchObject({
      id: `config:AWS::EC2::SecurityGroup/${SG}@2024-05-27T06:18:44.120Z`,
      resource: { type: 'AWS::EC2::SecurityGroup', id: SG, name: 'bastion-sg' },
      itemStatus: 'OK',
      notes: ['oversized item not inspected; fetch it with GetResourceConfigHistory'],
    });
    expect(change.deltas).toEqual([
      {
        kind: 'uninspected',
        op: 'changed',
        reason: 'oversized',
        changeType: 'UPDATE',
        location: expect.stringMatching(
          /^corp-config-111122223333\/AWSLogs\/.*OversizedChangeNotification\/AWS::EC2::SecurityGroup\/sg-0a1b2c3d4e5f60718\//,
        ) as unknown as string,
      },
    ]);
  });

  it('compliance flip to NON_COMPLIANT for restricted-ssh (SNS form) names rule, before/after and annotation', () => {
    const change = onlyChange(normalizeConfigMessage(sample('compliance-restricted-ssh-noncompliant.json'), {}));
    expect(change).toMatchObject({
      id: `config-compliance:restricted-ssh/AWS::EC2::SecurityGroup/${SG}@2024-05-14T09:22:05.981Z`,
      source: 'config',
      at: '2024-05-14T09:22:05.981Z',
      account: ACCOUNT,
      region: 'eu-west-1',
      resource: { type: 'AWS::EC2::SecurityGroup', id: SG },
    });
    expect(change.deltas).toEqual([
      {
        kind: 'compliance',
        op: 'changed',
        configRuleName: 'restricted-ssh',
        before: 'COMPLIANT',
        after: 'NON_COMPLIANT',
        annotation: 'The security group allows unrestricted incoming SSH traffic (0.0.0.0/0 on port 22).',
      },
    ]);
  });

  it('compliance flip back to COMPLIANT (EventBridge detail form) is the reverse delta', () => {
    const change = onlyChange(normalizeConfigMessage(sample('compliance-restricted-ssh-compliant.json'), {}));
    expect(change.deltas).toEqual([
      {
        kind: 'compliance',
        op: 'changed',
        configRuleName: 'restricted-ssh',
        before: 'NON_COMPLIANT',
        after: 'COMPLIANT',
      },
    ]);
  });
});
