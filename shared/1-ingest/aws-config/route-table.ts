import * as z from 'zod';
import type {
  BindingDelta,
  RouteDelta,
  RouteTarget,
  RouteTargetKind,
  SubnetAssociationDelta,
} from '../../model/change.ts';
import type { Extractor } from './extractor.ts';
import { keyedDifference, setDifference, stableKey } from './extractor.ts';
import { ciObject, optionalBoolean, optionalList, optionalString } from './field-case.ts';
import { routeTargetKind } from '../../net/route-target.ts';

/**
 * `AWS::EC2::RouteTable` → {@link RouteDelta}s from `configuration.routes` (the `DescribeRouteTables` route shape),
 * and {@link SubnetAssociationDelta}s from `configuration.associations` (which subnets use the table).
 * A route's identity is its destination (`destinationCidrBlock`, `destinationIpv6CidrBlock` or
 * `destinationPrefixListId`); the same destination with another target is `changed` with `beforeTarget`
 * (what `ReplaceRoute` does). Route `state` (active/blackhole) is not a change of intent and is ignored.
 *
 * The target kind comes from the id prefix, because `gatewayId` holds internet gateways (`igw-`), virtual private
 * gateways (`vgw-`), gateway endpoints (`vpce-`) and the VPC's own `local` route alike. Instance routes carry both
 * `instanceId` and `networkInterfaceId`; the instance wins (that is what `CreateRoute --instance-id` names).
 * @see https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Route.html
 */
const Route = z.lazy(() =>
  ciObject({
    destinationCidrBlock: optionalString,
    destinationIpv6CidrBlock: optionalString,
    destinationPrefixListId: optionalString,
    gatewayId: optionalString,
    natGatewayId: optionalString,
    transitGatewayId: optionalString,
    vpcPeeringConnectionId: optionalString,
    egressOnlyInternetGatewayId: optionalString,
    carrierGatewayId: optionalString,
    localGatewayId: optionalString,
    coreNetworkArn: optionalString,
    instanceId: optionalString,
    networkInterfaceId: optionalString,
  }),
);
type Route = z.output<typeof Route>;

/** `associations`: the subnets using the table (`main: true` for the VPC's main table, which has no subnet). */
const Association = z.lazy(() =>
  ciObject({ subnetId: optionalString, main: optionalBoolean, routeTableAssociationId: optionalString }),
);

const State = z.lazy(() =>
  ciObject({
    configuration: ciObject({
      routeTableId: optionalString,
      vpcId: optionalString,
      routes: optionalList(Route),
      associations: optionalList(Association),
    }),
  }),
);

/** Target fields in precedence order, with the kind used when the id has no known prefix. */
const TARGET_FIELDS: ReadonlyArray<[keyof Route, RouteTargetKind]> = [
  ['gatewayId', 'unknown'],
  ['natGatewayId', 'nat-gateway'],
  ['transitGatewayId', 'transit-gateway'],
  ['vpcPeeringConnectionId', 'vpc-peering'],
  ['egressOnlyInternetGatewayId', 'egress-only-internet-gateway'],
  ['carrierGatewayId', 'carrier-gateway'],
  ['localGatewayId', 'local-gateway'],
  ['coreNetworkArn', 'core-network'],
  ['instanceId', 'instance'],
  ['networkInterfaceId', 'network-interface'],
];

interface NormalRoute {
  destination: RouteDelta['destination'];
  target: RouteTarget;
}

export const routeTable: Extractor = (input) => {
  const before = input.read(State, 'before')?.configuration;
  const after = input.read(State, 'after')?.configuration;
  const routes = (side: typeof before): NormalRoute[] => (side?.routes ?? []).flatMap(toRoute);
  const { added, removed, changed } = keyedDifference(
    routes(before),
    routes(after),
    (r) => stableKey(r.destination),
    (r) => stableKey(r.target),
  );
  const routeTableId = after?.routeTableId ?? before?.routeTableId ?? input.resourceId;
  type Assoc = { subnetId?: string; main?: boolean; associationId?: string };
  const associations = (side: typeof before): Assoc[] =>
    (side?.associations ?? []).flatMap((a): Assoc[] => {
      const id = a.routeTableAssociationId !== undefined ? { associationId: a.routeTableAssociationId } : {};
      return a.subnetId !== undefined
        ? [{ subnetId: a.subnetId, ...id }]
        : a.main === true
          ? [{ main: true, ...id }]
          : [];
    });
  // Identity of an association: the subnet (or main), not its id (a re-association gets a new id).
  const moved = setDifference(associations(before), associations(after), (a) => stableKey({ ...a, associationId: 0 }));
  const association = (op: 'added' | 'removed', a: Assoc): SubnetAssociationDelta => ({
    kind: 'subnet-association',
    op,
    table: 'route-table',
    tableId: routeTableId,
    ...a,
  });
  return [
    ...added.map((r): RouteDelta => ({ kind: 'route', op: 'added', routeTableId, ...r })),
    ...changed.map(
      (c): RouteDelta => ({ kind: 'route', op: 'changed', routeTableId, ...c.after, beforeTarget: c.before.target }),
    ),
    ...removed.map((r): RouteDelta => ({ kind: 'route', op: 'removed', routeTableId, ...r })),
    ...moved.added.map((a) => association('added', a)),
    ...moved.removed.map((a) => association('removed', a)),
    ...vpcPlacement('route-table', routeTableId, before?.vpcId, after?.vpcId),
  ];
};

/** The VPC of a route table or network ACL (which subnets it can serve; the main table of which VPC), when it appears. */
export function vpcPlacement(
  kind: 'route-table' | 'network-acl',
  id: string,
  before: string | undefined,
  after: string | undefined,
): BindingDelta[] {
  if (after === undefined || before === after) return [];
  return [
    {
      kind: 'binding',
      op: before === undefined ? 'added' : 'changed',
      holder: { kind, id },
      binding: { kind: 'vpc', vpcId: after },
      ...(before !== undefined ? { before: { kind: 'vpc' as const, vpcId: before } } : {}),
    },
  ];
}

function toRoute(route: Route): NormalRoute[] {
  const destination: RouteDelta['destination'] | undefined =
    route.destinationCidrBlock !== undefined
      ? { kind: 'cidr4', value: route.destinationCidrBlock }
      : route.destinationIpv6CidrBlock !== undefined
        ? { kind: 'cidr6', value: route.destinationIpv6CidrBlock }
        : route.destinationPrefixListId !== undefined
          ? { kind: 'prefix-list', value: route.destinationPrefixListId }
          : undefined;
  if (destination === undefined) return [];
  for (const [name, fallback] of TARGET_FIELDS) {
    const id = route[name];
    if (id !== undefined && id !== '') return [{ destination, target: { kind: routeTargetKind(id, fallback), id } }];
  }
  return [{ destination, target: { kind: 'unknown' } }];
}
