import { snapshotFromItem } from '../../shared/1-ingest/aws-config/index.ts';
import { elementOps, kindOfType, materialize, type ResourceState } from '../../shared/model/state.ts';

/**
 * Real-shaped AWS Config items (the `Describe*` configuration shapes AWS Config records, notification item envelope)
 * for building network topologies in tests: a VPC with an internet gateway, subnets, route tables, network ACLs,
 * security groups, prefix lists and network interfaces. Items go through the Config normalizer's own extractors
 * (`snapshotFromItem`), so a topology built here is what the state step would keep from the same items.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/resource-config-reference.html
 */

export const ACCOUNT = '111122223333';
export const REGION = 'eu-west-1';
export const VPC = 'vpc-0a1b2c3d4e5f60718';
export const CAPTURED = '2026-03-02T08:00:00.000Z';

/** A Config item in the notification shape. */
export interface ConfigItem {
  resourceType: string;
  resourceId: string;
  awsAccountId: string;
  awsRegion: string;
  configurationItemCaptureTime: string;
  configurationItemStatus: string;
  configuration: Record<string, unknown>;
  relationships: { resourceType: string; resourceId: string; name: string }[];
  tags: Record<string, string>;
}

function item(
  resourceType: string,
  resourceId: string,
  configuration: Record<string, unknown>,
  relationships: ConfigItem['relationships'] = [],
  account = ACCOUNT,
  at = CAPTURED,
): ConfigItem {
  return {
    resourceType,
    resourceId,
    awsAccountId: account,
    awsRegion: REGION,
    configurationItemCaptureTime: at,
    configurationItemStatus: 'OK',
    configuration,
    relationships,
    tags: {},
  };
}

/** An internet gateway attached to `vpc` (state `available`, as AWS reports an attached gateway). */
export function igw(id: string, vpc: string | null = VPC): ConfigItem {
  return item('AWS::EC2::InternetGateway', id, {
    internetGatewayId: id,
    attachments: vpc === null ? [] : [{ vpcId: vpc, state: 'available' }],
  });
}

/** An egress-only internet gateway. */
export function eigw(id: string, vpc = VPC): ConfigItem {
  return item('AWS::EC2::EgressOnlyInternetGateway', id, {
    egressOnlyInternetGatewayId: id,
    attachments: [{ vpcId: vpc, state: 'attached' }],
  });
}

export function subnet(id: string, options: { vpc?: string; mapPublicIp?: boolean } = {}): ConfigItem {
  return item('AWS::EC2::Subnet', id, {
    subnetId: id,
    vpcId: options.vpc ?? VPC,
    cidrBlock: '10.0.1.0/24',
    mapPublicIpOnLaunch: options.mapPublicIp ?? false,
    assignIpv6AddressOnCreation: false,
    state: 'available',
  });
}

/** A route: destination (CIDR, IPv6 CIDR or pl-…) → target id (igw-, nat-, eigw-, local, pcx-, tgw-). */
export type RouteSpec = [destination: string, target: string];

function routeShape([destination, target]: RouteSpec): Record<string, unknown> {
  const dest = destination.startsWith('pl-')
    ? { destinationPrefixListId: destination }
    : destination.includes(':')
      ? { destinationIpv6CidrBlock: destination }
      : { destinationCidrBlock: destination };
  const to = target.startsWith('nat-')
    ? { natGatewayId: target }
    : target.startsWith('eigw-')
      ? { egressOnlyInternetGatewayId: target }
      : target.startsWith('tgw-')
        ? { transitGatewayId: target }
        : target.startsWith('pcx-')
          ? { vpcPeeringConnectionId: target }
          : { gatewayId: target };
  return { ...dest, ...to, state: 'active', origin: 'CreateRoute' };
}

