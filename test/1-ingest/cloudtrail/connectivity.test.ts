import { describe, expect, it } from 'vitest';
import { deltasOf, ignoredReason, malformed, normalize, onlyChange, params, sample } from './fixtures.ts';

describe('CloudTrail VPC peering calls', () => {
  it('CreateVpcPeeringConnection cross-account: requested, both sides, id from the response', () => {
    // Prepare
    const record = sample('create-vpc-peering-cross-account');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource).toEqual({
      type: 'AWS::EC2::VPCPeeringConnection',
      id: 'pcx-0a1b2c3d4e5f60718',
      vpcId: 'vpc-0123456789abcdef0',
    });
    expect(change.deltas).toEqual([
      {
        kind: 'peering',
        op: 'added',
        connectionId: 'pcx-0a1b2c3d4e5f60718',
        state: 'requested',
        requester: { vpcId: 'vpc-0123456789abcdef0', account: '111122223333', region: 'eu-west-1' },
        accepter: { vpcId: 'vpc-0fedcba9876543210', account: '444455556666', region: 'us-east-1' },
      },
    ]);
  });

  it('CreateVpcPeeringConnection without peerOwnerId/peerRegion defaults the accepter to our account and region', () => {
    // Prepare
    const record = sample('create-vpc-peering-cross-account');
    delete params(record)['peerOwnerId'];
    delete params(record)['peerRegion'];
    record['responseElements'] = { vpcPeeringConnection: { vpcPeeringConnectionId: 'pcx-9' } };
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'peering');
    // Assess
    expect(delta?.accepter).toEqual({ vpcId: 'vpc-0fedcba9876543210', account: '111122223333', region: 'eu-west-1' });
  });

  it('AcceptVpcPeeringConnection: changed/accepted with the requester from the response', () => {
    // Prepare
    const record = sample('accept-vpc-peering');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource.vpcId).toBe('vpc-0123456789abcdef0');
    expect(deltasOf(change, 'peering')[0]).toEqual({
      kind: 'peering',
      op: 'changed',
      connectionId: 'pcx-0b2c3d4e5f6071829',
      state: 'accepted',
      requester: { vpcId: 'vpc-0aaaabbbbccccdddd', account: '999988887777', region: 'eu-central-1' },
      accepter: { vpcId: 'vpc-0123456789abcdef0', account: '111122223333', region: 'eu-west-1' },
    });
  });

  it('DeleteVpcPeeringConnection: removed/deleted', () => {
    // Prepare
    const record = sample('delete-vpc-peering');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'peering');
    // Assess
    expect(delta).toMatchObject({ op: 'removed', state: 'deleted', connectionId: 'pcx-0a1b2c3d4e5f60718' });
  });
});

