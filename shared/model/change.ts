import type { StateView } from './exposure.ts';
import type { Strengthening, Weakening } from './logging.ts';

/**
 * The normalized change model. Every input — a CloudTrail record or an AWS Config item, whatever wrapper it came in —
 * becomes one {@link ChangeEvent} carrying {@link NetworkDelta}s: what was added, removed or changed. Rules read only
 * this, so a rule cannot drift between the Config and the CloudTrail shape of the same change.
 *
 * Conventions:
 * - Resource types use the AWS Config / CloudFormation names (`AWS::EC2::SecurityGroup`) for both sources.
 * - Protocols are normalized to lower-case names (`tcp`, `udp`, `icmp`, `icmpv6`, `all`) or the IANA number as a
 *   string for anything else; AWS's `-1` becomes `all`.
 * - Port ranges: `undefined` means "all ports" (protocol all, or AWS's -1/-1, or absent). ICMP keeps type/code in
 *   `fromPort`/`toPort` as AWS does.
 * - CIDRs are kept exactly as AWS returned them (host bits included: `208.236.235.254/0` is the whole internet).
 */

/** Where a change was observed. */
export type ChangeSource = 'cloudtrail' | 'config';

/** Resource types Netwatch understands (AWS Config / CloudFormation names). */
export const RESOURCE_TYPES = [
  'AWS::EC2::SecurityGroup',
  'AWS::EC2::NetworkAcl',
  'AWS::EC2::RouteTable',
  'AWS::EC2::InternetGateway',
  'AWS::EC2::EgressOnlyInternetGateway',
  'AWS::EC2::VPCEndpoint',
  'AWS::EC2::VPCEndpointService',
  'AWS::EC2::VPCPeeringConnection',
  'AWS::EC2::FlowLog',
  'AWS::EC2::Subnet',
  'AWS::EC2::VPC',
  'AWS::EC2::VPNConnection',
  'AWS::EC2::VPNGateway',
  'AWS::EC2::CustomerGateway',
  'AWS::EC2::TransitGateway',
  'AWS::EC2::TransitGatewayAttachment',
  'AWS::EC2::PrefixList',
  'AWS::EC2::NetworkInterface',
  'AWS::DirectConnect::VirtualInterface',
  'AWS::DirectConnect::Gateway',
  'AWS::ElasticLoadBalancingV2::LoadBalancer',
  'AWS::ElasticLoadBalancing::LoadBalancer',
  'AWS::CloudTrail::Trail',
  'AWS::Config::ConfigurationRecorder',
  'AWS::Config::DeliveryChannel',
  'AWS::Config::ConfigRule',
] as const;

/** A resource type Netwatch has rules for. Other Config types are carried as plain strings and ignored by rules. */
export type KnownResourceType = (typeof RESOURCE_TYPES)[number];

/** The resource a change is about. */
export interface ResourceRef {
  /** AWS Config / CloudFormation type name, e.g. `AWS::EC2::SecurityGroup`. */
  type: string;
  /** Resource id (`sg-…`, `rtb-…`, trail name or ARN, …). */
  id: string;
  arn?: string;
  name?: string;
  /** VPC the resource lives in, when known (context rules: internal-only VPCs). */
  vpcId?: string;
  tags?: Record<string, string>;
  /**
   * The tags as they were before this change, when the source says (an AWS Config item: its tags with the diff's
   * `Tags.<key>` entries undone; `{}` for a resource the change created). Absent when unknown (CloudTrail calls carry no
   * tags). Approvals match these, not {@link tags}: whoever makes a change can also retag the resource.
   */
  tagsBefore?: Record<string, string>;
}

