import type { InputLocation } from '../../platform/errors.ts';
import type { ChangeEvent } from '../../model/change.ts';
import type { Normalized } from '../normalized.ts';
import { ignored } from '../normalized.ts';
import { normalizeCompliance } from './compliance.ts';
import { endpointService } from './endpoint-service.ts';
import type { Extractor } from './extractor.ts';
import { isRecord } from './field-case.ts';
import { flowLog } from './flow-log.ts';
import { customerGateway, transitGatewayAttachment, vpnConnection, vpnGateway } from './hybrid.ts';
import { egressOnlyInternetGateway, internetGateway } from './internet-gateway.ts';
import type { ExtractorLookup, TypeEntry } from './item-change.ts';
import { normalizeItemChange } from './item-change.ts';
import type { ItemPair } from './item-pair.ts';
import { normalizeItemPair } from './item-pair.ts';
import { malformedAt } from './json-pointer.ts';
import { classicLoadBalancer, loadBalancerV2 } from './load-balancer.ts';
import { configurationRecorder, trail } from './logging.ts';
import { IGNORED_MESSAGE_TYPES } from './message.ts';
import { networkAcl } from './network-acl.ts';
import { networkInterface } from './network-interface.ts';
import { normalizeOversized } from './oversized.ts';
import { peering } from './peering.ts';
import { prefixList } from './prefix-list.ts';
import { routeTable } from './route-table.ts';
import { securityGroup } from './security-group.ts';
import { subnet } from './subnet.ts';
import { vpcEndpoint } from './vpc-endpoint.ts';

/**
 * The AWS Config source: the only module that knows Config's field names. One inner Config message in, a
 * {@link Normalized} out (changes, or why it was ignored); malformed input throws MalformedInputError whose
 * `where.path` points into the message.
 * @see https://docs.aws.amazon.com/config/latest/developerguide/notifications-for-AWS-Config.html
 */

/** Resource types with network meaning, and how each is turned into deltas. Every other type is ignored. */
export const EXTRACTORS: ReadonlyMap<string, Extractor> = new Map<string, Extractor>([
  ['AWS::EC2::SecurityGroup', securityGroup],
  ['AWS::EC2::NetworkAcl', networkAcl],
  ['AWS::EC2::RouteTable', routeTable],
  ['AWS::EC2::InternetGateway', internetGateway],
  ['AWS::EC2::EgressOnlyInternetGateway', egressOnlyInternetGateway],
  ['AWS::EC2::VPCEndpoint', vpcEndpoint],
  ['AWS::EC2::VPCEndpointService', endpointService],
  ['AWS::EC2::VPCPeeringConnection', peering],
  ['AWS::EC2::PrefixList', prefixList],
  ['AWS::EC2::FlowLog', flowLog],
  ['AWS::EC2::Subnet', subnet],
  ['AWS::EC2::NetworkInterface', networkInterface],
  ['AWS::ElasticLoadBalancingV2::LoadBalancer', loadBalancerV2],
  ['AWS::ElasticLoadBalancing::LoadBalancer', classicLoadBalancer],
  ['AWS::EC2::VPNConnection', vpnConnection],
  ['AWS::EC2::CustomerGateway', customerGateway],
  ['AWS::EC2::TransitGatewayAttachment', transitGatewayAttachment],
  ['AWS::EC2::VPNGateway', vpnGateway],
  ['AWS::CloudTrail::Trail', trail],
  ['AWS::Config::ConfigurationRecorder', configurationRecorder],
]);

const BY_LOWER_CASE: ReadonlyMap<string, TypeEntry> = new Map(
  [...EXTRACTORS].map(([type, extract]) => [type.toLowerCase(), { type, extract }]),
);

const lookup: ExtractorLookup = (resourceType) => BY_LOWER_CASE.get(resourceType.toLowerCase());

type MessageHandler = (message: Readonly<Record<string, unknown>>, where: InputLocation) => Normalized;

const HANDLERS: ReadonlyMap<string, MessageHandler> = new Map<string, MessageHandler>([
  ['ConfigurationItemChangeNotification', (m, where) => normalizeItemChange(m, where, lookup)],
  ['OversizedConfigurationItemChangeNotification', (m, where) => normalizeOversized(m, where, lookup)],
  ['ComplianceChangeNotification', (m, where) => normalizeCompliance(m, where)],
]);

/**
 * Normalize one inner AWS Config message (`messageType` ConfigurationItemChangeNotification,
 * OversizedConfigurationItemChangeNotification or ComplianceChangeNotification; bookkeeping types are ignored).
 * @throws MalformedInputError for an unknown `messageType` or a missing/ill-typed field, with `where.path` extended
 * by the JSON pointer of the bad value (e.g. `/configurationItem/configuration/ipPermissions/0`).
 */
export function normalizeConfigMessage(message: unknown, where: InputLocation): Normalized {
  if (!isRecord(message)) throw malformedAt(where, '', 'AWS Config message is not a JSON object');
  const type = message['messageType'];
  if (typeof type !== 'string') throw malformedAt(where, '/messageType', 'AWS Config message has no messageType');
  const handler = HANDLERS.get(type);
  if (handler !== undefined) return handler(message, where);
  const reason = IGNORED_MESSAGE_TYPES.get(type);
  if (reason !== undefined) return ignored(reason);
  throw malformedAt(where, '/messageType', `unknown AWS Config messageType '${type}'`);
}

export type { ItemPair } from './item-pair.ts';

/**
 * Deltas from two whole configuration items of one resource (previous, current), with the same extractors as
 * {@link normalizeConfigMessage}. Enrichment uses it for oversized changes, whose items it fetches with
 * GetResourceConfigHistory (shared/2-enrich/config-history.ts maps the API's item shape to the notification's first).
 * @throws MalformedInputError naming `/current/…` or `/previous/…`
 */
export function deltasFromItems(pair: ItemPair, where: InputLocation): Normalized {
  return normalizeItemPair(pair, where, lookup);
}

/** A resource's whole configuration read from one Config item (see {@link snapshotFromItem}). */
export interface ItemSnapshot {
  resourceType: string;
  resourceId: string;
  account: string;
  region: string;
  /** `configurationItemCaptureTime`. */
  capturedAt: string;
  snapshot: NonNullable<ChangeEvent['snapshot']>;
}

/**
 * The snapshot one whole configuration item (notification item shape) describes, for the state step's on-demand
 * look-ups (shared/2-enrich/state-lookup.ts maps BatchGetResourceConfig items to this shape first). `undefined` for a
 * type whose state is not kept, or an item that records nothing (`ResourceNotRecorded`).
 * @throws MalformedInputError naming `/current/…`
 */
export function snapshotFromItem(item: unknown, where: InputLocation): ItemSnapshot | undefined {
  const normalized = normalizeItemPair({ current: item }, where, lookup);
  const change = normalized.kind === 'changes' ? normalized.changes[0] : undefined;
  if (change?.snapshot === undefined) return undefined;
  return {
    resourceType: change.resource.type,
    resourceId: change.resource.id,
    account: change.account,
    region: change.region,
    capturedAt: change.at,
    snapshot: change.snapshot,
  };
}
