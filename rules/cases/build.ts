import type {
  ChangeEvent,
  ComplianceDelta,
  EndpointPolicyDelta,
  EndpointServiceAcceptanceDelta,
  EndpointServicePermissionDelta,
  GatewayAttachmentDelta,
  HybridLinkDelta,
  LoadBalancerDelta,
  LoggingDelta,
  NaclEntry,
  NaclEntryDelta,
  NetworkDelta,
  PeeringDelta,
  Peer,
  PolicyState,
  ResourceRef,
  RouteDelta,
  RouteTarget,
  SgPermission,
  SgPermissionDelta,
  SubnetAttributeDelta,
} from '../../shared/model/change.ts';
import { parsePolicyDocument } from '../../shared/net/policy-document.ts';

/**
 * Small builders for rule cases: realistic ids and accounts, one line per case, so each rule file shows *what*
 * changed rather than boilerplate. Builders produce normalized {@link ChangeEvent}s only — never raw AWS JSON —
 * because rules read nothing else.
 */

/** The account most cases happen in. */
export const ACCOUNT = '111122223333';
/** A second account of the same organisation (put it in `knownAccounts` to model "inside the org"). */
export const ORG_ACCOUNT = '444455556666';
/** An account outside the organisation. */
export const FOREIGN_ACCOUNT = '777788889999';
export const REGION = 'eu-west-1';
export const VPC = 'vpc-0a1b2c3d4e5f60718';
export const SG = 'sg-0123456789abcdef0';
export const NACL = 'acl-0f1e2d3c4b5a69788';
export const RTB = 'rtb-04c8e2f1a9b7d3e65';
export const IGW = 'igw-0d7c5b3a19e8f2046';
export const VPCE = 'vpce-0b9a8c7d6e5f40312';
export const VPCE_SVC = 'vpce-svc-03e1f5a7c9b2d4e68';

const ACTOR = {
  arn: `arn:aws:sts::${ACCOUNT}:assumed-role/NetworkAdmin/alice@example.com`,
  type: 'AssumedRole',
  accountId: ACCOUNT,
  sessionIssuerArn: `arn:aws:iam::${ACCOUNT}:role/NetworkAdmin`,
  sourceIp: '198.51.100.23',
};

let counter = 0;

/** Options shared by every change builder. */
export interface ChangeOptions {
  source?: 'cloudtrail' | 'config';
  api?: { source: string; name: string };
  account?: string;
  resource?: Partial<ResourceRef>;
}

/** Wrap deltas in a ChangeEvent about `resource`. CloudTrail ids are UUID-shaped; Config ids follow the model. */
export function change(resource: ResourceRef, deltas: NetworkDelta[], options: ChangeOptions = {}): ChangeEvent {
  counter += 1;
  const source = options.source ?? (options.api ? 'cloudtrail' : 'config');
  const at = `2025-03-14T09:${String(counter % 60).padStart(2, '0')}:07Z`;
  const res: ResourceRef = { ...resource, ...options.resource };
  const event: ChangeEvent = {
    id:
      source === 'config'
        ? `config:${res.type}/${res.id}@${at}`
        : `6f1c2b3a-4d5e-4f60-8a7b-${String(counter).padStart(12, '0')}`,
    source,
    at,
    account: options.account ?? ACCOUNT,
    region: REGION,
    resource: res,
    deltas,
  };
  if (source === 'cloudtrail') event.actor = { ...ACTOR };
  if (options.api) event.api = options.api;
  if (source === 'config') event.itemStatus = 'OK';
  return event;
}

/** `ec2.amazonaws.com` API call spec shorthand. */
export function ec2(name: string): { source: string; name: string } {
  return { source: 'ec2.amazonaws.com', name };
}

/** A CIDR peer, v4 or v6 chosen from the text. */
export function cidr(value: string): Peer {
  return value.includes(':') ? { kind: 'cidr6', cidr: value } : { kind: 'cidr4', cidr: value };
}

/** A security-group permission. `ports` is `[from, to]`, a single port, or omitted for all ports. */
export function perm(
  direction: 'ingress' | 'egress',
  protocol: string,
  ports: number | [number, number] | undefined,
  peer: Peer,
): SgPermission {
  const p: SgPermission = { direction, protocol, peer };
  if (ports !== undefined) {
    const [from, to] = typeof ports === 'number' ? [ports, ports] : ports;
    p.fromPort = from;
    p.toPort = to;
  }
  return p;
}