/** Who made the change (CloudTrail `userIdentity`, or looked up for a Config item). */
export interface Actor {
  /** Principal ARN (for assumed roles: the session ARN). */
  arn?: string;
  /** CloudTrail identity type: Root, IAMUser, AssumedRole, AWSService, … */
  type?: string;
  principalId?: string;
  accountId?: string;
  /** Access key id used (ASIA… = temporary, AKIA… = long-term). */
  accessKeyId?: string;
  /** For assumed roles: the role ARN that issued the session. */
  sessionIssuerArn?: string;
  sourceIp?: string;
  userAgent?: string;
  /** Set when an AWS service acted on the user's behalf. */
  invokedBy?: string;
}

/** The API call behind a CloudTrail change. */
export interface ApiCall {
  /** `eventSource`, e.g. `ec2.amazonaws.com`. */
  source: string;
  /** `eventName`, e.g. `AuthorizeSecurityGroupIngress`. */
  name: string;
}

/** One side of a network rule: where traffic comes from / goes to. */
export type Peer =
  | { kind: 'cidr4'; cidr: string }
  | { kind: 'cidr6'; cidr: string }
  | { kind: 'security-group'; groupId: string; userId?: string }
  | { kind: 'prefix-list'; prefixListId: string };

/** Security-group rule direction. */
export type Direction = 'ingress' | 'egress';

/** Delta operation: `changed` when one thing's settings moved (before → after). */
export type DeltaOp = 'added' | 'removed' | 'changed';

/** A security-group permission with exactly one peer (AWS's nested ipPermissions are flattened). */
export interface SgPermission {
  direction: Direction;
  /** `all`, `tcp`, `udp`, `icmp`, `icmpv6`, or a protocol number as a string. */
  protocol: string;
  /** `undefined` = all ports. */
  fromPort?: number;
  toPort?: number;
  peer: Peer;
}

/** A security-group permission added or removed. `ModifySecurityGroupRules` yields `changed` with unknown before. */
export interface SgPermissionDelta {
  kind: 'sg-permission';
  op: DeltaOp;
  groupId: string;
  /** Group name when known (`default` matters: the default SG gaining ingress is flagged). */
  groupName?: string;
  permission: SgPermission;
  /** For `changed`: the permission before, when the source knows it (Config does, ModifySecurityGroupRules does not). */
  before?: SgPermission;
  /** `sgr-…` id, when the source gives one (not part of the change's identity). */
  ruleId?: string;
}

/** Route target kinds, from the route's target id prefix / field name. */
export type RouteTargetKind =
  | 'internet-gateway'
  | 'egress-only-internet-gateway'
  | 'nat-gateway'
  | 'instance'
  | 'network-interface'
  | 'vpc-peering'
  | 'transit-gateway'
  | 'virtual-private-gateway'
  | 'vpc-endpoint'
  | 'carrier-gateway'
  | 'local-gateway'
  | 'core-network'
  | 'local'
  | 'unknown';

export interface RouteTarget {
  kind: RouteTargetKind;
  id?: string;
}

/** A route added, removed, or re-pointed (ReplaceRoute: `changed`, `beforeTarget` unknown from CloudTrail). */
export interface RouteDelta {
  kind: 'route';
  op: DeltaOp;
  routeTableId: string;
  destination: { kind: 'cidr4' | 'cidr6' | 'prefix-list'; value: string };
  target: RouteTarget;
  beforeTarget?: RouteTarget;
}

/** One network ACL entry. */
export interface NaclEntry {
  ruleNumber: number;
  egress: boolean;
  /**
   * `unknown`: the source does not say (CloudTrail's DeleteNetworkAclEntry logs only the rule number and direction);
   * then protocol is `unknown` and `cidr` absent — never invented.
   */
  action: 'allow' | 'deny' | 'unknown';
  /** Same convention as {@link SgPermission.protocol}. */
  protocol: string;
  /** Absent when the source does not say (a deleted entry seen in CloudTrail). */
  cidr?: { kind: 'cidr4' | 'cidr6'; value: string };
  /** `undefined` = all ports. */
  fromPort?: number;
  toPort?: number;
}