describe('CloudTrail hybrid connectivity calls', () => {
  it('CreateCustomerGateway: the on-premises address', () => {
    // Prepare / Act
    const change = onlyChange(normalize(sample('create-customer-gateway')));
    // Assess
    expect(change.resource).toEqual({ type: 'AWS::EC2::CustomerGateway', id: 'cgw-0a1b2c3d4e5f60718' });
    expect(change.deltas).toEqual([
      {
        kind: 'hybrid-link',
        op: 'added',
        link: 'customer-gateway',
        id: 'cgw-0a1b2c3d4e5f60718',
        peerAddress: '198.51.100.10',
      },
    ]);
  });

  it('CreateVpnConnection: id from the response, gateways in a note', () => {
    // Prepare / Act
    const change = onlyChange(normalize(sample('create-vpn-connection')));
    // Assess
    expect(change.deltas).toEqual([
      { kind: 'hybrid-link', op: 'added', link: 'vpn-connection', id: 'vpn-0a1b2c3d4e5f60718' },
    ]);
    expect(change.notes?.[0]).toContain('cgw-0a1b2c3d4e5f60718');
  });

  it('AttachVpnGateway / DetachVpnGateway: vpn-gateway-attachment added / removed (a VGW is a hybrid link)', () => {
    // Prepare / Act
    const attach = onlyChange(normalize(sample('attach-vpn-gateway')));
    const detach = onlyChange(normalize(sample('detach-vpn-gateway')));
    // Assess
    expect(attach.resource).toEqual({
      type: 'AWS::EC2::VPNGateway',
      id: 'vgw-0a1b2c3d4e5f60718',
      vpcId: 'vpc-0123456789abcdef0',
    });
    expect(attach.deltas).toEqual([
      {
        kind: 'hybrid-link',
        op: 'added',
        link: 'vpn-gateway-attachment',
        id: 'vgw-0a1b2c3d4e5f60718',
        vpcId: 'vpc-0123456789abcdef0',
      },
    ]);
    expect(deltasOf(detach, 'hybrid-link')[0]?.op).toBe('removed');
  });

  it('CreateTransitGatewayVpcAttachment / DeleteTransitGatewayVpcAttachment (DelTGwVpcAttachReq wrapper)', () => {
    // Prepare / Act
    const created = onlyChange(normalize(sample('create-tgw-vpc-attachment')));
    const deleted = onlyChange(normalize(sample('delete-tgw-vpc-attachment')));
    // Assess
    expect(created.deltas).toEqual([
      {
        kind: 'hybrid-link',
        op: 'added',
        link: 'transit-gateway-vpc-attachment',
        id: 'tgw-attach-0a1b2c3d4e5f60718',
        vpcId: 'vpc-0123456789abcdef0',
      },
    ]);
    expect(deleted.resource).toEqual({
      type: 'AWS::EC2::TransitGatewayAttachment',
      id: 'tgw-attach-0a1b2c3d4e5f60718',
      vpcId: 'vpc-0123456789abcdef0',
    });
    expect(deleted.deltas).toEqual([
      {
        kind: 'hybrid-link',
        op: 'removed',
        link: 'transit-gateway-vpc-attachment',
        id: 'tgw-attach-0a1b2c3d4e5f60718',
        vpcId: 'vpc-0123456789abcdef0',
      },
    ]);
  });

  it('TGW peering: create names the accepter, accept names the requester as the far side', () => {
    // Prepare / Act
    const created = deltasOf(onlyChange(normalize(sample('create-tgw-peering-attachment'))), 'hybrid-link')[0];
    const accepted = deltasOf(onlyChange(normalize(sample('accept-tgw-peering-attachment'))), 'hybrid-link')[0];
    // Assess
    expect(created).toEqual({
      kind: 'hybrid-link',
      op: 'added',
      link: 'transit-gateway-peering',
      id: 'tgw-attach-0c3d4e5f607182930',
      peerAccount: '444455556666',
      peerRegion: 'us-east-1',
    });
    expect(accepted).toEqual({
      kind: 'hybrid-link',
      op: 'changed',
      link: 'transit-gateway-peering',
      id: 'tgw-attach-0d4e5f60718293a4b',
      peerAccount: '999988887777',
      peerRegion: 'ap-southeast-2',
    });
  });

  it('CreateTransitGatewayRoute: default route to an attachment; blackhole routes are ignored', () => {
    // Prepare
    const blackhole = sample('create-tgw-route-default');
    const request = params(blackhole)['CreateTransitGatewayRouteRequest'] as Record<string, unknown>;
    delete request['TransitGatewayAttachmentId'];
    request['Blackhole'] = true;
    // Act
    const change = onlyChange(normalize(sample('create-tgw-route-default')));
    // Assess
    expect(change.resource).toEqual({ type: 'AWS::EC2::TransitGatewayRouteTable', id: 'tgw-rtb-0a1b2c3d4e5f60718' });
    expect(change.deltas).toEqual([
      {
        kind: 'hybrid-link',
        op: 'added',
        link: 'transit-gateway-route',
        id: 'tgw-attach-0c3d4e5f607182930',
        cidr: '0.0.0.0/0',
      },
    ]);
    expect(ignoredReason(normalize(blackhole))).toContain('blackhole');
  });

  it('Direct Connect virtual interfaces: private, public, transit (wrapped response), allocated to another account', () => {
    // Prepare / Act
    const vifs = [
      'dx-create-private-vif',
      'dx-create-public-vif',
      'dx-create-transit-vif',
      'dx-allocate-transit-vif-other-account',
    ].map((name) => onlyChange(normalize(sample(name))));
    // Assess
    expect(vifs.map((c) => c.resource.type)).toEqual(Array(4).fill('AWS::DirectConnect::VirtualInterface'));
    expect(vifs.map((c) => c.api?.source)).toEqual(Array(4).fill('directconnect.amazonaws.com'));
    expect(vifs.map((c) => deltasOf(c, 'hybrid-link')[0])).toEqual([
      {
        kind: 'hybrid-link',
        op: 'added',
        link: 'direct-connect-virtual-interface',
        id: 'dxvif-ffabc123',
        peerAddress: '169.254.10.2/30',
      },
      {
        kind: 'hybrid-link',
        op: 'added',
        link: 'direct-connect-virtual-interface',
        id: 'dxvif-ffabc456',
        peerAddress: '203.0.113.2/30',
      },
      {
        kind: 'hybrid-link',
        op: 'added',
        link: 'direct-connect-virtual-interface',
        id: 'dxvif-ffabcabc',
        peerAddress: '169.254.30.2/30',
      },
      {
        kind: 'hybrid-link',
        op: 'added',
        link: 'direct-connect-virtual-interface',
        id: 'dxvif-ffabc789',
        peerAccount: '444455556666',
        peerAddress: '169.254.20.2/30',
      },
    ]);
  });

  it('CreateDirectConnectGatewayAssociation: association id, allowed prefixes noted', () => {
    // Prepare / Act
    const change = onlyChange(normalize(sample('dx-create-gateway-association')));
    // Assess
    expect(change.resource).toEqual({
      type: 'AWS::DirectConnect::Gateway',
      id: '5f6a7b8c-1d2e-4f30-9a4b-5c6d7e8f9a0b',
    });
    expect(deltasOf(change, 'hybrid-link')[0]).toMatchObject({
      op: 'added',
      link: 'direct-connect-gateway-association',
      id: '9c8b7a6f-5e4d-4c3b-8a29-1f0e9d8c7b6a',
    });
    expect(change.notes).toEqual(['allowed prefixes: 10.20.0.0/16']);
  });

  it('CreateTransitGatewayVpcAttachment without an attachment id in the response → MalformedInputError', () => {
    // Prepare
    const record = sample('create-tgw-vpc-attachment');
    record['responseElements'] = { CreateTransitGatewayVpcAttachmentResponse: { requestId: 'r' } };
    // Act
    const error = malformed(record);
    // Assess
    expect(error.where.path).toBe(
      '/responseElements/CreateTransitGatewayVpcAttachmentResponse/transitGatewayVpcAttachment/transitGatewayAttachmentId',
    );
  });
});
