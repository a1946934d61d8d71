import { describe, expect, it } from 'vitest';
import { deltasOf, ignoredReason, malformed, normalize, onlyChange, params, sample } from './fixtures.ts';

describe('CloudTrail network ACL calls', () => {
  it('CreateNetworkAclEntry: ingress allow tcp 0-65535 from the world', () => {
    // Prepare
    const record = sample('create-nacl-entry-ingress-world-allow');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource).toEqual({ type: 'AWS::EC2::NetworkAcl', id: 'acl-0a1b2c3d4e5f60718' });
    expect(deltasOf(change, 'nacl-entry')).toEqual([
      {
        kind: 'nacl-entry',
        op: 'added',
        naclId: 'acl-0a1b2c3d4e5f60718',
        entry: {
          ruleNumber: 90,
          egress: false,
          action: 'allow',
          protocol: 'tcp',
          cidr: { kind: 'cidr4', value: '0.0.0.0/0' },
          fromPort: 0,
          toPort: 65535,
        },
      },
    ]);
  });

  it('ICMP entries keep type in fromPort and code in toPort', () => {
    // Prepare
    const record = sample('create-nacl-entry-icmp-echo');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'nacl-entry');
    // Assess
    expect(delta?.entry).toMatchObject({
      protocol: 'icmp',
      fromPort: 8,
      toPort: -1,
      cidr: { kind: 'cidr4', value: '10.0.0.0/8' },
    });
  });

  it('ReplaceNetworkAclEntry (old shape): changed, no before', () => {
    // Prepare
    const record = sample('replace-nacl-entry-ssh-world');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'nacl-entry');
    // Assess
    expect(delta).toMatchObject({
      op: 'changed',
      entry: { ruleNumber: 100, action: 'allow', protocol: 'tcp', fromPort: 22, toPort: 22 },
    });
    expect(delta?.before).toBeUndefined();
  });

  it('ReplaceNetworkAclEntry (wrapped shape): Protocol "17", PortRange From/To, IPv6 CIDR', () => {
    // Prepare
    const record = sample('replace-nacl-entry-wrapped-ipv6');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'nacl-entry');
    // Assess
    expect(delta?.entry).toEqual({
      ruleNumber: 101,
      egress: false,
      action: 'allow',
      protocol: 'udp',
      cidr: { kind: 'cidr6', value: '::/0' },
      fromPort: 53,
      toPort: 53,
    });
  });

  // Issue 11: the deletion is now a delta (contents unknown, never invented) so nacl-open records it; it was dropped.
  it('DeleteNetworkAclEntry: a removed entry whose contents are unknown (never invented), with a note', () => {
    // Prepare
    const record = sample('delete-nacl-entry');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.deltas).toEqual([
      {
        kind: 'nacl-entry',
        op: 'removed',
        naclId: 'acl-0a1b2c3d4e5f60718',
        entry: { ruleNumber: 50, egress: false, action: 'unknown', protocol: 'unknown' },
      },
    ]);
    expect(change.notes).toEqual(['ingress entry #50 deleted; CloudTrail does not log its contents']);
  });

  it('a bad ruleAction → MalformedInputError at /requestParameters/ruleAction', () => {
    // Prepare
    const record = sample('create-nacl-entry-ingress-world-allow');
    params(record)['ruleAction'] = 'maybe';
    // Act
    const error = malformed(record);
    // Assess
    expect(error.where.path).toBe('/requestParameters/ruleAction');
    expect(error.message).toContain('CreateNetworkAclEntry');
  });
});