/** A NACL entry created, deleted, or replaced (`changed`, `before` when known). */
export interface NaclEntryDelta {
  kind: 'nacl-entry';
  op: DeltaOp;
  naclId: string;
  entry: NaclEntry;
  before?: NaclEntry;
}

/** A gateway attached to (added) or detached from (removed) a VPC. */
export interface GatewayAttachmentDelta {
  kind: 'gateway-attachment';
  op: 'added' | 'removed';
  gateway: { kind: 'internet-gateway' | 'egress-only-internet-gateway' | 'virtual-private-gateway'; id: string };
  vpcId?: string;
}

/** One IAM policy condition clause, flattened: operator + key + values. */
export interface PolicyCondition {
  operator: string;
  key: string;
  values: string[];
}

/** One IAM policy statement in a normalized form (every field a list; `*` kept literally). */
export interface PolicyStatement {
  sid?: string;
  effect: 'Allow' | 'Deny';
  /** Principals as strings: `*`, account ids, ARNs, service names (`AWS:`/`Service:` prefixes dropped). */
  principals: string[];
  /** `NotPrincipal` present: the statement applies to everyone but these. */
  notPrincipals?: string[];
  actions: string[];
  notActions?: string[];
  resources: string[];
  notResources?: string[];
  conditions: PolicyCondition[];
}

/** A policy document; `full-access` = AWS's default endpoint policy (no document / ResetPolicy). */
export type PolicyState = { kind: 'document'; statements: PolicyStatement[] } | { kind: 'full-access' };

/** A VPC endpoint policy set (created with a policy), replaced, or reset to full access. */
export interface EndpointPolicyDelta {
  kind: 'endpoint-policy';
  op: DeltaOp;
  endpointId: string;
  serviceName?: string;
  /** `undefined` = unknown (CloudTrail ModifyVpcEndpoint carries only the new policy); on create: absent. */
  before?: PolicyState;
  after: PolicyState;
}

/** A principal allowed (added) or disallowed (removed) on a PrivateLink endpoint service. */
export interface EndpointServicePermissionDelta {
  kind: 'endpoint-service-permission';
  op: 'added' | 'removed';
  serviceId: string;
  /** Principal ARN or `*`. */
  principal: string;
}

/** A PrivateLink endpoint service's acceptance setting changed. */
export interface EndpointServiceAcceptanceDelta {
  kind: 'endpoint-service-acceptance';
  op: 'changed' | 'added';
  serviceId: string;
  acceptanceRequired: boolean;
  before?: boolean;
}

/** One side of a VPC peering connection. */
export interface PeeringSide {
  vpcId?: string;
  account?: string;
  region?: string;
}

/** A peering connection requested (`added`, state requested), accepted (`changed`) or deleted (`removed`). */
export interface PeeringDelta {
  kind: 'peering';
  op: DeltaOp;
  connectionId?: string;
  state: 'requested' | 'accepted' | 'deleted' | 'rejected';
  requester: PeeringSide;
  accepter: PeeringSide;
}

/** Hybrid connectivity: VPN, transit gateway, Direct Connect. */
export interface HybridLinkDelta {
  kind: 'hybrid-link';
  op: DeltaOp;
  link:
    | 'vpn-connection'
    | 'vpn-gateway-attachment'
    | 'customer-gateway'
    | 'transit-gateway-vpc-attachment'
    | 'transit-gateway-peering'
    | 'transit-gateway-route'
    | 'direct-connect-virtual-interface'
    | 'direct-connect-gateway-association'
    /** Any transit-gateway attachment (VPC, VPN, Direct Connect, peering) and its route-table association. */
    | 'transit-gateway-attachment';
  /**
   * Where in its life cycle the link is, for the steps between created and deleted: `accepted` (the other side
   * accepted a cross-account attachment, hosted interface or association proposal: traffic can flow now),
   * `associated` / `disassociated` (a transit-gateway attachment joined to / taken off a route table).
   */
  stage?: 'accepted' | 'associated' | 'disassociated';
  id?: string;
  vpcId?: string;
  /** Foreign account / region / address on the other side, when known. */
  peerAccount?: string;
  peerRegion?: string;
  peerAddress?: string;
  /** Destination CIDR for routes (TGW route to `0.0.0.0/0` etc.). */
  cidr?: string;
}