/** An SG permission delta on {@link SG} (override group via `extra`). */
export function sgDelta(
  op: SgPermissionDelta['op'],
  permission: SgPermission,
  extra: Partial<SgPermissionDelta> = {},
): SgPermissionDelta {
  return { kind: 'sg-permission', op, groupId: SG, permission, ...extra };
}

/** A change about a security group holding the given deltas. */
export function sgChange(deltas: NetworkDelta[], options: ChangeOptions = {}): ChangeEvent {
  return change({ type: 'AWS::EC2::SecurityGroup', id: SG, vpcId: VPC, name: 'web-tier' }, deltas, options);
}

/** A NACL entry. */
export function naclEntry(
  ruleNumber: number,
  egress: boolean,
  action: 'allow' | 'deny',
  protocol: string,
  value: string,
  ports?: number | [number, number],
): NaclEntry {
  const e: NaclEntry = {
    ruleNumber,
    egress,
    action,
    protocol,
    cidr: { kind: value.includes(':') ? 'cidr6' : 'cidr4', value },
  };
  if (ports !== undefined) {
    const [from, to] = typeof ports === 'number' ? [ports, ports] : ports;
    e.fromPort = from;
    e.toPort = to;
  }
  return e;
}

export function naclDelta(op: NaclEntryDelta['op'], entry: NaclEntry, before?: NaclEntry): NaclEntryDelta {
  return before
    ? { kind: 'nacl-entry', op, naclId: NACL, entry, before }
    : { kind: 'nacl-entry', op, naclId: NACL, entry };
}

export function naclChange(deltas: NetworkDelta[], options: ChangeOptions = {}): ChangeEvent {
  return change({ type: 'AWS::EC2::NetworkAcl', id: NACL, vpcId: VPC }, deltas, options);
}

/** A route delta on {@link RTB}. */
export function routeDelta(
  op: RouteDelta['op'],
  destination: string,
  target: RouteTarget,
  beforeTarget?: RouteTarget,
): RouteDelta {
  const d: RouteDelta = {
    kind: 'route',
    op,
    routeTableId: RTB,
    destination: destination.startsWith('pl-')
      ? { kind: 'prefix-list', value: destination }
      : { kind: destination.includes(':') ? 'cidr6' : 'cidr4', value: destination },
    target,
  };
  if (beforeTarget) d.beforeTarget = beforeTarget;
  return d;
}

export function routeChange(deltas: NetworkDelta[], options: ChangeOptions = {}): ChangeEvent {
  return change({ type: 'AWS::EC2::RouteTable', id: RTB, vpcId: VPC }, deltas, options);
}

export function igwAttach(
  op: GatewayAttachmentDelta['op'],
  vpcId: string | undefined = VPC,
  kind: GatewayAttachmentDelta['gateway']['kind'] = 'internet-gateway',
  id = IGW,
): GatewayAttachmentDelta {
  const d: GatewayAttachmentDelta = { kind: 'gateway-attachment', op, gateway: { kind, id } };
  if (vpcId) d.vpcId = vpcId;
  return d;
}

/** Parse a policy document written as a plain object (the same parser the sources use). */
export function policy(doc: unknown): PolicyState {
  return parsePolicyDocument(doc);
}

export function endpointPolicy(
  op: EndpointPolicyDelta['op'],
  after: PolicyState,
  before?: PolicyState,
): EndpointPolicyDelta {
  const d: EndpointPolicyDelta = {
    kind: 'endpoint-policy',
    op,
    endpointId: VPCE,
    serviceName: `com.amazonaws.${REGION}.s3`,
    after,
  };
  if (before) d.before = before;
  return d;
}

export function endpointChange(deltas: NetworkDelta[], options: ChangeOptions = {}): ChangeEvent {
  return change({ type: 'AWS::EC2::VPCEndpoint', id: VPCE, vpcId: VPC }, deltas, options);
}