describe('CloudTrail route calls', () => {
  it('CreateRoute 0.0.0.0/0 → igw: target kind from the gatewayId prefix', () => {
    // Prepare
    const record = sample('create-route-default-to-igw');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource).toEqual({ type: 'AWS::EC2::RouteTable', id: 'rtb-0a1b2c3d4e5f60718' });
    expect(deltasOf(change, 'route')).toEqual([
      {
        kind: 'route',
        op: 'added',
        routeTableId: 'rtb-0a1b2c3d4e5f60718',
        destination: { kind: 'cidr4', value: '0.0.0.0/0' },
        target: { kind: 'internet-gateway', id: 'igw-0a1b2c3d4e5f60718' },
      },
    ]);
  });

  it('ReplaceRoute: changed, beforeTarget unknown', () => {
    // Prepare
    const record = sample('replace-route-to-igw');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'route');
    // Assess
    expect(delta).toMatchObject({ op: 'changed', target: { kind: 'internet-gateway' } });
    expect(delta?.beforeTarget).toBeUndefined();
  });

  it('IPv6 default to an egress-only IGW, prefix list to a TGW, wrapped NAT route', () => {
    // Prepare
    const v6 = sample('create-route-ipv6-to-eigw');
    const pl = sample('create-route-prefix-list-to-tgw');
    const nat = sample('create-route-wrapped-nat');
    // Act
    const [a] = deltasOf(onlyChange(normalize(v6)), 'route');
    const [b] = deltasOf(onlyChange(normalize(pl)), 'route');
    const [c] = deltasOf(onlyChange(normalize(nat)), 'route');
    // Assess
    expect([a?.destination, a?.target]).toEqual([
      { kind: 'cidr6', value: '::/0' },
      { kind: 'egress-only-internet-gateway', id: 'eigw-0a1b2c3d4e5f60718' },
    ]);
    expect([b?.destination, b?.target]).toEqual([
      { kind: 'prefix-list', value: 'pl-0b2c3d4e5f6a7b8c9' },
      { kind: 'transit-gateway', id: 'tgw-0a1b2c3d4e5f60718' },
    ]);
    expect([c?.routeTableId, c?.target]).toEqual([
      'rtb-0c3d4e5f607182930',
      { kind: 'nat-gateway', id: 'nat-0a1b2c3d4e5f60718' },
    ]);
  });

  it('gatewayId prefixes: vgw → virtual-private-gateway, vpce → vpc-endpoint, local → local', () => {
    // Prepare
    const kinds = ['vgw-0a1b2c3d', 'vpce-0a1b2c3d', 'local'].map((gatewayId) => {
      const record = sample('create-route-default-to-igw');
      params(record)['gatewayId'] = gatewayId;
      // Act
      return deltasOf(onlyChange(normalize(record)), 'route')[0]?.target.kind;
    });
    // Assess
    expect(kinds).toEqual(['virtual-private-gateway', 'vpc-endpoint', 'local']);
  });

  it('other target fields: peering, ENI, instance, carrier, local gateway, core network, vpcEndpointId', () => {
    // Prepare
    const cases: Array<[string, string, string]> = [
      ['vpcPeeringConnectionId', 'pcx-1', 'vpc-peering'],
      ['networkInterfaceId', 'eni-1', 'network-interface'],
      ['instanceId', 'i-1', 'instance'],
      ['carrierGatewayId', 'cagw-1', 'carrier-gateway'],
      ['localGatewayId', 'lgw-1', 'local-gateway'],
      ['coreNetworkArn', 'arn:aws:networkmanager::111122223333:core-network/core-network-1', 'core-network'],
      ['vpcEndpointId', 'vpce-1', 'vpc-endpoint'],
    ];
    for (const [field, id, kind] of cases) {
      const record = sample('create-route-default-to-igw');
      delete params(record)['gatewayId'];
      params(record)[field] = id;
      // Act
      const [delta] = deltasOf(onlyChange(normalize(record)), 'route');
      // Assess
      expect(delta?.target).toEqual({ kind, id });
    }
  });

  it('DeleteRoute: removed, target unknown', () => {
    // Prepare
    const record = sample('delete-route');
    // Act
    const [delta] = deltasOf(onlyChange(normalize(record)), 'route');
    // Assess
    expect(delta).toEqual({
      kind: 'route',
      op: 'removed',
      routeTableId: 'rtb-0a1b2c3d4e5f60718',
      destination: { kind: 'cidr4', value: '0.0.0.0/0' },
      target: { kind: 'unknown' },
    });
  });

  it('CreateRoute without a target or destination → MalformedInputError', () => {
    // Prepare
    const noTarget = sample('create-route-default-to-igw');
    delete params(noTarget)['gatewayId'];
    const noDestination = sample('create-route-default-to-igw');
    delete params(noDestination)['destinationCidrBlock'];
    // Act
    const a = malformed(noTarget);
    const b = malformed(noDestination);
    // Assess
    expect(a.message).toContain('CreateRoute: no route target');
    expect(b.where.path).toBe('/requestParameters/destinationCidrBlock');
  });
});