/** What a logging delta is about. */
export type LoggingSubject = 'trail' | 'flow-log' | 'config-recorder' | 'config-delivery-channel';

/**
 * Audit logging switched. `action` says what happened; `weakenings` lists, for updates, each way logging got
 * weaker (`multi-region off`, `log-file validation off`, `management events off`, `destination changed`, …) and
 * `strengthenings` each way it got stronger: closed lists both normalizers emit (shared/model/logging.ts).
 */
export interface LoggingDelta {
  kind: 'logging';
  op: DeltaOp;
  subject: LoggingSubject;
  id: string;
  action: 'stopped' | 'deleted' | 'started' | 'created' | 'updated';
  weakenings?: Weakening[];
  strengthenings?: Strengthening[];
}

/** A subnet attribute that makes new instances public changed. */
export interface SubnetAttributeDelta {
  kind: 'subnet-attribute';
  op: 'changed';
  subnetId: string;
  attribute: 'map-public-ip-on-launch' | 'assign-ipv6-on-creation' | 'map-customer-owned-ip-on-launch';
  before?: boolean;
  after: boolean;
}

/** A load balancer created (or its scheme observed on a newly discovered item). */
export interface LoadBalancerDelta {
  kind: 'load-balancer';
  op: DeltaOp;
  name: string;
  arn?: string;
  lbType: 'application' | 'network' | 'gateway' | 'classic';
  scheme: 'internet-facing' | 'internal';
  before?: { scheme: 'internet-facing' | 'internal' };
}

/** Config rule compliance types, as AWS Config spells them. */
export type ComplianceType = 'COMPLIANT' | 'NON_COMPLIANT' | 'NOT_APPLICABLE' | 'INSUFFICIENT_DATA';

/** A Config rule's evaluation of a resource flipped. */
export interface ComplianceDelta {
  kind: 'compliance';
  op: 'changed';
  configRuleName: string;
  before?: ComplianceType;
  after: ComplianceType;
  annotation?: string;
}

/**
 * A CIDR added to (or removed from) a customer-managed prefix list. Every security-group rule and route that names
 * the list changes reach with it, so the state step re-evaluates each of them (shared/3-state).
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/managed-prefix-lists.html
 */
export interface PrefixListEntryDelta {
  kind: 'prefix-list-entry';
  op: 'added' | 'removed';
  prefixListId: string;
  /** The entry as AWS returned it (host bits kept, like every CIDR in the model). */
  cidr: string;
}

/**
 * A subnet associated with (added) or disassociated from (removed) a route table or a network ACL. Which table a
 * subnet uses decides whether its routes and ACL entries apply to it; kept in state (change management sees it), not
 * graded on its own.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/WorkWithRouteTables.html
 */
export interface SubnetAssociationDelta {
  kind: 'subnet-association';
  op: 'added' | 'removed';
  /** What the subnet is associated with. */
  table: 'route-table' | 'network-acl';
  /** `rtb-…` or `acl-…`. */
  tableId: string;
  /**
   * `subnet-…`; absent for the main route table's implicit association, and — until the kept state resolves it — for
   * calls that name only an association id (ReplaceRouteTableAssociation, ReplaceNetworkAclAssociation,
   * DisassociateRouteTable: shared/3-state resolves `associationId` to the subnet).
   */
  subnetId?: string;
  /** True for the VPC's main route table (subnets without an explicit association use it). */
  main?: boolean;
  /** `rtbassoc-…` / `aclassoc-…`: the association's id, when the source gives it (not part of the identity). */
  associationId?: string;
  /** The association this one replaced (ReplaceRouteTableAssociation / ReplaceNetworkAclAssociation). */
  replaces?: string;
}