export function routeTable(
  id: string,
  routes: RouteSpec[],
  subnets: string[],
  options: { main?: boolean; vpc?: string } = {},
): ConfigItem {
  const associations = [
    ...subnets.map((s, i) => ({
      main: false,
      routeTableAssociationId: `rtbassoc-${id.slice(4, 12)}${String(i).padStart(9, '0')}`,
      routeTableId: id,
      subnetId: s,
      associationState: { state: 'associated' },
    })),
    ...(options.main
      ? [
          {
            main: true,
            routeTableAssociationId: `rtbassoc-${id.slice(4, 12)}main00000`,
            routeTableId: id,
            associationState: { state: 'associated' },
          },
        ]
      : []),
  ];
  return item('AWS::EC2::RouteTable', id, {
    routeTableId: id,
    vpcId: options.vpc ?? VPC,
    routes: [routeShape(['10.0.0.0/16', 'local']), ...routes.map(routeShape)],
    associations,
  });
}

/** A network ACL entry: [rule number, egress, allow|deny, protocol (-1, 6, 17, 1), CIDR, from, to]. */
export type AclEntrySpec = [number, boolean, 'allow' | 'deny', string, string, number?, number?];

/** The default ACL's entries: everything in and out, both families (rule 100). */
export const ALLOW_ALL: AclEntrySpec[] = [
  [100, false, 'allow', '-1', '0.0.0.0/0'],
  [100, true, 'allow', '-1', '0.0.0.0/0'],
  [101, false, 'allow', '-1', '::/0'],
  [101, true, 'allow', '-1', '::/0'],
];

export function nacl(id: string, entries: AclEntrySpec[], subnets: string[], vpc = VPC): ConfigItem {
  return item('AWS::EC2::NetworkAcl', id, {
    networkAclId: id,
    vpcId: vpc,
    isDefault: false,
    entries: [
      ...entries.map(([ruleNumber, egress, action, protocol, cidr, from, to]) => ({
        ruleNumber,
        egress,
        ruleAction: action,
        protocol,
        ...(cidr.includes(':') ? { ipv6CidrBlock: cidr } : { cidrBlock: cidr }),
        ...(from !== undefined ? { portRange: { from, to: to ?? from } } : {}),
      })),
      { ruleNumber: 32767, egress: false, ruleAction: 'deny', protocol: '-1', cidrBlock: '0.0.0.0/0' },
      { ruleNumber: 32767, egress: true, ruleAction: 'deny', protocol: '-1', cidrBlock: '0.0.0.0/0' },
    ],
    associations: subnets.map((s, i) => ({
      networkAclAssociationId: `aclassoc-${id.slice(4, 12)}${String(i).padStart(9, '0')}`,
      networkAclId: id,
      subnetId: s,
    })),
  });
}

/** A security-group ingress rule: [protocol, from, to, source] (source: CIDR, pl-… or sg-…). */
export type RuleSpec = [protocol: string, from: number | undefined, to: number | undefined, source: string];

export function securityGroup(
  id: string,
  ingress: RuleSpec[],
  options: { enis?: string[]; vpc?: string } = {},
): ConfigItem {
  const permission = ([protocol, from, to, source]: RuleSpec) => ({
    ipProtocol: protocol,
    ...(from !== undefined ? { fromPort: from, toPort: to ?? from } : {}),
    ipv4Ranges: !source.includes(':') && /^\d/.test(source) ? [{ cidrIp: source }] : [],
    ipv6Ranges: source.includes(':') ? [{ cidrIpv6: source }] : [],
    prefixListIds: source.startsWith('pl-') ? [{ prefixListId: source }] : [],
    userIdGroupPairs: source.startsWith('sg-') ? [{ groupId: source, userId: ACCOUNT }] : [],
  });
  return item(
    'AWS::EC2::SecurityGroup',
    id,
    {
      groupId: id,
      groupName: id,
      vpcId: options.vpc ?? VPC,
      ipPermissions: ingress.map(permission),
      ipPermissionsEgress: [permission(['-1', undefined, undefined, '0.0.0.0/0'])],
    },
    (options.enis ?? []).map((e) => ({
      resourceType: 'AWS::EC2::NetworkInterface',
      resourceId: e,
      name: 'Is associated with NetworkInterface',
    })),
  );
}