describe('CloudTrail gateway calls', () => {
  it('AttachInternetGateway / DetachInternetGateway → gateway-attachment added / removed', () => {
    // Prepare
    const attach = sample('attach-igw');
    const detach = sample('detach-igw');
    // Act
    const a = onlyChange(normalize(attach));
    const d = onlyChange(normalize(detach));
    // Assess
    expect(a.resource).toEqual({
      type: 'AWS::EC2::InternetGateway',
      id: 'igw-0a1b2c3d4e5f60718',
      vpcId: 'vpc-0123456789abcdef0',
    });
    expect(a.deltas).toEqual([
      {
        kind: 'gateway-attachment',
        op: 'added',
        gateway: { kind: 'internet-gateway', id: 'igw-0a1b2c3d4e5f60718' },
        vpcId: 'vpc-0123456789abcdef0',
      },
    ]);
    expect(deltasOf(d, 'gateway-attachment')[0]?.op).toBe('removed');
  });

  it('CreateEgressOnlyInternetGateway (wrapped) → egress-only gateway attached to its VPC', () => {
    // Prepare
    const record = sample('create-egress-only-igw');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource.type).toBe('AWS::EC2::EgressOnlyInternetGateway');
    expect(change.deltas).toEqual([
      {
        kind: 'gateway-attachment',
        op: 'added',
        gateway: { kind: 'egress-only-internet-gateway', id: 'eigw-0a1b2c3d4e5f60718' },
        vpcId: 'vpc-0123456789abcdef0',
      },
    ]);
  });

  it('CreateInternetGateway is ignored; AttachInternetGateway without vpcId is malformed', () => {
    // Prepare
    const attach = sample('attach-igw');
    delete params(attach)['vpcId'];
    // Act / Assess
    expect(ignoredReason(normalize(sample('create-igw')))).toContain('unattached');
    expect(malformed(attach).message).toBe('AttachInternetGateway: requestParameters.vpcId missing');
  });
});

describe('CloudTrail subnet and load-balancer calls', () => {
  it('ModifySubnetAttribute {value: true} and wrapped {Value: true}', () => {
    // Prepare
    const old = sample('modify-subnet-map-public-ip');
    const wrapped = sample('modify-subnet-wrapped-ipv6');
    // Act
    const a = onlyChange(normalize(old));
    const b = onlyChange(normalize(wrapped));
    // Assess
    expect(a.resource).toEqual({ type: 'AWS::EC2::Subnet', id: 'subnet-0a1b2c3d4e5f60718' });
    expect(a.deltas).toEqual([
      {
        kind: 'subnet-attribute',
        op: 'changed',
        subnetId: 'subnet-0a1b2c3d4e5f60718',
        attribute: 'map-public-ip-on-launch',
        after: true,
      },
    ]);
    expect(b.deltas).toEqual([
      {
        kind: 'subnet-attribute',
        op: 'changed',
        subnetId: 'subnet-0b2c3d4e5f6071829',
        attribute: 'assign-ipv6-on-creation',
        after: true,
      },
    ]);
  });

  it('ModifySubnetAttribute of an unrelated attribute is ignored', () => {
    // Prepare
    const record = sample('modify-subnet-map-public-ip');
    delete params(record)['mapPublicIpOnLaunch'];
    params(record)['enableDns64'] = { value: true };
    // Act / Assess
    expect(ignoredReason(normalize(record))).toContain('ModifySubnetAttribute');
  });

  it('CreateLoadBalancer v2 without scheme → internet-facing application, resource id = ARN', () => {
    // Prepare
    const record = sample('create-alb-default-scheme');
    // Act
    const change = onlyChange(normalize(record));
    // Assess
    expect(change.resource).toMatchObject({
      type: 'AWS::ElasticLoadBalancingV2::LoadBalancer',
      name: 'shop-public',
      vpcId: 'vpc-0123456789abcdef0',
    });
    expect(change.resource.id).toMatch(
      /^arn:aws:elasticloadbalancing:eu-west-1:111122223333:loadbalancer\/app\/shop-public\//,
    );
    expect(deltasOf(change, 'load-balancer')[0]).toMatchObject({
      op: 'added',
      name: 'shop-public',
      lbType: 'application',
      scheme: 'internet-facing',
    });
  });

  it('CreateLoadBalancer v2 internal NLB, and Classic defaulting to internet-facing with a note', () => {
    // Prepare
    const nlb = sample('create-nlb-internal');
    const classic = sample('create-classic-elb');
    // Act
    const a = onlyChange(normalize(nlb));
    const b = onlyChange(normalize(classic));
    // Assess
    expect(deltasOf(a, 'load-balancer')[0]).toMatchObject({ lbType: 'network', scheme: 'internal' });
    expect(b.resource).toEqual({
      type: 'AWS::ElasticLoadBalancing::LoadBalancer',
      id: 'legacy-web',
      name: 'legacy-web',
    });
    expect(deltasOf(b, 'load-balancer')[0]).toEqual({
      kind: 'load-balancer',
      op: 'added',
      name: 'legacy-web',
      lbType: 'classic',
      scheme: 'internet-facing',
    });
    expect(b.notes).toEqual(['scheme not given: AWS default internet-facing']);
  });
});