/** What a network interface (or a subnet, route table, network ACL) is bound to. */
export type Binding =
  /** The security groups of an ENI: the whole set (ModifyNetworkInterfaceAttribute replaces it). */
  | { kind: 'security-groups'; groupIds: string[] }
  /** The subnet (and VPC) of an ENI. */
  | { kind: 'subnet'; subnetId: string; vpcId?: string }
  /** The VPC of a subnet, route table or network ACL. */
  | { kind: 'vpc'; vpcId: string }
  /**
   * A public address of an ENI: an auto-assigned public IPv4 address, an Elastic IP (`allocationId`), or an IPv6
   * address (every IPv6 address of a VPC is globally unique, reachable through an internet gateway).
   */
  | {
      kind: 'public-address';
      family: 4 | 6;
      address?: string;
      allocationId?: string;
      associationId?: string;
      elastic?: boolean;
    }
  /** The instance an ENI is attached to (device index 0 = its primary interface). */
  | { kind: 'instance'; instanceId: string; deviceIndex?: number };

/**
 * A binding of a resource to what makes it reachable: an ENI's security groups, subnet, public address and instance; the
 * VPC of a subnet, route table or ACL. Nothing is exposed by a binding alone; the state step joins the bindings with the
 * groups, routes and ACLs they point at to tell whether the internet can reach an ENI (shared/net/reachability.ts).
 * `holder.id` is absent when the call names only an instance (ModifyInstanceAttribute, AssociateAddress with an
 * instance id) or an association id (DisassociateAddress): the state resolves it.
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyNetworkInterfaceAttribute.html
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_AssociateAddress.html
 */
export interface BindingDelta {
  kind: 'binding';
  op: DeltaOp;
  holder: { kind: 'network-interface' | 'subnet' | 'route-table' | 'network-acl'; id?: string };
  /** The instance the call named (the state resolves its primary network interface). */
  instanceId?: string;
  binding: Binding;
  /** For `changed`: the binding before, when known. */
  before?: Binding;
}

/** A change that could not be inspected (oversized Config item with no item attached). */
export interface UninspectedDelta {
  kind: 'uninspected';
  op: 'changed';
  reason: 'oversized';
  /** Where AWS put the full item (`s3DeliverySummary.s3BucketLocation`), when given. */
  location?: string;
  changeType?: string;
  /**
   * Why enrichment could not fetch the item (GetResourceConfigHistory failed, the resource was not discovered, or
   * enrichment is off). Not part of the finding's identity: a retry that fails differently is the same change.
   */
  failure?: string;
}

/** Every delta kind; a closed union so rules can `switch` exhaustively. */
export type NetworkDelta =
  | SgPermissionDelta
  | RouteDelta
  | NaclEntryDelta
  | GatewayAttachmentDelta
  | EndpointPolicyDelta
  | EndpointServicePermissionDelta
  | EndpointServiceAcceptanceDelta
  | PeeringDelta
  | HybridLinkDelta
  | LoggingDelta
  | SubnetAttributeDelta
  | LoadBalancerDelta
  | ComplianceDelta
  | UninspectedDelta
  | PrefixListEntryDelta
  | SubnetAssociationDelta
  | BindingDelta;

export type DeltaKind = NetworkDelta['kind'];

/** Config item status (`configurationItemStatus`); CloudTrail changes leave it unset. */
export type ItemStatus =
  | 'OK'
  | 'ResourceDiscovered'
  | 'ResourceNotRecorded'
  | 'ResourceDeleted'
  | 'ResourceDeletedNotRecorded';

/**
 * Facts about a resource's surroundings that severity may depend on (context-aware severity, shared/4-classify/adjust.ts).
 * Every field is optional and `undefined` means *unknown*: CloudTrail changes carry none, and no adjustment is made on
 * an unknown fact.
 */