export function servicePermission(
  op: EndpointServicePermissionDelta['op'],
  principal: string,
): EndpointServicePermissionDelta {
  return { kind: 'endpoint-service-permission', op, serviceId: VPCE_SVC, principal };
}

export function serviceAcceptance(acceptanceRequired: boolean, before?: boolean): EndpointServiceAcceptanceDelta {
  const d: EndpointServiceAcceptanceDelta = {
    kind: 'endpoint-service-acceptance',
    op: 'changed',
    serviceId: VPCE_SVC,
    acceptanceRequired,
  };
  if (before !== undefined) d.before = before;
  return d;
}

export function endpointServiceChange(deltas: NetworkDelta[], options: ChangeOptions = {}): ChangeEvent {
  return change({ type: 'AWS::EC2::VPCEndpointService', id: VPCE_SVC }, deltas, options);
}

export function peeringDelta(
  op: PeeringDelta['op'],
  state: PeeringDelta['state'],
  accepter: PeeringDelta['accepter'],
  requester: PeeringDelta['requester'] = { vpcId: VPC, account: ACCOUNT, region: REGION },
): PeeringDelta {
  return { kind: 'peering', op, connectionId: 'pcx-0e4d6c8a2b1f37590', state, requester, accepter };
}

export function peeringChange(deltas: NetworkDelta[], options: ChangeOptions = {}): ChangeEvent {
  return change({ type: 'AWS::EC2::VPCPeeringConnection', id: 'pcx-0e4d6c8a2b1f37590' }, deltas, options);
}

export function logging(
  subject: LoggingDelta['subject'],
  action: LoggingDelta['action'],
  id: string,
  extra: Partial<LoggingDelta> = {},
): LoggingDelta {
  const op: LoggingDelta['op'] = action === 'deleted' ? 'removed' : action === 'created' ? 'added' : 'changed';
  return { kind: 'logging', op, subject, id, action, ...extra };
}

const LOGGING_TYPES: Readonly<Record<LoggingDelta['subject'], string>> = {
  trail: 'AWS::CloudTrail::Trail',
  'flow-log': 'AWS::EC2::FlowLog',
  'config-recorder': 'AWS::Config::ConfigurationRecorder',
  'config-delivery-channel': 'AWS::Config::DeliveryChannel',
};

export function loggingChange(delta: LoggingDelta, options: ChangeOptions = {}): ChangeEvent {
  return change({ type: LOGGING_TYPES[delta.subject], id: delta.id }, [delta], options);
}

export function compliance(
  configRuleName: string,
  after: ComplianceDelta['after'],
  before?: ComplianceDelta['before'],
): ComplianceDelta {
  const d: ComplianceDelta = { kind: 'compliance', op: 'changed', configRuleName, after };
  if (before) d.before = before;
  return d;
}

export function complianceChange(
  delta: ComplianceDelta,
  resource: ResourceRef = { type: 'AWS::EC2::SecurityGroup', id: SG, vpcId: VPC },
): ChangeEvent {
  return change(resource, [delta], { source: 'config' });
}

export function hybrid(
  op: HybridLinkDelta['op'],
  link: HybridLinkDelta['link'],
  extra: Partial<HybridLinkDelta> = {},
): HybridLinkDelta {
  return { kind: 'hybrid-link', op, link, ...extra };
}

export function subnetAttribute(
  after: boolean,
  before?: boolean,
  attribute: SubnetAttributeDelta['attribute'] = 'map-public-ip-on-launch',
): SubnetAttributeDelta {
  const d: SubnetAttributeDelta = {
    kind: 'subnet-attribute',
    op: 'changed',
    subnetId: 'subnet-07a3c5e9b1d2f4680',
    attribute,
    after,
  };
  if (before !== undefined) d.before = before;
  return d;
}

export function loadBalancer(
  op: LoadBalancerDelta['op'],
  scheme: LoadBalancerDelta['scheme'],
  lbType: LoadBalancerDelta['lbType'] = 'application',
  name = 'orders-api',
): LoadBalancerDelta {
  return {
    kind: 'load-balancer',
    op,
    name,
    arn: `arn:aws:elasticloadbalancing:${REGION}:${ACCOUNT}:loadbalancer/app/${name}/50dc6c495c0c9188`,
    lbType,
    scheme,
  };
}