export function prefixList(id: string, cidrs: string[]): ConfigItem {
  return item('AWS::EC2::PrefixList', id, {
    prefixListId: id,
    prefixListName: id,
    addressFamily: 'IPv4',
    maxEntries: 10,
    entries: cidrs.map((cidr) => ({ cidr })),
  });
}

/** A network interface: its subnet, groups and (optionally) a public IP / Elastic IP / IPv6 address. */
export function eni(
  id: string,
  subnetId: string,
  groups: string[],
  options: { publicIp?: string; allocationId?: string; ipv6?: string; instanceId?: string; vpc?: string } = {},
): ConfigItem {
  const association =
    options.publicIp !== undefined
      ? {
          publicIp: options.publicIp,
          ipOwnerId: options.allocationId !== undefined ? ACCOUNT : 'amazon',
          ...(options.allocationId !== undefined
            ? { allocationId: options.allocationId, associationId: `eipassoc-${options.allocationId.slice(9)}` }
            : {}),
        }
      : null;
  return item('AWS::EC2::NetworkInterface', id, {
    networkInterfaceId: id,
    subnetId,
    vpcId: options.vpc ?? VPC,
    groups: groups.map((g) => ({ groupId: g, groupName: g })),
    association,
    privateIpAddress: '10.0.1.10',
    privateIpAddresses: [{ primary: true, privateIpAddress: '10.0.1.10', association }],
    ipv6Addresses: options.ipv6 !== undefined ? [{ ipv6Address: options.ipv6 }] : [],
    attachment:
      options.instanceId !== undefined ? { instanceId: options.instanceId, deviceIndex: 0, status: 'attached' } : null,
    interfaceType: 'interface',
    status: 'in-use',
  });
}

/** The kept state an item describes (what the state step keeps from it). */
export function stateOf(config: ConfigItem): ResourceState {
  const found = snapshotFromItem(config, { file: `${config.resourceType}/${config.resourceId}` });
  const kind = kindOfType(config.resourceType);
  if (found === undefined || kind === undefined) throw new Error(`not a kept type: ${config.resourceType}`);
  const resource = { kind, id: config.resourceId };
  const elements = found.snapshot.deltas
    .flatMap(elementOps)
    .filter((op) => op.put !== undefined && op.resource.kind === kind && op.resource.id === config.resourceId)
    .map((op) => op.put!);
  return materialize(resource, elements);
}

/**
 * The reference topology most tests vary: one VPC with an attached internet gateway; a public subnet (default route
 * to the gateway, ACL allowing everything) holding `eni-public` with a public IP; a private subnet (default route to a
 * NAT gateway) holding `eni-private`; both in `sg-ssh` (tcp/22 from 0.0.0.0/0).
 */
export function referenceItems(): ConfigItem[] {
  return [
    igw('igw-0a1b2c3d4e5f60718'),
    subnet('subnet-0aaa0000000000001'),
    subnet('subnet-0bbb0000000000002'),
    routeTable('rtb-0aaa0000000000001', [['0.0.0.0/0', 'igw-0a1b2c3d4e5f60718']], ['subnet-0aaa0000000000001']),
    routeTable('rtb-0bbb0000000000002', [['0.0.0.0/0', 'nat-0c1d2e3f4a5b60718']], ['subnet-0bbb0000000000002'], {
      main: true,
    }),
    nacl('acl-0aaa0000000000001', ALLOW_ALL, ['subnet-0aaa0000000000001', 'subnet-0bbb0000000000002']),
    securityGroup('sg-0aaa0000000000022', [['tcp', 22, 22, '0.0.0.0/0']]),
    eni('eni-0aaa0000000000001', 'subnet-0aaa0000000000001', ['sg-0aaa0000000000022'], {
      publicIp: '54.217.10.20',
      instanceId: 'i-0aaa0000000000001',
    }),
    eni('eni-0bbb0000000000002', 'subnet-0bbb0000000000002', ['sg-0aaa0000000000022'], {
      instanceId: 'i-0bbb0000000000002',
    }),
  ];
}