export interface ResourceFacts {
  /** ENIs a security group is associated with (its Config item's `relationships`). `[]` = attached to nothing. */
  networkInterfaces?: string[];
  /** Those of {@link networkInterfaces} known to have a public IP (needs the ENIs' own items: enrichment). */
  publicNetworkInterfaces?: string[];
  /** Tags of the VPC the change concerns (enrichment looks the VPC item up), e.g. `netwatch:exposure=internal`. */
  vpcTags?: Record<string, string>;
}

/** One step of enrichment and how it ended, so the finding's `why` can say what is known and what is not. */
export interface EnrichmentStep {
  step: 'item-fetch' | 'actor-lookup' | 'resource-lookup';
  /** `denied`: the function's role (or an SCP, a permission boundary, an endpoint policy) refused the call. */
  outcome: 'done' | 'failed' | 'timed-out' | 'not-found' | 'denied';
  /** One line a responder reads, e.g. "actor lookup timed out after 2000 ms; delivered without the actor". */
  detail: string;
}

/**
 * One observed change, from either source. `id` is the CloudTrail eventID, or for Config
 * `config:<resourceType>/<resourceId>@<captureTime>`.
 */
export interface ChangeEvent {
  id: string;
  source: ChangeSource;
  /** ISO-8601 time of the change (CloudTrail eventTime, Config captureTime). */
  at: string;
  account: string;
  region: string;
  resource: ResourceRef;
  actor?: Actor;
  api?: ApiCall;
  /** Config item status, when from Config. */
  itemStatus?: ItemStatus;
  deltas: NetworkDelta[];
  /** CloudTrail event ids a Config item names in `relatedEvents` (cross-source dedup). */
  related?: string[];
  /** Free-text remarks from normalization a responder should see (e.g. "oversized item, not inspected"). */
  notes?: string[];
  /**
   * Parts of the input that could not be read and were left out, each naming where and why ("requestParameters.
   * ipPermissions.items.1: permission has no peer"): the rest of the change was judged, and the finding's `why` says
   * what was not. Parse liberally, judge strictly: one unreadable part never hides the world-open one beside it.
   */
  skipped?: string[];
  /** Fields the change had to do without and what stood in for them ("eventID missing: id derived from the record"). */
  assumed?: string[];
  /** Facts about the resource's surroundings (Config relationships, enrichment look-ups); absent = unknown. */
  facts?: ResourceFacts;
  /** What enrichment did (shared/2-enrich/enrich.ts); absent when enrichment did not run. */
  enrichment?: EnrichmentStep[];
  /**
   * The resource's whole network configuration after the change, when the source carries it: a Config item is a full
   * snapshot (authoritative, ordered by capture time). Expressed as `added` deltas so one vocabulary describes both
   * a change and a state (shared/model/state.ts turns them into state elements).
   */
  snapshot?: ResourceSnapshot;
  /**
   * Set on the changes a reconciliation makes (shared/3-state, reconciliation from AWS Config's advanced query): the
   * state AWS Config holds now, compared with the kept state — what no change event said. `first`: the first run in
   * this account and Region (it seeds the state: one posture report instead of a page per exposure).
   */
  reconciled?: { first: boolean; at: string };
  /**
   * The network state this change was judged against: before and after state and exposures of each resource it
   * touches, and the exposure episodes it opened or closed. Set by the state step (shared/3-state); absent when no
   * state is kept, and rules then derive the same view from the deltas alone (shared/net/exposure.ts `viewOf`).
   */
  state?: StateView;
}

/** A resource's full configuration from a Config item (see {@link ChangeEvent.snapshot}). */
export interface ResourceSnapshot {
  /** The item describes a deleted (or no longer recorded) resource: its state is empty. */
  deleted: boolean;
  /** Every rule, entry, route, association, policy of the resource, as `added` deltas. */
  deltas: NetworkDelta[];
}
